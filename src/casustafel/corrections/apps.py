from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "casustafel.corrections"
    label = "corrections"
    verbose_name = "Correcties (art. 10 Wet PGA)"
