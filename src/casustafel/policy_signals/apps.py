from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicySignalsConfig(AppConfig):
    name = "casustafel.policy_signals"
    label = "policy_signals"
    verbose_name = _("Beleidssignalen")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the fact "policy_signals" for the reports (reporting.facts registry).
        from . import facts  # noqa: F401
