"""The processing log's append path writes an audit record and its rows in ONE statement
(ADR 0055): one round trip per ``record`` call, the rows and their record together or not at
all, in the caller's transaction (Wet PGA art. 14: every read and write of personal data is
logged in the transaction of the processing itself)."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from casustafel.processing_log import chain
from casustafel.processing_log.models import Action, AuditRecord, ProcessingLogEntry, Purpose, Status
from casustafel.processing_log.services import _append_rows, activity_id, record

from .conftest import make_case

pytestmark = pytest.mark.django_db


def test_a_record_call_is_one_statement_with_its_audit_record_and_every_row(region_a):
    cases = [make_case(region_a, family_name=f"Een{i}") for i in range(3)]
    actor = region_a.users["case_director"]
    activity_id(str(Purpose.CASE_MANAGEMENT))  # the process-wide cache of the activity, as in a warm worker
    before = ProcessingLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with CaptureQueriesContext(connection) as ctx:
        written = record(actor, action=Action.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=cases)
    assert written == 3
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
    rows = list(ProcessingLogEntry.objects.filter(id__gt=before).select_related("audit_record").order_by("id"))
    assert [(r.object_type, r.object_id, r.data_subject_id) for r in rows] == [
        ("case", case.pk, case.subject_id) for case in cases
    ]
    audit = rows[0].audit_record
    assert {r.audit_record_id for r in rows} == {audit.pk}
    assert (audit.user_id, audit.organisation_id, audit.role, audit.via_api) == (
        actor.pk,
        actor.organisation_id,
        str(actor.role),
        False,
    )
    assert audit.record_hash == chain.hash_audit_record(audit)
    for row in rows:
        assert (row.action, row.purpose, row.status) == (Action.LIST, Purpose.CASE_MANAGEMENT, Status.OK)
        assert row.activity_id == activity_id(str(Purpose.CASE_MANAGEMENT))
        assert (row.timestamp, row.trace_id, row.span_id) == (audit.timestamp, audit.trace_id, audit.span_id)
        assert (row.prev_hash, row.row_hash) == ("", "")  # sealed later by the sequencer (ADR 0048)


def test_a_row_that_cannot_be_written_leaves_no_audit_record_and_no_other_row(region_a):
    actor = region_a.users["case_director"]
    records, rows = AuditRecord.objects.count(), ProcessingLogEntry.objects.count()
    targets = [
        (Purpose.CASE_MANAGEMENT, "case", uuid.uuid4(), None),
        (Purpose.CASE_MANAGEMENT, "x" * 41, uuid.uuid4(), None),  # longer than object_type allows
    ]
    with pytest.raises(DatabaseError), transaction.atomic():
        _append_rows(actor, Action.READ, targets, via_api=False, status=Status.OK)
    assert (AuditRecord.objects.count(), ProcessingLogEntry.objects.count()) == (records, rows)


def test_log_rows_are_written_in_the_callers_transaction_and_roll_back_with_it(region_a, case_a):
    actor = region_a.users["case_director"]
    rows = ProcessingLogEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[case_a])
        assert ProcessingLogEntry.objects.count() == rows + 1
        raise RuntimeError("the write it records fails later")
    assert ProcessingLogEntry.objects.count() == rows
