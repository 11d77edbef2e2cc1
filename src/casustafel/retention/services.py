"""Writes of retention: proposing, approving and executing destruction runs; legal holds.

Destruction is real: everything about a person in their region is deleted in one
transaction, with row locks, in dependency order (``on_delete=PROTECT`` is honoured by
deleting referrers first). What stays: the processing log (pseudonymous, append-only),
the run with its report (references and counts, never names) and an anonymous
statistical trace.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from datetime import date, datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import Region, User
from casustafel.cases.models import Case
from casustafel.conf.env import data_dir
from casustafel.processing_log.models import Action, AuditRecord, ProcessingLogEntry, Purpose
from casustafel.processing_log.services import record
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject

from . import selectors
from .models import (
    DestructionItem,
    DestructionRun,
    DestructionStatistic,
    HoldReason,
    LegalHold,
    NecessityOutcome,
    NecessityReview,
    RecordKind,
)

#: Models that are never destroyed even if they point at a person's records.
KEPT_MODELS = frozenset({ProcessingLogEntry, AuditRecord, DestructionItem})

#: Processing-log purpose of each destroyed top-level object (no "retention" purpose yet: ADR 0009).
#: What destruction logs (one ``destroy`` row per record, under the retention activity).
LOGGED_MODELS = ("subjects.subject", "signals.signal", "weighing.weighing", "cases.case")


def _today() -> date:
    return timezone.localdate()


# ---------------------------------------------------------------- what a person consists of


def _foreign_keys():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed or model in KEPT_MODELS:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and (field.many_to_one or field.one_to_one) and field.target_field.primary_key:
                yield model, field


def _collect(subject: Subject) -> dict:
    """Every row that (transitively) refers to ``subject``, locked: model → set of primary keys.

    Found from the model graph rather than a hand-kept list, so a table added later
    (a plan, a meeting note) is destroyed with the person instead of silently kept.
    """
    owned = {Subject: {subject.pk}}
    foreign_keys = list(_foreign_keys())
    changed = True
    while changed:
        changed = False
        for model, field in foreign_keys:
            targets = owned.get(field.related_model)
            if not targets:
                continue
            rows = set(
                model._base_manager.select_for_update()
                .filter(**{f"{field.attname}__in": targets})
                .values_list("pk", flat=True)
            )
            new = rows - owned.get(model, set())
            if new:
                owned.setdefault(model, set()).update(new)
                changed = True
    return owned


def _deletion_order(models) -> list:
    """Referrers before what they refer to (PROTECT-safe)."""
    refers = {
        (m, f.related_model)
        for m, f in _foreign_keys()
        if m in models and f.related_model in models and f.related_model is not m
    }
    remaining, order = set(models), []
    while remaining:
        ready = [m for m in remaining if not any((other, m) in refers for other in remaining if other is not m)]
        if not ready:
            raise RuntimeError(f"cyclic references between {sorted(m._meta.label for m in remaining)}")
        ready.sort(key=lambda m: m._meta.label)
        order.extend(ready)
        remaining.difference_update(ready)
    return order


# ---------------------------------------------------------------- destroying one person


def _trace(subject: Subject, records) -> None:
    """Add the destroyed records to the anonymous statistical trace (counts per cell)."""
    for rec in records:
        cell, _created = DestructionStatistic.objects.select_for_update().get_or_create(
            region_id=subject.region_id,
            trigger_year=rec.trigger_date.year,
            kind=rec.kind,
            phenomenon=rec.phenomenon,
            outcome=rec.outcome,
            gender=subject.gender,
            age_band=selectors.age_band(
                selectors.age_on(subject.date_of_birth, rec.trigger_date) if subject.date_of_birth else None
            ),
        )
        DestructionStatistic.objects.filter(pk=cell.pk).update(count=F("count") + 1)


@transaction.atomic
def destroy_subject(
    actor: User, *, subject: Subject, on: date | None = None, expected_ids=None
) -> tuple[list, Counter]:
    """Destroy a person and everything about them in their region; returns (records, counts per table).

    Refused (Dutch ``ValidationError``) when a legal hold rests on the person, when not
    every record is past its destruction date, or — with ``expected_ids`` — when the
    records differ from the ones that were approved.
    """
    on = on or _today()
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    policy.require(actor, policy.Action.RETENTION_MANAGE, subject)
    if selectors.active_hold(subject.pk) is not None:
        raise ValidationError(
            _("Op deze persoon rust een juridische blokkade; vernietiging is opgeschort tot de blokkade is opgeheven."),
            code="legal_hold",
        )
    assessment = selectors.assess_subject(subject, on)
    if not assessment.fully_due(on):
        raise ValidationError(
            _(
                "Niet alle gegevens van deze persoon hebben hun vernietigingsdatum bereikt, of er "
                "loopt nog een casus of weging; er is niets vernietigd."
            ),
            code="not_due",
        )
    if expected_ids is not None and {r.object_id for r in assessment.records} != set(expected_ids):
        raise ValidationError(
            _(
                "De gegevens van deze persoon zijn gewijzigd sinds het voorstel; neem ze op in "
                "een nieuwe vernietigingsronde."
            ),
            code="changed",
        )

    return assessment.records, _destroy(actor, subject, assessment.records)


def _destroy(actor: User, subject: Subject, records) -> Counter:
    """Log, trace and delete everything about ``subject`` (locked by the caller); counts per table."""
    owned = _collect(subject)
    for label in LOGGED_MODELS:
        model = apps.get_model(label)
        record(
            actor,
            action=Action.DESTROY,
            purpose=Purpose.RETENTION,
            objects=model.objects.filter(pk__in=owned.get(model, ())),
        )
    _trace(subject, records)
    counts: Counter[str] = Counter()
    for model in _deletion_order(owned):
        _total, per_model = model._base_manager.filter(pk__in=owned[model]).delete()
        counts.update({label: n for label, n in per_model.items() if n})
    return counts


# ---------------------------------------------------------------- runs


@transaction.atomic
def propose_run(region: Region, on: date | None = None) -> DestructionRun | None:
    """List what is due in ``region`` as a proposed run (``None`` when nothing is due)."""
    on = on or _today()
    due = selectors.due_assessments(region, on)
    if not due:
        return None
    run = DestructionRun.objects.create(region=region, run_date=on)
    DestructionItem.objects.bulk_create(
        DestructionItem(
            run=run,
            subject_id=a.subject.pk,
            kind=r.kind,
            object_id=r.object_id,
            reference=r.reference,
            trigger=r.trigger,
            trigger_date=r.trigger_date,
            destruction_date=r.destruction_date,
            minor=r.minor,
            schedule=r.schedule,
            schedule_version=r.schedule.version,
            rule=r.rule,
            last_processing=r.last_processing,
            no_longer_necessary=r.no_longer_necessary,
        )
        for a in due
        for r in a.records
    )
    return run


def propose_runs(on: date | None = None, region_code: str | None = None) -> list[DestructionRun]:
    regions = Region.objects.all() if region_code is None else Region.objects.filter(code=region_code)
    return [run for region in regions if (run := propose_run(region, on)) is not None]


@transaction.atomic
def approve_run(actor: User, *, run: DestructionRun) -> DestructionRun:
    run = DestructionRun.objects.select_for_update().get(pk=run.pk)
    policy.require(actor, policy.Action.RETENTION_MANAGE, run)
    if run.status != DestructionRun.PROPOSED:
        raise ValidationError(
            _("Alleen een voorgestelde vernietigingsronde kan worden goedgekeurd."), code="illegal_transition"
        )
    run.status, run.approved_by, run.approved_at = DestructionRun.APPROVED, actor, timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    return run


@transaction.atomic
def execute_run(run: DestructionRun, on: date | None = None) -> DestructionRun:
    """Destroy the persons of an approved run, on the approver's authority; held persons are skipped."""
    on = on or _today()
    run = DestructionRun.objects.select_for_update(of=("self",)).select_related("approved_by", "region").get(pk=run.pk)
    approver = run.approved_by
    if run.status == DestructionRun.PROPOSED or approver is None:
        raise ValidationError(
            _("Deze vernietigingsronde is nog niet goedgekeurd; er is niets vernietigd."), code="not_approved"
        )
    if run.status == DestructionRun.EXECUTED:
        raise ValidationError(_("Deze vernietigingsronde is al uitgevoerd."), code="illegal_transition")
    items = list(run.items.select_for_update().filter(result=DestructionItem.PENDING))
    by_subject = defaultdict(list)
    for item in items:
        by_subject[item.subject_id].append(item)
    counts: Counter[str] = Counter()
    for subject_id, subject_items in by_subject.items():
        subject = Subject.objects.filter(pk=subject_id).first()
        result = DestructionItem.SKIPPED
        if subject is not None:
            try:
                with transaction.atomic():
                    _records, destroyed = destroy_subject(
                        approver, subject=subject, on=on, expected_ids={i.object_id for i in subject_items}
                    )
                counts.update(destroyed)
                result = DestructionItem.DESTROYED
            except ValidationError as error:
                if error.code == "legal_hold":
                    result = DestructionItem.HELD
                elif error.code not in ("not_due", "changed"):
                    raise
        DestructionItem.objects.filter(pk__in=[i.pk for i in subject_items]).update(result=result)
        for item in subject_items:
            item.result = result
    run.status, run.executed_at = DestructionRun.EXECUTED, timezone.now()
    run.report = _report(run, items, counts)
    run.save(update_fields=["status", "executed_at", "report"])
    transaction.on_commit(lambda: journal_executed_run(run))
    return run


