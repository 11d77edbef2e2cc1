from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "casustafel.plans"
    label = "plans"
    verbose_name = "Plannen van aanpak"

    def ready(self):
        from casustafel.cases.closure import register_open_work_check

        from . import hooks, selectors

        register_open_work_check(selectors.open_interventions)
        hooks.connect()
