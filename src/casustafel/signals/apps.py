from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "casustafel.signals"
    label = "signals"
    verbose_name = "Signalen"
