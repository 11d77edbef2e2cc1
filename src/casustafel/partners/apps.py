from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "casustafel.partners"
    label = "partners"
    verbose_name = _("Partnersystemen: aanmeldingen en webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casustafel.core import identity

        from . import hooks

        hooks.connect()
        # The webhook signing secrets re-encrypt with `casustafel keys rotate` like the BSN.
        identity.register_encrypted_field("partners.WebhookSubscription", "secret_encrypted")
