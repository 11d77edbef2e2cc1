"""Reads of signals, always through the access policy; detail reads are logged."""

from django.core.exceptions import ValidationError
from django.http import Http404

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import Signal


def visible_signals(user):
    qs = Signal.objects.select_related("subject", "weighing", "registered_by_organisation", "legal_basis")
    return policy.scope_signals(user, qs)


def get_signal(user, pk, *, via_api: bool = False) -> Signal:
    """The signal if ``user`` may see it (logged as a read), else "not found"."""
    try:
        signal = visible_signals(user).get(pk=pk)
    except (Signal.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, action=Action.READ, purpose=Purpose.INTAKE, model=Signal, pk=pk, via_api=via_api)
        raise Http404 from None
    record(user, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal], via_api=via_api)
    return signal


def log_listed(user, signals, *, via_api: bool = False) -> None:
    """Every row shown in a list is a read of personal data."""
    record(user, action=Action.LIST, purpose=Purpose.INTAKE, objects=signals, via_api=via_api)