def journal_executed_run(run: DestructionRun) -> None:
    """Append the executed run to a journal kept outside the database (ADR 0047, art. 9).

    A restore of a backup older than this run would bring the destroyed data back;
    ``casustafel restore`` reads this file and refuses until the destruction is replayed.
    References and pseudonymous ids only, never a name.
    """
    destroyed = sorted({str(i.subject_id) for i in run.items.filter(result=DestructionItem.DESTROYED)})
    line: dict[str, object] = {"reference": run.reference, "run": str(run.pk), "region": run.region.code}
    line["approved_by"] = str(run.approved_by_id)  # who replays it after a restore (ADR 0054)
    line |= {"executed_at": (run.executed_at or timezone.now()).isoformat(), "subjects": destroyed}
    with (data_dir() / "destruction-journal.jsonl").open("a", encoding="utf-8") as journal:
        journal.write(json.dumps(line) + "\n")


@transaction.atomic
def replay_executed_run(entry: dict) -> int:
    """After a restore: destroy again every person a journalled run destroyed (art. 9 Wet PGA; ADR 0054).

    ``entry`` is the run's line in the destruction journal. The destruction was decided,
    approved and executed before the restore, so it is not decided again: no due-date or
    hold check, the same persons, on the approver's authority, logged as the run logged
    them. Idempotent: a person already gone is passed over. A run the restored database
    knows (proposed or approved before the backup) is marked executed as it was.
    Returns the number of persons destroyed now.
    """
    run = DestructionRun.objects.select_for_update(of=("self",)).filter(pk=entry["run"]).first()
    approver_id = entry.get("approved_by") or (run.approved_by_id if run is not None else None)
    actor = User.objects.filter(pk=approver_id).first() if approver_id else None
    if actor is None:
        raise ValidationError(
            _("De goedkeurder van vernietigingsronde %(reference)s is onbekend in de herstelde database.")
            % {"reference": entry["reference"]},
            code="unknown_approver",
        )
    executed_at = datetime.fromisoformat(entry["executed_at"])
    on = timezone.localdate(executed_at)
    destroyed, counts = 0, Counter[str]()
    for subject_id in entry["subjects"]:
        subject = Subject.objects.select_for_update().filter(pk=subject_id).first()
        if subject is None:
            continue
        counts.update(_destroy(actor, subject, selectors.assess_subject(subject, on).records))
        destroyed += 1
    if run is not None and run.status != DestructionRun.EXECUTED:
        items = list(run.items.all())
        for item in items:
            item.result = DestructionItem.DESTROYED if str(item.subject_id) in entry["subjects"] else item.result
        DestructionItem.objects.filter(run=run, subject_id__in=entry["subjects"]).update(
            result=DestructionItem.DESTROYED
        )
        run.status, run.executed_at = DestructionRun.EXECUTED, executed_at
        run.report = _report(run, items, counts)
        run.save(update_fields=["status", "executed_at", "report"])
    return destroyed


