"""What is due for destruction: retention records of a person and their destruction dates.

A *record* is what a retention period runs on: a signal that was not included (its
weighing decided "referred" or "no action", or it was never sent to the weighing) or a
closed case (which carries the included signals, weighing and decision with it). A
person is due only when every record is past its destruction date and nothing about
them is still open (an open case, a signal in weighing, an undecided weighing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone

from casustafel.access import policy
from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.processing_log.models import Action, ProcessingLogEntry, Purpose, Status
from casustafel.processing_log.services import record_refused
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Weighing

from .models import (
    Basis,
    DestructionItem,
    DestructionRun,
    LegalHold,
    NecessityOutcome,
    NecessityReview,
    RecordKind,
    RetentionSchedule,
    Trigger,
)

#: Signal states that count as "not included" (each is a retention record of its own).
NOT_INCLUDED_STATES = (signal_states.REFERRED, signal_states.NO_ACTION)
NEVER_WEIGHED_STATES = (signal_states.RECEIVED, signal_states.IN_PREPARATION)
#: Signal states that keep the whole person (the weegploeg is still at work).
BLOCKING_SIGNAL_STATES = (signal_states.IN_WEIGHING, signal_states.MORE_INFORMATION)


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def age_band(age: int | None) -> str:
    if age is None:  # no date of birth (a legal person)
        return "onbekend"
    for upper, label in ((17, "0-17"), (24, "18-24"), (34, "25-34"), (49, "35-49")):
        if age <= upper:
            return label
    return "50+"


def _is_minor(date_of_birth: date | None, on: date) -> bool:
    return date_of_birth is not None and age_on(date_of_birth, on) < 18


# ---------------------------------------------------------------- art. 9: last processing

#: Substantive processing (ADR 0020): what moves the art. 9 date. Not a read (not even of
#: blocked data), a list, a search, an export or a destruction.
SUBSTANTIVE_ACTIONS = (Action.CREATE, Action.UPDATE, Action.TRANSITION, Action.SHARE)
#: Action.IMPORT (a migration from a previous system) is deliberately absent: the art. 9 period of
#: an imported record runs from its own history, kept in the record's dates (ADR 0046).
#: Processing *about* retention and the privacy officer's supervision is not processing
#: for the purpose of the casusoverleg: counting it would let a necessity review or a legal
#: hold keep the data alive.
NOT_SUBSTANTIVE_PURPOSES = (Purpose.RETENTION, Purpose.PRIVACY_SUPERVISION)


def last_processing(subject_ids: Iterable[UUID]) -> dict[UUID, date]:
    """Art. 9 Wet PGA: date of the last substantive processing per person, from the processing
    log (one aggregate query). A person without such an entry is absent."""
    rows = (
        ProcessingLogEntry.objects.filter(
            data_subject_id__in=list(subject_ids), status=Status.OK, action__in=SUBSTANTIVE_ACTIONS
        )
        .exclude(purpose__in=NOT_SUBSTANTIVE_PURPOSES)
        .values("data_subject_id")
        .annotate(last=Max("timestamp"))
        .order_by()
    )
    found: dict[UUID, date] = {}
    for row in rows:
        if (subject_id := row["data_subject_id"]) is not None:
            found[subject_id] = _local(row["last"])
    return found


# ---------------------------------------------------------------- which schedule


def schedule_for(
    schedules: list[RetentionSchedule], region_id, trigger: str, made_on: date
) -> RetentionSchedule | None:
    """The rule a record made on ``made_on`` keeps (ADR 0020): the region's own newest version
    valid on that date, otherwise the national one; a record older than every version keeps
    the first national version."""
    own = [s for s in schedules if s.trigger == trigger and s.region_id == region_id and region_id is not None]
    national = [s for s in schedules if s.trigger == trigger and s.region_id is None]
    for group in (own, national):
        valid = [s for s in group if s.valid_from <= made_on]
        if valid:
            return max(valid, key=lambda s: s.version)
    return min(national, key=lambda s: s.version, default=None)


def applicable_schedule(region_id, trigger: str, on: date) -> RetentionSchedule | None:
    """The schedule a record of ``region_id`` made on ``on`` keeps."""
    return schedule_for(list(RetentionSchedule.objects.filter(trigger=trigger)), region_id, trigger, on)


# ---------------------------------------------------------------- records and their dates


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
    #: The rule applied (``Basis``) and the last substantive processing it ran from.
    rule: str = Basis.TRIGGER
    last_processing: date | None = None
    #: A necessity review found the data no longer necessary (destruction brought forward).
    no_longer_necessary: bool = False


@dataclass
class Assessment:
    subject: Subject
    records: list[DueRecord] = field(default_factory=list)
    #: Why the person cannot be destroyed regardless of dates (open work, no schedule).
    blocked: str = ""
    #: When the next necessity review is due (None: no review applies).
    review_due: date | None = None

    def fully_due(self, on: date) -> bool:
        return not self.blocked and bool(self.records) and all(r.destruction_date <= on for r in self.records)

    @property
    def destruction_date(self) -> date | None:
        """The person goes when the last of their records is due."""
        return max((r.destruction_date for r in self.records), default=None)


def _local(moment) -> date:
    return timezone.localdate(moment)


def assess_subjects(subjects: Iterable[Subject], on: date) -> dict[UUID, Assessment]:
    """Every retention record of each person with its destruction date — a fixed number of
    queries whatever the number of persons (one per kind of record)."""
    subjects = list(subjects)
    results = {s.pk: Assessment(s) for s in subjects}
    if not subjects:
        return results
    ids = list(results)
    schedules = list(RetentionSchedule.objects.all())
    open_cases: dict[UUID, list[Case]] = defaultdict(list)
    for case in Case.objects.filter(subject_id__in=ids, status__in=case_states.OPEN_STATES).order_by("opened_at"):
        open_cases[case.subject_id].append(case)
    in_weighing = set(
        Signal.objects.filter(subject_id__in=ids, status__in=BLOCKING_SIGNAL_STATES).values_list(
            "subject_id", flat=True
        )
    ) | set(
        Weighing.objects.filter(subject_id__in=ids)
        .exclude(status=Weighing.DECIDED)
        .values_list("subject_id", flat=True)
    )
    processed = last_processing(ids)
    latest_review: dict[UUID, NecessityReview] = {}
    for review in (
        NecessityReview.objects.filter(subject_id__in=ids).order_by("subject_id", "-reviewed_at").distinct("subject_id")
    ):
        latest_review[review.subject_id] = review

    def no_longer_necessary_on(subject_id) -> date | None:
        """The review date when the latest review found the data no longer necessary and
        nothing substantive happened since (a new signal reopens the question)."""
        review = latest_review.get(subject_id)
        if review is None or review.outcome != NecessityOutcome.NO_LONGER_NECESSARY:
            return None
        reviewed_on = _local(review.reviewed_at)
        last = processed.get(subject_id)
        return reviewed_on if last is None or last <= reviewed_on else None

    def review_due(result: Assessment, schedule: RetentionSchedule | None, start: date) -> None:
        if schedule is None or not schedule.review_interval_days:
            return
        review = latest_review.get(result.subject.pk)
        since = max(start, _local(review.reviewed_at)) if review else start
        due = since + timedelta(days=schedule.review_interval_days)
        result.review_due = min(due, result.review_due or due)

    def add(result: Assessment, kind, obj, trigger, trigger_moment, made_moment, phenomenon, outcome):
        subject = result.subject
        made_on = _local(made_moment)
        schedule = schedule_for(schedules, subject.region_id, trigger, made_on)
        trigger_date = _local(trigger_moment)
        if schedule is None:
            result.blocked = "no_schedule"
            return
        minor = _is_minor(subject.date_of_birth, trigger_date)
        last = None
        start = trigger_date
        if schedule.basis == Basis.LAST_PROCESSING:
            # The trigger itself is processing; the log adds what happened since.
            last = max(trigger_date, processed.get(subject.pk, trigger_date))
            start = last
        destruction = start + timedelta(days=schedule.period_for(minor))
        forward = no_longer_necessary_on(subject.pk)
        if forward is not None:
            destruction = min(destruction, forward)
        if trigger != Trigger.CASE_CLOSED:  # a closed case is blocked (art. 6 lid 3): only the maximum applies
            review_due(result, schedule, start)
        result.records.append(
            DueRecord(
                kind=kind,
                object_id=obj.pk,
                reference=obj.reference,
                trigger=trigger,
                trigger_date=trigger_date,
                destruction_date=destruction,
                minor=minor,
                schedule=schedule,
                phenomenon=phenomenon,
                outcome=outcome,
                rule=schedule.basis,
                last_processing=last,
                no_longer_necessary=forward is not None,
            )
        )

    # Open cases keep the person; the case schedule's review interval applies while open.
    for subject_id, cases in open_cases.items():
        result = results[subject_id]
        result.blocked = "open_case"
        for case in cases:
            start = max(_local(case.status_changed_at), processed.get(subject_id, _local(case.opened_at)))
            schedule = schedule_for(schedules, result.subject.region_id, Trigger.CASE_CLOSED, _local(case.opened_at))
            review_due(result, schedule, start)
    for subject_id in in_weighing:
        if not results[subject_id].blocked:
            results[subject_id].blocked = "in_weighing"

    signals = (
        Signal.objects.filter(subject_id__in=ids, status__in=NOT_INCLUDED_STATES + NEVER_WEIGHED_STATES)
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
            results[signal.subject_id],
            RecordKind.SIGNAL,
            signal,
            Trigger.SIGNAL_NOT_INCLUDED,
            max(moments, default=signal.registered_at),
            signal.registered_at,
            signal.phenomenon,
            signal.status,
        )
    cases = list(
        Case.objects.filter(subject_id__in=ids, status=case_states.CLOSED)
        .select_related("origin_decision")
        .order_by("opened_at")
    )
    phenomena: dict[UUID, str] = {}
    for weighing_id, phenomenon in (
        Signal.objects.filter(weighing_id__in=[c.origin_decision.weighing_id for c in cases])
        .order_by("weighing_id", "registered_at")
        .distinct("weighing_id")
        .values_list("weighing_id", "phenomenon")
    ):
        phenomena[weighing_id] = phenomenon
    for case in cases:
        add(
            results[case.subject_id],
            RecordKind.CASE,
            case,
            Trigger.CASE_CLOSED,
            case.status_changed_at,
            case.opened_at,
            phenomena.get(case.origin_decision.weighing_id, ""),
            case.closure_reason,
        )
    return results


def assess_subject(subject: Subject, on: date) -> Assessment:
    """All retention records of ``subject`` (in its region) with their destruction dates."""
    return assess_subjects([subject], on)[subject.pk]


def pending_subject_ids(region_id) -> set:
    """Persons already in a proposed or approved run (not proposed twice)."""
    return set(
        DestructionItem.objects.filter(
            run__region_id=region_id,
            run__status__in=[DestructionRun.PROPOSED, DestructionRun.APPROVED],
            result=DestructionItem.PENDING,
        ).values_list("subject_id", flat=True)
    )


def region_assessments(region_id, on: date) -> list[Assessment]:
    """Every person of a region with their records, dates, rule and version (the overview)."""
    subjects = Subject.objects.filter(region_id=region_id).order_by("created_at")
    return list(assess_subjects(subjects, on).values())


def due_assessments(region, on: date) -> list[Assessment]:
    """Persons of ``region`` of whom every record is due on ``on`` (held persons included).

    A fixed number of queries whatever the number of persons (pinned in the tests)."""
    skip = pending_subject_ids(region.pk)
    candidates = (
        Subject.objects.filter(region=region)
        .exclude(pk__in=skip)
        .exclude(cases__status__in=case_states.OPEN_STATES)
        .exclude(signals__status__in=BLOCKING_SIGNAL_STATES)
        .distinct()
        .order_by("created_at")
    )
    return [a for a in assess_subjects(candidates, on).values() if a.fully_due(on)]


def holds_for_review(region_id, on: date) -> list[LegalHold]:
    """Active legal holds whose review date has come (or that never had one)."""
    return list(
        LegalHold.objects.filter(region_id=region_id, lifted_at__isnull=True)
        .filter(Q(review_date__isnull=True) | Q(review_date__lte=on))
        .order_by("review_date", "placed_at")
    )


def get_run(user, pk) -> DestructionRun:
    """A destruction run the user may manage (privacy officer / functional admin of its region), else 404."""
    run = DestructionRun.objects.select_related("region", "approved_by").filter(pk=pk).first()
    if run is None or not policy.can(user, policy.Action.RETENTION_MANAGE, run):
        record_refused(user, action=Action.READ, purpose=Purpose.RETENTION, model=DestructionRun, pk=pk)
        raise Http404
    return run


def get_subject(user, pk) -> Subject:
    """A person whose retention the user manages (privacy officer / functional admin of the
    person's region), else 404 (and the refusal logged)."""
    subject = Subject.objects.filter(pk=pk).first()
    if subject is None or not policy.can(user, policy.Action.RETENTION_MANAGE, subject):
        record_refused(user, action=Action.READ, purpose=Purpose.RETENTION, model=Subject, pk=pk)
        raise Http404
    return subject


def active_hold(subject_id) -> LegalHold | None:
    return LegalHold.objects.filter(subject_id=subject_id, lifted_at__isnull=True).first()
