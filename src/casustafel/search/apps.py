from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "casustafel.search"
    label = "search"
    verbose_name = "Zoeken"
