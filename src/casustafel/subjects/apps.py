from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "casustafel.subjects"
    label = "subjects"
    verbose_name = "Betrokkenen"
