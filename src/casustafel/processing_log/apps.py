from django.apps import AppConfig


class ProcessingLogConfig(AppConfig):
    name = "casustafel.processing_log"
    label = "processing_log"
    verbose_name = "Logboek dataverwerkingen"

    def ready(self):
        from casustafel.core.errors import refused

        from .services import record_policy_refusal

        refused.connect(record_policy_refusal, dispatch_uid="processing_log.record_policy_refusal")
