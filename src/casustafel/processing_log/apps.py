from django.apps import AppConfig


class ProcessingLogConfig(AppConfig):
    name = "casustafel.processing_log"
    label = "processing_log"
    verbose_name = "Logboek dataverwerkingen"
