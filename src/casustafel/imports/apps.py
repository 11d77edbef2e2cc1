from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "casustafel.imports"
    label = "imports"
    verbose_name = "Migratie-import"
