from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeldpuntConfig(AppConfig):
    name = "casustafel.meldpunt"
    label = "meldpunt"
    verbose_name = _("Meldpunt")
    default_auto_field = "django.db.models.BigAutoField"
