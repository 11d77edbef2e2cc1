from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "casustafel.governance"
    label = "governance"
    verbose_name = "Informatiebeheer"
