from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "casustafel.cases"
    label = "cases"
    verbose_name = "Casussen"
