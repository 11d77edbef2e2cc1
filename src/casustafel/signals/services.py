"""Writes of signals: registration (intake), preparation and hand-over to the weighing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.access.policy import Visibility
from casustafel.governance import services as governance
from casustafel.governance.models import Classification
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.subjects.services import SubjectData, get_or_register_subject

from . import states
from .models import Signal, SignalTransition

if TYPE_CHECKING:
    from casustafel.accounts.models import User


@dataclass
class Registration:
    signal: Signal
    known_person: bool
    joined_weighing: bool
    duplicate: bool = False


def _transition(actor: User, signal: Signal, target: str, reason: str = "", *, by_hand: bool = False) -> None:
    states.SIGNAL_MACHINE.check(signal.status, target, by_hand=by_hand)
    SignalTransition.objects.create(signal=signal, source=signal.status, target=target, by=actor, reason=reason)
    signal.status = target
    signal.save(update_fields=["status"])


def register_signal(
    actor: User, *, subject: SubjectData, fields: dict, idempotency_key: uuid.UUID | None = None
) -> Registration:
    """Record a signal about a person (intake), inside the caller's transaction.

    What follows from it (joining a weighing, escalation) is the flow's: call
    ``flow.services.register_signal``, which wraps this.
    """
    policy.require(actor, policy.Action.SIGNAL_CREATE)
    if idempotency_key is not None:
        existing = Signal.objects.filter(registered_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return Registration(
                existing, known_person=True, joined_weighing=existing.weighing_id is not None, duplicate=True
            )
    region = actor.organisation.region
    fields = dict(fields)
    legal_basis = governance.resolve_basis(fields.pop("legal_basis", None))
    fields.setdefault("classification", Classification.ORDINARY)
    fields.setdefault("visibility", Visibility.ALL_PARTICIPANTS)
    errors = governance.provenance_errors(
        actor.organisation, legal_basis, fields["classification"], fields["visibility"]
    )
    try:
        Signal(region=region, registered_by=actor, registered_by_organisation=actor.organisation, **fields).full_clean(
            exclude=[
                "subject",
                "region",
                "registered_by",
                "registered_by_organisation",
                "reference",
                "legal_basis",
                "classification",
                "visibility",
            ]
        )
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    person, known = get_or_register_subject(region, subject)
    signal = Signal(
        region=region,
        subject=person,
        registered_by=actor,
        legal_basis=legal_basis,
        registered_by_organisation=actor.organisation,
        idempotency_key=idempotency_key,
        **fields,
    )
    signal.save()
    SignalTransition.objects.create(
        signal=signal, source="", target=states.RECEIVED, by=actor, reason=_("Signaal geregistreerd")
    )
    if not known:
        record(actor, Action.CREATE, Purpose.INTAKE, [person])
    record(actor, Action.CREATE, Purpose.INTAKE, [signal])
    return Registration(signal, known_person=known, joined_weighing=False)


def escalate_to_police(signal: Signal) -> None:
    """Acute danger: the moment the escalation notice was given (inside the registration)."""
    signal.escalated_to_police_at = timezone.now()
    signal.save(update_fields=["escalated_to_police_at"])


@transaction.atomic
def start_preparation(actor: User, *, signal: Signal, reason: str = "") -> Signal:
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    policy.require(actor, policy.Action.SIGNAL_TRANSITION, signal)
    _transition(actor, signal, states.IN_PREPARATION, reason, by_hand=True)
    record(actor, Action.TRANSITION, Purpose.INTAKE, [signal])
    return signal


def move_to_weighing(actor: User, *, signal: Signal, reason: str = "") -> Signal:
    """The signal's side of sending it to the weegploeg (lock, policy, transition), inside the
    caller's transaction; ``flow.services.send_to_weighing`` attaches it to the weighing."""
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    policy.require(actor, policy.Action.SIGNAL_TRANSITION, signal)
    _transition(actor, signal, states.IN_WEIGHING, reason, by_hand=True)
    return signal


def log_sent_to_weighing(actor: User, *, signal: Signal) -> None:
    record(actor, Action.TRANSITION, Purpose.INTAKE, [signal])


def conclude_signals(actor: User, *, weighing_id: Any, target: str, reason: str) -> list[Signal]:
    """Give the signals of a decided weighing the decision's outcome (within its transaction)."""
    signals = list(
        Signal.objects.select_for_update().filter(
            weighing_id=weighing_id, status__in=[states.IN_WEIGHING, states.MORE_INFORMATION]
        )
    )
    for signal in signals:
        if signal.status == target:
            continue
        if signal.status == states.MORE_INFORMATION and target != states.IN_WEIGHING:
            _transition(actor, signal, states.IN_WEIGHING, _("Aanvullende informatie ontvangen"))
        _transition(actor, signal, target, reason)
    record(actor, Action.TRANSITION, Purpose.WEIGHING, signals)
    return signals
