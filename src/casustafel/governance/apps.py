from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GovernanceConfig(AppConfig):
    name = "casustafel.governance"
    label = "governance"
    verbose_name = "Informatiebeheer"

    def ready(self):
        from . import checks  # noqa: F401 - registers the database-role check
        from .rls import install_after_migrate

        # After every migrate: row-level security policies and the application role's grants.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="casustafel_rls")
