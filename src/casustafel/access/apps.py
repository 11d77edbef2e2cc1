from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccessConfig(AppConfig):
    name = "casustafel.access"
    label = "access"
    verbose_name = "Toegang (need-to-know)"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the database-role check
        from .rls import install_after_migrate

        # After every migrate: row-level security policies and the application role's grants.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="casustafel_rls")
