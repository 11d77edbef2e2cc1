from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "casustafel.partners"
    label = "partners"
    verbose_name = _("Partnersystemen: aanmeldingen en webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks

        hooks.connect()
