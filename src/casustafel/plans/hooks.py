"""Plans-side reaction to case transitions: schedule post-closure check-ins on closing."""

from django.db.models.signals import post_save

from casustafel.cases import states
from casustafel.cases.models import CaseTransition

from .services import schedule_checkins


def _on_transition(sender, instance, created, **kwargs):

    if created and instance.target == states.CLOSED:
        schedule_checkins(instance.case)


def connect():

    post_save.connect(_on_transition, sender=CaseTransition, dispatch_uid="plans.schedule_checkins")