def _report(run: DestructionRun, items, counts: Counter) -> dict:
    def refs(result):
        return sorted(i.reference for i in items if i.result == result)

    def persons(result):
        return len({i.subject_id for i in items if i.result == result})

    return {
        "run": run.reference,
        "region": run.region.code,
        "run_date": run.run_date.isoformat(),
        # An executed run is always approved; the fallbacks only satisfy the types.
        "approved_by": run.approved_by.username if run.approved_by else "",
        "approved_at": run.approved_at.isoformat() if run.approved_at else "",
        "executed_at": run.executed_at.isoformat() if run.executed_at else "",
        "persons_destroyed": persons(DestructionItem.DESTROYED),
        "persons_held": persons(DestructionItem.HELD),
        "persons_skipped": persons(DestructionItem.SKIPPED),
        "destroyed": refs(DestructionItem.DESTROYED),
        "held": refs(DestructionItem.HELD),
        "skipped": refs(DestructionItem.SKIPPED),
        "counts": dict(sorted(counts.items())),
    }


REPORT_COLUMNS = [
    "onderdeel",
    "naam",
    "waarde",
    "soort",
    "aanleiding",
    "datum_aanleiding",
    "vernietigingsdatum",
    "versie_bewaarschema",
    "minderjarig",
    "regel",
    "laatste_verwerking",
    "niet_langer_noodzakelijk",
]


