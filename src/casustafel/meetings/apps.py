from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "casustafel.meetings"
    label = "meetings"
    verbose_name = "Casusoverleggen"

    def ready(self):
        from casustafel.cases.closure import register_open_work_check

        from .selectors import open_actions_of_case

        register_open_work_check(open_actions_of_case)
