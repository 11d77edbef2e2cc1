from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "casustafel.retention"
    label = "retention"
    verbose_name = "Bewaartermijnen en vernietiging"
