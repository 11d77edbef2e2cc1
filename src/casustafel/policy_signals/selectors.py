"""Reads of policy signals: the region's signals for the case roles of the region. They hold
no personal data (ADR 0043), so reading them is not logged in the processing log."""

from __future__ import annotations

from django.http import Http404

from casustafel.access import policy

from .models import PolicySignal


def visible_signals(user):
    if not policy.can(user, policy.Action.POLICY_SIGNAL_VIEW):
        return PolicySignal.objects.none()
    return PolicySignal.objects.filter(region_id=user.organisation.region_id).select_related(
        "organisation", "responded_by"
    )


def get_signal(user, pk) -> PolicySignal:
    try:
        return visible_signals(user).get(pk=pk)
    except (PolicySignal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
