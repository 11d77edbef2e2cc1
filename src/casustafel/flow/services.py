"""Writes that cross signals, weighing and cases, each in one transaction.

Each function locks what it changes through the domain services it calls (which check
the access policy on the locked rows), and writes the processing log in the same
transaction.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casustafel.cases import services as case_services
from casustafel.signals import services as signal_services
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal, Urgency
from casustafel.signals.services import Registration
from casustafel.subjects.services import SubjectData
from casustafel.weighing import services as weighing_services
from casustafel.weighing.models import Decision, Outcome, Weighing
from casustafel.weighing.services import DecisionData

if TYPE_CHECKING:
    from casustafel.accounts.models import User

#: Outcome of a weighing decision → the state its signals take.
OUTCOME_TO_SIGNAL_STATE = {
    Outcome.INCLUDE: signal_states.INCLUDED,
    Outcome.REFER: signal_states.REFERRED,
    Outcome.NO_ACTION: signal_states.NO_ACTION,
    Outcome.MORE_INFORMATION: signal_states.MORE_INFORMATION,
}


@transaction.atomic
def register_signal(
    actor: User, *, subject: SubjectData, fields: dict, idempotency_key: uuid.UUID | None = None, fingerprint: str = ""
) -> Registration:
    """Register a signal about a person (intake).

    A signal about a person whose earlier signal is still being weighed joins that
    weighing, so the signals are weighed together (Inspectie 2017). A signal flagged as
    acute danger is escalated to the police at once and goes straight to the weighing
    table instead of waiting in the intake queue.
    """
    registration = signal_services.register_signal(
        actor, subject=subject, fields=fields, idempotency_key=idempotency_key, fingerprint=fingerprint
    )
    if registration.duplicate:
        return registration
    signal = registration.signal
    if weighing_services.open_weighing_for(signal.subject) is not None:
        registration.signal = send_to_weighing(
            actor, signal=signal, reason=_("Lopende weging van dezelfde persoon: samen wegen")
        )
        registration.joined_weighing = True
    elif signal.urgency == Urgency.ACUTE:
        signal_services.escalate_to_police(signal)
        registration.signal = send_to_weighing(actor, signal=signal, reason=_("Acuut gevaar: direct geëscaleerd"))
    return registration


@transaction.atomic
def send_to_weighing(actor: User, *, signal: Signal, reason: str = "") -> Signal:
    """Put the signal before the weegploeg: join the person's open weighing or start one.

    Joining resets the weighing's freshness: every party must renew its contribution
    in the light of all signals together before a decision can be taken.
    """
    signal = signal_services.move_to_weighing(actor, signal=signal, reason=reason)
    weighing_services.attach_signal(actor, signal=signal)
    signal_services.log_sent_to_weighing(actor, signal=signal)
    return signal


@transaction.atomic
def propose_decision(actor: User, *, weighing: Weighing, data: DecisionData) -> Decision:
    """A weegploeg member proposes the joint decision; their own party confirms it with it.

    Every rule is checked before anything is written: the weighing's own (all three
    parties contributed after the latest signal, …) and, for inclusion, the case's
    (an eligible case director, participants of this table). The decision takes effect
    only when politie, OM and the burgemeester's designated officials have each confirmed
    it: the *eensluidende beoordeling* of art. 5 lid 3 Wet PGA (see :func:`confirm_decision`).
    """
    weighing = weighing_services.lock_for_decision(actor, weighing=weighing)
    contributions = weighing_services.decision_contributions(weighing)
    errors = weighing_services.decision_errors(weighing, data, contributions)
    if data.outcome == Outcome.INCLUDE:
        errors.update(
            case_services.opening_errors(
                region_id=weighing.region_id, case_director=data.case_director, participants=data.participants
            )
        )
    if errors:
        raise ValidationError(errors)
    return weighing_services.write_proposal(actor, weighing=weighing, data=data, contributions=contributions)


@transaction.atomic
def confirm_decision(actor: User, *, decision: Decision, agrees: bool, reason: str = "") -> Decision:
    """One core party confirms (or rejects, with its reason) the proposed decision.

    With the third agreement the decision is the eensluidende beoordeling (art. 5 lid 3):
    its signals take the outcome, and an inclusion opens the case with the participants
    the three decided on together (art. 5 lid 5). A rejection ends the proposal.
    """
    weighing, decision = weighing_services.lock_proposal(actor, decision=decision)
    unanimous = weighing_services.write_confirmation(
        actor, weighing=weighing, decision=decision, agrees=agrees, reason=reason
    )
    if not unanimous:
        return decision
    contributions = weighing_services.decision_contributions(weighing)
    outcome = Outcome(decision.outcome)
    participants = case_services.participants_from_ids(decision.proposed_participants, region_id=weighing.region_id)
    if outcome == Outcome.INCLUDE:
        errors = case_services.opening_errors(
            region_id=weighing.region_id, case_director=decision.case_director, participants=participants
        )
        if errors:
            raise ValidationError(errors)
    weighing_services.put_into_effect(actor, weighing=weighing, decision=decision)
    signal_services.conclude_signals(
        actor, weighing_id=weighing.pk, target=OUTCOME_TO_SIGNAL_STATE[outcome], reason=str(outcome.label)
    )
    if outcome == Outcome.INCLUDE and decision.case_director is not None:
        case_services.open_case(
            actor,
            decision=decision,
            contributions=contributions,
            case_director=decision.case_director,
            participants=participants,
        )
    return decision
