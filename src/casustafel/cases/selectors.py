"""Reads of cases, through the access policy; detail reads are logged."""

from django.core.exceptions import ValidationError
from django.http import Http404

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import Case


def visible_cases(user):
    return policy.scope_cases(user, Case.objects.select_related("subject", "case_director"))


def get_case(user, pk, *, via_api: bool = False) -> Case:
    qs = visible_cases(user).prefetch_related(
        "participants__organisation", "participants__legal_basis", "transitions__by"
    )
    try:
        case = qs.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, Action.READ, Purpose.CASE_MANAGEMENT, Case, pk, via_api=via_api)
        raise Http404 from None
    record(user, Action.READ, Purpose.CASE_MANAGEMENT, [case], via_api=via_api)
    return case


def log_listed(user, cases, *, via_api: bool = False) -> None:
    record(user, Action.LIST, Purpose.CASE_MANAGEMENT, cases, via_api=via_api)
