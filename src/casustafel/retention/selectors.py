"""What is due for destruction: retention records of a person and their destruction dates.

A *record* is what a retention period runs on: a signal that was not included (its
weighing decided "referred" or "no action", or it was never sent to the weighing) or a
closed case (which carries the included signals, weighing and decision with it). A
person is due only when every record is past its destruction date and nothing about
them is still open (an open case, a signal in weighing, an undecided weighing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from casustafel.access import policy
from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record_refused
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Weighing

from .models import DestructionItem, DestructionRun, LegalHold, RecordKind, RetentionSchedule, Trigger

#: Signal states that count as "not included" (each is a retention record of its own).
NOT_INCLUDED_STATES = (signal_states.REFERRED, signal_states.NO_ACTION)
NEVER_WEIGHED_STATES = (signal_states.RECEIVED, signal_states.IN_PREPARATION)
#: Signal states that keep the whole person (the weegploeg is still at work).
BLOCKING_SIGNAL_STATES = (signal_states.IN_WEIGHING, signal_states.MORE_INFORMATION)


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def age_band(age: int) -> str:
    for upper, label in ((17, "0-17"), (24, "18-24"), (34, "25-34"), (49, "35-49")):
        if age <= upper:
            return label
    return "50+"


def applicable_schedule(region_id, trigger: str, on: date) -> RetentionSchedule | None:
    """The region's own newest version valid on ``on``, otherwise the national default."""
    return (
        RetentionSchedule.objects.filter(trigger=trigger, valid_from__lte=on)
        .filter(Q(region_id=region_id) | Q(region__isnull=True))
        .order_by(F("region").asc(nulls_last=True), "-version")
        .first()
    )


@dataclass(frozen=True)
class DueRecord:
    kind: str
    object_id: UUID
    reference: str
    trigger: str
    trigger_date: date
    destruction_date: date
    minor: bool
    schedule: RetentionSchedule
    # For the anonymous statistical trace only.
    phenomenon: str
    outcome: str


@dataclass
class Assessment:
    subject: Subject
    records: list[DueRecord] = field(default_factory=list)
    #: Why the person cannot be destroyed regardless of dates (open work, no schedule).
    blocked: str = ""

    def fully_due(self, on: date) -> bool:
        return not self.blocked and bool(self.records) and all(r.destruction_date <= on for r in self.records)


def _local(moment) -> date:
    return timezone.localdate(moment)


def assess_subject(subject: Subject, on: date) -> Assessment:
    """All retention records of ``subject`` (in its region) with their destruction dates."""
    result = Assessment(subject)
    if Case.objects.filter(subject=subject, status__in=case_states.OPEN_STATES).exists():
        result.blocked = "open_case"
        return result
    if (
        Signal.objects.filter(subject=subject, status__in=BLOCKING_SIGNAL_STATES).exists()
        or Weighing.objects.filter(subject=subject).exclude(status=Weighing.DECIDED).exists()
    ):
        result.blocked = "in_weighing"
        return result

    def add(kind, obj, trigger, trigger_moment, phenomenon, outcome):
        schedule = applicable_schedule(subject.region_id, trigger, on)
        if schedule is None:
            result.blocked = "no_schedule"
            return
        trigger_date = _local(trigger_moment)
        minor = age_on(subject.date_of_birth, trigger_date) < 18
        result.records.append(
            DueRecord(
                kind=kind,
                object_id=obj.pk,
                reference=obj.reference,
                trigger=trigger,
                trigger_date=trigger_date,
                destruction_date=trigger_date + timedelta(days=schedule.period_for(minor)),
                minor=minor,
                schedule=schedule,
                phenomenon=phenomenon,
                outcome=outcome,
            )
        )

    signals = (
        Signal.objects.filter(subject=subject, status__in=NOT_INCLUDED_STATES + NEVER_WEIGHED_STATES)
        .prefetch_related("transitions")
        .order_by("registered_at")
    )
    for signal in signals:
        transitions = list(signal.transitions.all())
        if signal.status in NOT_INCLUDED_STATES:
            moments = [t.at for t in transitions if t.target == signal.status]
        else:  # never sent to the weighing: the period runs from the last step taken
            moments = [t.at for t in transitions]
        add(
            RecordKind.SIGNAL,
            signal,
            Trigger.SIGNAL_NOT_INCLUDED,
            max(moments, default=signal.registered_at),
            signal.phenomenon,
            signal.status,
        )
    cases = Case.objects.filter(subject=subject, status=case_states.CLOSED).order_by("opened_at")
    for case in cases:
        first_signal = (
            Signal.objects.filter(weighing_id=case.origin_decision.weighing_id).order_by("registered_at").first()
        )
        add(
            RecordKind.CASE,
            case,
            Trigger.CASE_CLOSED,
            case.status_changed_at,
            first_signal.phenomenon if first_signal else "",
            case.closure_reason,
        )
    return result


def pending_subject_ids(region_id) -> set:
    """Persons already in a proposed or approved run (not proposed twice)."""
    return set(
        DestructionItem.objects.filter(
            run__region_id=region_id,
            run__status__in=[DestructionRun.PROPOSED, DestructionRun.APPROVED],
            result=DestructionItem.PENDING,
        ).values_list("subject_id", flat=True)
    )


def due_assessments(region, on: date) -> list[Assessment]:
    """Persons of ``region`` of whom every record is due on ``on`` (held persons included)."""
    skip = pending_subject_ids(region.pk)
    candidates = (
        Subject.objects.filter(region=region)
        .exclude(pk__in=skip)
        .exclude(cases__status__in=case_states.OPEN_STATES)
        .exclude(signals__status__in=BLOCKING_SIGNAL_STATES)
        .distinct()
        .order_by("created_at")
    )
    found = []
    for subject in candidates:
        assessment = assess_subject(subject, on)
        if assessment.fully_due(on):
            found.append(assessment)
    return found


def get_run(user, pk) -> DestructionRun:
    """A destruction run the user may manage (privacy officer / functional admin of its region), else 404."""
    run = DestructionRun.objects.select_related("region", "approved_by").filter(pk=pk).first()
    if run is None or not policy.can(user, policy.Action.RETENTION_MANAGE, run):
        record_refused(user, action=Action.READ, purpose=Purpose.RETENTION, model=DestructionRun, pk=pk)
        raise Http404
    return run


def active_hold(subject_id) -> LegalHold | None:
    return LegalHold.objects.filter(subject_id=subject_id, lifted_at__isnull=True).first()
