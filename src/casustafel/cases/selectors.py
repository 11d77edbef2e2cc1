"""Reads of cases, through the access policy; detail reads are logged."""

from django.core.exceptions import ValidationError
from django.http import Http404

from casustafel.governance import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import Case


def visible_cases(user):
    return policy.scope_cases(user, Case.objects.select_related("subject", "case_director"))


def get_case(user, pk, *, via_api: bool = False) -> Case:
    qs = visible_cases(user).prefetch_related("participants__organisation", "participants__legal_basis", "transitions__by")
    try:
        case = qs.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, Action.READ, Purpose.CASE_MANAGEMENT, Case, pk, via_api=via_api)
        raise Http404 from None
    record(user, Action.READ, Purpose.CASE_MANAGEMENT, [case], via_api=via_api)
    return case


def log_listed(user, cases, *, via_api: bool = False) -> None:
    record(user, Action.LIST, Purpose.CASE_MANAGEMENT, cases, via_api=via_api)


def reopening_proposals(region_id):
    """Closed or scaled-down cases of the region with a signal about the person registered
    after the case left the table: the next conference is proposed to reopen them."""
    from django.db.models import Exists, OuterRef

    from casustafel.signals.models import Signal

    from . import states

    newer_signal = Signal.objects.filter(subject_id=OuterRef("subject_id"),
                                         registered_at__gt=OuterRef("status_changed_at"))
    return Case.objects.filter(region_id=region_id, status__in=[states.CLOSED, states.SCALED_DOWN]).filter(
        Exists(newer_signal))
