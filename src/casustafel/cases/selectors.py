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
        record_refused(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=Case, pk=pk, via_api=via_api)
        raise Http404 from None
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[case], via_api=via_api)
    return case


def log_listed(user, cases, *, via_api: bool = False) -> None:
    record(user, action=Action.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=cases, via_api=via_api)
