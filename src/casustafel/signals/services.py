"""Writes of signals: registration (intake), preparation and hand-over to the weighing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.governance import policy
from casustafel.governance import services as governance
from casustafel.governance.models import Classification, Visibility
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.subjects.services import SubjectData, get_or_register_subject

from . import states
from .models import Signal, SignalTransition, Urgency


@dataclass
class Registration:
    signal: Signal
    known_person: bool
    joined_weighing: bool
    duplicate: bool = False


def _transition(actor, signal: Signal, target: str, reason: str = "") -> None:
    states.SIGNAL_MACHINE.check(signal.status, target)
    SignalTransition.objects.create(signal=signal, source=signal.status, target=target, by=actor, reason=reason)
    signal.status = target
    signal.save(update_fields=["status"])


@transaction.atomic
def register_signal(actor, subject: SubjectData, fields: dict, idempotency_key: uuid.UUID | None = None
                    ) -> Registration:
    """Register a signal about a person (intake).

    A signal about a person whose earlier signal is still being weighed joins that
    weighing, so the signals are weighed together. A signal flagged as acute danger is
    escalated to the police at once and goes straight to the weighing table instead of
    waiting in the intake queue.
    """
    policy.require(actor, policy.Action.SIGNAL_CREATE)
    if idempotency_key is not None:
        existing = Signal.objects.filter(registered_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return Registration(existing, known_person=True, joined_weighing=existing.weighing_id is not None,
                                duplicate=True)
    region = actor.organisation.region
    fields = dict(fields)
    legal_basis = governance.resolve_basis(fields.pop("legal_basis", None))
    fields.setdefault("classification", Classification.ORDINARY)
    fields.setdefault("visibility", Visibility.ALL_PARTICIPANTS)
    errors = governance.provenance_errors(actor.organisation, legal_basis, fields["classification"],
                                          fields["visibility"])
    try:
        Signal(region=region, registered_by=actor, registered_by_organisation=actor.organisation, **fields).full_clean(
            exclude=["subject", "region", "registered_by", "registered_by_organisation", "reference", "legal_basis",
                     "classification", "visibility"])
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    person, known = get_or_register_subject(region, subject)
    signal = Signal(region=region, subject=person, registered_by=actor, legal_basis=legal_basis,
                    registered_by_organisation=actor.organisation, idempotency_key=idempotency_key, **fields)
    signal.save()
    SignalTransition.objects.create(signal=signal, source="", target=states.RECEIVED, by=actor,
                                    reason=_("Signaal geregistreerd"))
    if not known:
        record(actor, Action.CREATE, Purpose.INTAKE, [person])
    record(actor, Action.CREATE, Purpose.INTAKE, [signal])

    from casustafel.weighing.services import open_weighing_for

    joined = False
    if open_weighing_for(person) is not None:
        signal = send_to_weighing(actor, signal, reason=_("Lopende weging van dezelfde persoon: samen wegen"))
        joined = True
    elif signal.urgency == Urgency.ACUTE:
        signal.escalated_to_police_at = timezone.now()
        signal.save(update_fields=["escalated_to_police_at"])
        signal = send_to_weighing(actor, signal, reason=_("Acuut gevaar: direct geëscaleerd"))
    return Registration(signal, known_person=known, joined_weighing=joined)


@transaction.atomic
def start_preparation(actor, signal: Signal, reason: str = "") -> Signal:
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    policy.require(actor, policy.Action.SIGNAL_TRANSITION, signal)
    _transition(actor, signal, states.IN_PREPARATION, reason)
    record(actor, Action.TRANSITION, Purpose.INTAKE, [signal])
    return signal


@transaction.atomic
def send_to_weighing(actor, signal: Signal, reason: str = "") -> Signal:
    """Put the signal before the weegploeg: join the person's open weighing or start one.

    Joining resets the weighing's freshness: every party must renew its contribution
    in the light of all signals together before a decision can be taken.
    """
    from casustafel.weighing.services import attach_signal

    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    policy.require(actor, policy.Action.SIGNAL_TRANSITION, signal)
    if signal.status == states.MORE_INFORMATION:
        raise ValidationError({"status": ValidationError(
            _("Dit signaal wacht op aanvullende informatie; lever die aan via de weging."),
            code="illegal_transition",
        )})
    _transition(actor, signal, states.IN_WEIGHING, reason)
    attach_signal(actor, signal)
    record(actor, Action.TRANSITION, Purpose.INTAKE, [signal])
    return signal


def conclude_signals(actor, weighing, target: str, reason: str) -> list[Signal]:
    """Give the signals of a decided weighing the decision's outcome (within its transaction)."""
    signals = list(Signal.objects.select_for_update().filter(
        weighing=weighing, status__in=[states.IN_WEIGHING, states.MORE_INFORMATION]))
    for signal in signals:
        if signal.status == target:
            continue
        if signal.status == states.MORE_INFORMATION and target != states.IN_WEIGHING:
            _transition(actor, signal, states.IN_WEIGHING, _("Aanvullende informatie ontvangen"))
        _transition(actor, signal, target, reason)
    record(actor, Action.TRANSITION, Purpose.WEIGHING, signals)
    return signals