def report_csv(run: DestructionRun) -> str:
    """The destruction report as CSV: the run, counts per table, one row per record (no names)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    report = run.report or {}
    for key, value in (
        ("kenmerk", run.reference),
        ("regio", run.region.code),
        ("status", run.status),
        ("peildatum", run.run_date.isoformat()),
        ("goedgekeurd_door", run.approved_by.username if run.approved_by else ""),
        ("goedgekeurd_op", run.approved_at.isoformat() if run.approved_at else ""),
        ("uitgevoerd_op", run.executed_at.isoformat() if run.executed_at else ""),
        ("personen_vernietigd", report.get("persons_destroyed", "")),
        ("personen_blokkade", report.get("persons_held", "")),
        ("personen_overgeslagen", report.get("persons_skipped", "")),
    ):
        writer.writerow(["ronde", key, value])
    for table, count in report.get("counts", {}).items():
        writer.writerow(["tabel", table, count])
    for item in run.items.order_by("kind", "reference"):
        writer.writerow(
            [
                "gegeven",
                item.reference,
                item.get_result_display(),
                item.get_kind_display(),
                item.trigger,
                item.trigger_date.isoformat(),
                item.destruction_date.isoformat(),
                item.schedule_version,
                "ja" if item.minor else "nee",
                item.rule,
                item.last_processing.isoformat() if item.last_processing else "",
                "ja" if item.no_longer_necessary else "nee",
            ]
        )
    return out.getvalue()


#: Export formats of the destruction report → (content type, file extension).
REPORT_FORMATS = {"pdf": ("application/pdf", "pdf"), "csv": ("text/csv; charset=utf-8", "csv")}


def _exported_records(run: DestructionRun) -> list[Model]:
    """The run's records as (unsaved) signal/case instances per log purpose, for the processing log.

    The records may be destroyed already; the log only needs their type, id and the
    person's pseudonymous id, which the run's items keep.
    """

    models: dict[str, type[Model]] = {RecordKind.SIGNAL: Signal, RecordKind.CASE: Case}
    return [
        models[item.kind](pk=item.object_id, subject_id=item.subject_id)
        for item in run.items.order_by("kind", "reference")
    ]


@transaction.atomic
def export_report(actor: User, *, run: DestructionRun, fmt: str) -> bytes:
    """The destruction report of ``run`` as PDF or CSV, logged as an export of every record in it
    under the retention activity."""
    from .report_pdf import render_report_pdf  # noqa: PLC0415 - ReportLab loads only for a PDF

    run = DestructionRun.objects.select_related("region", "approved_by").get(pk=run.pk)
    policy.require(actor, policy.Action.RETENTION_MANAGE, run)
    if fmt not in REPORT_FORMATS:
        raise ValidationError(_("Kies PDF of CSV als formaat van het verslag."), code="invalid")
    content = render_report_pdf(run) if fmt == "pdf" else report_csv(run).encode("utf-8")
    record(actor, action=Action.EXPORT, purpose=Purpose.RETENTION, objects=_exported_records(run))
    return content


# ---------------------------------------------------------------- legal holds


def _review_date_error(review_date: date | None) -> str | None:
    if review_date is None:
        return _("Geef aan wanneer de blokkade opnieuw wordt beoordeeld (art. 9 Wet PGA: alleen zolang nodig).")
    if review_date <= _today():
        return _("De datum van heroverweging moet in de toekomst liggen.")
    return None


@transaction.atomic
def place_hold(actor: User, *, subject: Subject, reason: str, explanation: str, review_date: date | None) -> LegalHold:
    """Art. 9 Wet PGA exception (legal claim): suspend destruction, with its reason and the
    date on which the hold is reviewed."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    policy.require(actor, policy.Action.RETENTION_MANAGE, subject)
    errors = {}
    if reason not in HoldReason.values:
        errors["reason"] = _("Kies de reden van de blokkade: klacht, rechtszaak of anders.")
    if not (explanation or "").strip():
        errors["explanation"] = _("Licht de blokkade toe.")
    if (review_error := _review_date_error(review_date)) is not None:
        errors["review_date"] = review_error
    if errors:
        raise ValidationError(errors)
    hold = LegalHold.objects.create(
        region_id=subject.region_id,
        subject=subject,
        reason=reason,
        explanation=explanation.strip(),
        placed_by=actor,
        review_date=review_date,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.RETENTION, objects=[hold])
    return hold


