"""Writes of signals: registration (intake), preparation and hand-over to the weighing."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.core.errors import RequestConflict
from casustafel.governance import services as governance
from casustafel.governance.models import Classification, DataCategory
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.subjects.services import SubjectData, get_or_register_subject

from . import states
from .models import Signal, SignalTransition, default_addressee

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
    actor: User, *, subject: SubjectData, fields: dict, idempotency_key: uuid.UUID | None = None, fingerprint: str = ""
) -> Registration:
    """Record a signal about a person (intake), inside the caller's transaction.

    What follows from it (joining a weighing, escalation) is the flow's: call
    ``flow.services.register_signal``, which wraps this.

    With an ``idempotency_key`` a repeated submission returns the earlier signal — if it
    carries the same body (``fingerprint``); another body under the same key is refused
    (422), so a second, different signal is never silently dropped, and a submission while
    the first is still being processed is refused (409) rather than waiting on it.
    """
    policy.require(actor, policy.Action.SIGNAL_CREATE)
    if idempotency_key is not None:
        _claim(actor, idempotency_key)
        existing = Signal.objects.filter(registered_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.idempotency_fingerprint != fingerprint:
                raise RequestConflict(
                    _("Deze Idempotency-Key is al gebruikt voor een andere indiening. Gebruik een nieuwe sleutel."),
                    status=422,
                )
            return Registration(
                existing, known_person=True, joined_weighing=existing.weighing_id is not None, duplicate=True
            )
    region = policy.organisation_of(actor).region
    fields = dict(fields)
    legal_basis = governance.resolve_basis(fields.pop("legal_basis", None))
    fields.setdefault("classification", Classification.ORDINARY)
    # Unsaid, a signal is what art. 4 c names: a description of the signals.
    fields["data_category"] = fields.get("data_category") or DataCategory.SIGNALS
    basis_set = governance.current_basis_set()
    if not fields.get("visibility"):
        # Unchosen, the art. 4 category decides (h, social relations: narrower).
        fields["visibility"] = governance.default_visibility(fields["data_category"], basis_set)
    # An aanmelding or melding is addressed to politie, OM or the burgemeester (art. 5 lid 1–2);
    # unsaid, it is addressed to the receiving organisation's side of the three.
    if not fields.get("addressed_to"):
        fields["addressed_to"] = default_addressee(policy.organisation_of(actor).kind)
    errors = governance.provenance_errors(
        actor.organisation,
        legal_basis,
        fields["classification"],
        fields["visibility"],
        data_category=fields["data_category"],
        basis_set=basis_set,
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
                "data_category",
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
        idempotency_fingerprint=fingerprint if idempotency_key is not None else "",
        **fields,
    )
    signal.save()
    SignalTransition.objects.create(
        signal=signal, source="", target=states.RECEIVED, by=actor, reason=_("Signaal geregistreerd")
    )
    if not known:
        record(actor, action=Action.CREATE, purpose=Purpose.INTAKE, objects=[person])
    record(actor, action=Action.CREATE, purpose=Purpose.INTAKE, objects=[signal])
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
    record(actor, action=Action.TRANSITION, purpose=Purpose.INTAKE, objects=[signal])
    return signal


def move_to_weighing(actor: User, *, signal: Signal, reason: str = "") -> Signal:
    """The signal's side of sending it to the weegploeg (lock, policy, transition), inside the
    caller's transaction; ``flow.services.send_to_weighing`` attaches it to the weighing."""
    signal = Signal.objects.select_for_update().get(pk=signal.pk)
    policy.require(actor, policy.Action.SIGNAL_TRANSITION, signal)
    _transition(actor, signal, states.IN_WEIGHING, reason, by_hand=True)
    return signal


def log_sent_to_weighing(actor: User, *, signal: Signal) -> None:
    record(actor, action=Action.TRANSITION, purpose=Purpose.INTAKE, objects=[signal])


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
    record(actor, action=Action.TRANSITION, purpose=Purpose.WEIGHING, objects=signals)
    return signals


def idempotency_lock_id(actor: User, *, key: uuid.UUID) -> int:
    """The transaction-level advisory lock that marks a submission under ``key`` as in flight."""
    digest = hashlib.sha256(f"signal-submission:{actor.pk}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _claim(actor: User, key: uuid.UUID) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [idempotency_lock_id(actor, key=key)])
        (claimed,) = cursor.fetchone()
    if not claimed:
        raise RequestConflict(
            _("Een indiening met deze Idempotency-Key wordt nog verwerkt. Probeer het zo opnieuw."), status=409
        )
