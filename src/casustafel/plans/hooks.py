"""Plans-side reaction to case transitions: schedule post-closure check-ins on closing."""

from django.db.models.signals import post_save


def _on_transition(sender, instance, created, **kwargs):
    from casustafel.cases import states

    if created and instance.target == states.CLOSED:
        from .services import schedule_checkins

        schedule_checkins(instance.case)


def connect():
    from casustafel.cases.models import CaseTransition

    post_save.connect(_on_transition, sender=CaseTransition, dispatch_uid="plans.schedule_checkins")
