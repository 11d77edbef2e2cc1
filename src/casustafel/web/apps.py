from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "casustafel.web"
    label = "web"
