from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "casustafel.reporting"
    label = "reporting"
    verbose_name = _("Verantwoording en inzicht")
    default_auto_field = "django.db.models.BigAutoField"
