from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "casustafel.oversight"
    label = "oversight"
    verbose_name = "Rechtmatigheidsadviescommissie"
