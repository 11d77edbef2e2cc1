from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "casustafel.national"
    label = "national"
    verbose_name = _("Landelijk beeld (art. 24 Wet PGA)")
    default_auto_field = "django.db.models.BigAutoField"
