from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "casustafel.journal"
    label = "journal"
    verbose_name = "Casusjournaal"
