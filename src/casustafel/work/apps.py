from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "casustafel.work"
    label = "work"
    verbose_name = _("Werkvoorraad en meldingen")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .context_processors import count_at_login

        user_logged_in.connect(count_at_login, dispatch_uid="work_count_at_login")
