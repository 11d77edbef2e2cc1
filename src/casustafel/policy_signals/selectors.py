"""Reads of policy signals: the region's signals for the case roles of the region. They hold
no personal data (ADR 0043), so reading them is not logged in the processing log."""

from __future__ import annotations

from django.http import Http404

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record_refused

from .models import PolicySignal


def visible_signals(user):
    if not policy.can(user, policy.Action.POLICY_SIGNAL_VIEW):
        return PolicySignal.objects.none()
    return PolicySignal.objects.filter(region_id=user.organisation.region_id).select_related(
        "organisation", "responded_by"
    )


def get_signal(user, pk) -> PolicySignal:
    """The policy signal if ``user`` may see it; a refusal of an existing one is logged (art. 17)."""
    try:
        return visible_signals(user).get(pk=pk)
    except (PolicySignal.DoesNotExist, ValueError, TypeError):
        record_refused(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=PolicySignal, pk=pk)
        raise Http404 from None