@transaction.atomic
def lift_hold(actor: User, *, hold: LegalHold) -> LegalHold:
    hold = LegalHold.objects.select_for_update().select_related("subject").get(pk=hold.pk)
    policy.require(actor, policy.Action.RETENTION_MANAGE, hold)
    if hold.lifted_at is not None:
        raise ValidationError(_("Deze blokkade is al opgeheven."), code="illegal_transition")
    hold.lifted_by, hold.lifted_at = actor, timezone.now()
    hold.save(update_fields=["lifted_by", "lifted_at"])
    record(actor, action=Action.UPDATE, purpose=Purpose.RETENTION, objects=[hold])
    return hold


@transaction.atomic
def review_hold(actor: User, *, hold: LegalHold, review_date: date | None) -> LegalHold:
    """The hold was reviewed and is still needed for the legal claim: set its next review date."""
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    policy.require(actor, policy.Action.RETENTION_MANAGE, hold)
    if hold.lifted_at is not None:
        raise ValidationError(_("Deze blokkade is al opgeheven."), code="illegal_transition")
    if (review_error := _review_date_error(review_date)) is not None:
        raise ValidationError({"review_date": review_error})
    hold.review_date = review_date
    hold.save(update_fields=["review_date"])
    record(actor, action=Action.UPDATE, purpose=Purpose.RETENTION, objects=[hold])
    return hold


# ---------------------------------------------------------------- necessity review (art. 9)


@transaction.atomic
def record_necessity_review(actor: User, *, subject: Subject, outcome: str, reason: str) -> NecessityReview:
    """Art. 9 Wet PGA: record whether a person's data are still necessary (who, when, outcome,
    reason). "Niet langer noodzakelijk" brings destruction forward to the next run; an open case
    still keeps the person until the participants close it (art. 6 lid 3)."""
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    policy.require(actor, policy.Action.RETENTION_MANAGE, subject)
    errors = {}
    if outcome not in NecessityOutcome.values:
        errors["outcome"] = _("Kies de uitkomst: nog noodzakelijk of niet langer noodzakelijk.")
    reason = (reason or "").strip()
    if outcome == NecessityOutcome.STILL_NECESSARY and not reason:
        errors["reason"] = _("Motiveer waarom de gegevens nog noodzakelijk zijn.")
    if errors:
        raise ValidationError(errors)
    review = NecessityReview.objects.create(
        region_id=subject.region_id, subject=subject, outcome=outcome, reason=reason, reviewed_by=actor
    )
    record(actor, action=Action.CREATE, purpose=Purpose.RETENTION, objects=[review])
    return review
