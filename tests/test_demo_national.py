"""`casustafel demo --scale national` (issue 15 item 2, ADR 0050): consistent, deterministic bulk data."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Count, F, Max, Min

from casustafel.access import rls
from casustafel.accounts.models import Organisation, Region, User
from casustafel.cases import states as case_states
from casustafel.cases.models import Case, CaseParticipant, CaseTransition
from casustafel.cli import main
from casustafel.core import identity
from casustafel.demo_national import NationalDataExistsError, generate
from casustafel.plans.models import Plan, Review
from casustafel.processing_log.models import AuditRecord, LogLeaf, ProcessingLogEntry, TreeHead
from casustafel.retention.selectors import assess_subjects
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Decision, DecisionStatus, Weighing

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)
FRACTION = 0.002


def _generate(seed=7):
    summary = generate(seed=seed, fraction=FRACTION, today=TODAY, progress=False)
    rls.extend(*Region.objects.filter(code__startswith="nat-").values_list("pk", flat=True))  # read them (RLS)
    return summary


def _fingerprint() -> dict:
    return {
        "signals": sorted(Signal.objects.values_list("reference", "status")),
        "cases": sorted(Case.objects.values_list("reference", "status")),
        "weighings": sorted(Weighing.objects.values_list("reference", flat=True)),
        "users": sorted(User.objects.filter(username__contains=".r").values_list("username", flat=True)),
        "log": ProcessingLogEntry.objects.count(),
        "log_last": list(ProcessingLogEntry.objects.order_by("-id").values_list("object_id", "timestamp")[:5]),
    }


def test_national_data_are_consistent_with_what_the_services_would_write():
    summary = _generate()

    assert summary.regions == Region.objects.filter(code__startswith="nat-").count() >= 2
    assert Organisation.objects.filter(kind="gemeente", region__code__startswith="nat-").count() == summary.gemeenten
    assert summary.rows["signals.Signal"] == Signal.objects.count() >= 100
    # Every state of signals and cases is represented.
    assert set(Signal.objects.values_list("status", flat=True)) == set(signal_states.SIGNAL_MACHINE.states)
    assert set(Case.objects.values_list("status", flat=True)) == set(case_states.CASE_MACHINE.states)
    # References unique and shaped as core.references; the year is the year of registration.
    for model, prefix in ((Signal, "SIG"), (Case, "PGA"), (Weighing, "WEG")):
        refs = list(model.objects.values_list("reference", flat=True))
        assert len(refs) == len(set(refs))
        assert all(r.startswith(f"{prefix}-") and len(r) == 15 for r in refs)
    assert all(ref[4:8] == str(at.year) for ref, at in Signal.objects.values_list("reference", "registered_at"))
    # States consistent with their history: the last transition's target is the state.
    for signal in Signal.objects.prefetch_related("transitions"):
        transitions = list(signal.transitions.all())
        assert transitions[-1].target == signal.status, signal.reference
        assert all(a.target == b.source for a, b in zip(transitions, transitions[1:], strict=False))
        for t in transitions[1:]:
            assert t.target in signal_states.SIGNAL_MACHINE.transitions[t.source]
    for case in Case.objects.prefetch_related("transitions"):
        transitions = list(case.transitions.all())
        assert transitions[0].source == "" and transitions[-1].target == case.status
        for t in transitions[1:]:
            assert t.target in case_states.CASE_MACHINE.transitions[t.source]
        assert (case.status == case_states.CLOSED) == bool(case.closure_reason)
    # Region and references: a case's region is its subject's and its weighing's; opened by an
    # in-effect inclusion decision; the core parties take part.
    assert not Case.objects.exclude(region=F("subject__region")).exists()
    assert not Case.objects.exclude(region=F("origin_decision__weighing__region")).exists()
    assert not Case.objects.exclude(origin_decision__status=DecisionStatus.IN_EFFECT).exists()
    assert not Case.objects.exclude(origin_decision__outcome="opnemen").exists()
    assert not Signal.objects.exclude(region=F("subject__region")).exists()
    assert (
        not Decision.objects.filter(status=DecisionStatus.IN_EFFECT)
        .annotate(n=Count("confirmations"))
        .exclude(n=3)
        .exists()
    )
    assert not Case.objects.annotate(n=Count("participants")).filter(n__lt=3).exists()
    assert CaseParticipant.objects.filter(capacity="third_party", admission__status="admitted").exists()
    assert Plan.objects.exists() and Review.objects.exists()
    # At most one open weighing per person (the constraint), no case before its decision.
    assert not Case.objects.filter(opened_at__lt=F("origin_decision__effective_at")).exists()
    # The BSN is encrypted and indexed through the model field.
    subject = Subject.objects.exclude(bsn_encrypted="").first()
    assert identity.is_valid_bsn(subject.bsn) and subject.bsn_index == identity.bsn_index(subject.bsn)
    # Ten years of history.
    span = Signal.objects.aggregate(first=Min("registered_at"), last=Max("registered_at"))
    assert (span["last"] - span["first"]).days > 365 * 8


def _log_indexes_and_keys() -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename IN (%s, %s) UNION ALL "
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid::regclass::text IN (%s, %s)",
            [ProcessingLogEntry._meta.db_table, AuditRecord._meta.db_table] * 2,
        )
        return sorted(row[0] for row in cursor.fetchall())


def test_log_rows_link_to_existing_objects_after_their_creation():
    indexes = _log_indexes_and_keys()
    summary = _generate()
    # Loaded without secondary indexes and foreign keys, which are built again afterwards.
    assert _log_indexes_and_keys() == indexes
    # ... on every monthly partition too (ADR 0049): an index rebuilt on the parent alone ("ON ONLY")
    # is invalid and leaves each partition unindexed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_index WHERE NOT indisvalid")
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid WHERE h.inhparent = %s::regclass "
            "AND (SELECT count(*) FROM pg_index WHERE indrelid = p.oid) <> "
            "(SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass)",
            [ProcessingLogEntry._meta.db_table] * 2,
        )
        assert cursor.fetchone()[0] == 0, "a partition of the log lacks an index of the log"
    entries = ProcessingLogEntry.objects.all()
    assert summary.log_entries == entries.count() >= 2000 * 0.9
    assert set(entries.values_list("action", flat=True)) >= {"create", "transition", "read", "list", "search"}
    assert not entries.filter(activity__isnull=True).exists()
    assert not entries.filter(status="ok", data_subject_id__isnull=True).exists()
    assert AuditRecord.objects.count() == entries.values("audit_record").distinct().count()
    cases = dict(Case.objects.values_list("pk", "opened_at"))
    signals = dict(Signal.objects.values_list("pk", "registered_at"))
    subjects = set(Subject.objects.values_list("pk", flat=True))
    for object_type, object_id, subject_id, timestamp in entries.filter(object_type__in=("case", "signal")).values_list(
        "object_type", "object_id", "data_subject_id", "timestamp"
    ):
        created = (cases if object_type == "case" else signals).get(object_id)
        assert created is not None and timestamp >= created
        assert subject_id is None or subject_id in subjects
    # The audit record names the actor of its entries.
    assert not entries.exclude(audit_record__timestamp=F("timestamp")).exists()
    # The art. 9 retention dates follow from the history as the retention app computes them.
    closed = Case.objects.filter(status=case_states.CLOSED).select_related("subject").first()
    assessment = assess_subjects([closed.subject], TODAY)[closed.subject_id]
    assert assessment.destruction_date is not None
    assert assessment.destruction_date > CaseTransition.objects.filter(case=closed).latest("at").at.date()


def test_the_sequencer_seals_every_bulk_row():
    """Chain version 3 (ADR 0048): the rows are written unsealed and the sequencer seals each."""
    _generate()
    count = ProcessingLogEntry.objects.count()
    assert LogLeaf.objects.count() == count
    assert TreeHead.objects.order_by("-id").first().tree_size == count


def test_same_seed_same_data_and_a_second_run_is_refused(capsys):
    _generate(seed=11)
    first = _fingerprint()
    with pytest.raises(NationalDataExistsError):
        _generate(seed=11)
    assert _fingerprint() == first
    # Through the command: a clear message, exit status 1, nothing added.
    assert main(["demo", "--scale", "national", "--fraction", str(FRACTION)]) == 1
    assert "al landelijke demogegevens" in capsys.readouterr().err
    assert _fingerprint() == first


def _in_memory(seed: int) -> dict:
    from casustafel.demo_national import accounts, history
    from casustafel.demo_national.plan import Plan as DataPlan

    plan = DataPlan(seed=seed, fraction=FRACTION, today=TODAY)
    regions = accounts.build(plan)
    rows = history.build(plan, regions, lambda steps: None)
    return {
        "users": [u.username for d in regions for u in d.users],
        "signals": [(s.reference, s.status, s.registered_at) for s in rows.by_model[Signal]],
        "cases": [(c.reference, c.status) for c in rows.by_model[Case]],
        "ids": [s.pk for s in rows.by_model[Subject]],
        "events": len(rows.events),
    }


def test_same_seed_same_references_and_counts_another_seed_other_data():
    first = _in_memory(5)
    assert _in_memory(5) == first
    other = _in_memory(6)
    assert other["signals"] != first["signals"] and other["ids"] != first["ids"]
