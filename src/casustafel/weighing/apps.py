from django.apps import AppConfig


class WeighingConfig(AppConfig):
    name = "casustafel.weighing"
    label = "weighing"
    verbose_name = "Weging"
