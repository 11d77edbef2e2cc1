from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casustafel.core"
    label = "core"
