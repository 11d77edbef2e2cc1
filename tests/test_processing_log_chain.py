"""The processing log as a tamper-evident chain: register, span/status, hash chain,
append-only triggers, ``casustafel log head/verify`` and the three tamper cases."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from casustafel.cli import main
from casustafel.processing_log import chain
from casustafel.processing_log.models import (
    Action,
    AuditRecord,
    ProcessingActivity,
    ProcessingLogEntry,
    Purpose,
    Status,
)
from casustafel.processing_log.services import CHAIN_LOCK, record
from casustafel.processing_log.verify import head, verify
from casustafel.signals.models import Signal

from .conftest import make_case
from .helpers import login

pytestmark = pytest.mark.django_db

TABLE = ProcessingLogEntry._meta.db_table
AUDIT_TABLE = AuditRecord._meta.db_table
HEX16 = re.compile(r"^[0-9a-f]{16}$")


@contextmanager
def triggers_disabled(table=TABLE):
    """Simulate an attacker with table rights: switch the append-only triggers off (superuser)."""
    with connection.cursor() as cursor:
        # ALTER TABLE needs the test transaction's deferred foreign-key checks done first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def truncate(tables):
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE needs the test transaction's deferred FK checks done
    sql(f"TRUNCATE {tables}")


@pytest.fixture
def logged(region_a, case_a):
    """A region's full flow in the log (dozens of chained rows)."""
    rows = list(ProcessingLogEntry.objects.order_by("id"))
    assert len(rows) > 10
    return rows


# ------------------------------------------------------------------ register and shape


def test_register_is_seeded_from_data_and_covers_every_purpose():
    codes = set(ProcessingActivity.objects.values_list("code", flat=True))
    assert codes == {p.value for p in Purpose}
    for activity in ProcessingActivity.objects.all():
        assert activity.version >= 1 and activity.name and activity.purpose and activity.legal_basis


def test_rows_carry_span_status_activity_and_python_timestamp(region_a, signal_a):
    intake = region_a.users["intake"]
    before = ProcessingLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a, signal_a.subject])
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])
    first, second, third = ProcessingLogEntry.objects.filter(id__gt=before).select_related("activity").order_by("id")
    assert HEX16.match(first.span_id) and first.span_id == second.span_id != third.span_id
    assert first.timestamp == second.timestamp and first.timestamp is not None
    assert {r.status for r in (first, second, third)} == {Status.OK}
    assert first.activity.code == "intake" and first.purpose == Purpose.INTAKE
    # one row per data subject per action, pseudonymous
    assert first.data_subject_id == second.data_subject_id == signal_a.subject_id


# ------------------------------------------------------------------ chain


def test_rows_form_a_hash_chain_from_genesis(logged):
    assert logged[0].prev_hash == chain.GENESIS
    for previous, row in zip(logged, logged[1:], strict=False):
        assert row.prev_hash == previous.row_hash
    for row in logged:
        audit = row.audit_record
        assert audit.record_hash == chain.hash_audit_record(audit)
        assert row.row_hash == chain.hash_entry(row.prev_hash, row, audit.record_hash)
        assert re.fullmatch(r"[0-9a-f]{64}", row.row_hash)
    assert len({row.row_hash for row in logged}) == len(logged)
    report = verify()
    assert report.intact and report.checked == len(logged)


def test_canonical_form_is_fixed():
    """Changing the serialisation would silently invalidate every stored hash."""
    from datetime import UTC, datetime

    when = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    audit = dict(
        timestamp=when,
        trace_id="t" * 32,
        span_id="s" * 16,
        user_id=7,
        organisation_id="00000000-0000-0000-0000-00000000000a",
        role="intake_officer",
        via_api=True,
    )
    assert chain.canonical_audit(audit) == (
        '["2026-01-02T03:04:05.000006Z","' + "t" * 32 + '","' + "s" * 16 + '",7,'
        '"00000000-0000-0000-0000-00000000000a","intake_officer",true]'
    )
    values = dict(
        timestamp=when,
        trace_id="t" * 32,
        span_id="s" * 16,
        audit_record_id=9,
        audit_hash="a" * 64,
        action="read",
        purpose="intake",
        activity_id=1,
        status="ok",
        object_type="signal",
        object_id="00000000-0000-0000-0000-000000000001",
        data_subject_id=None,
    )
    assert chain.canonical(values) == (
        '["2026-01-02T03:04:05.000006Z","' + "t" * 32 + '","' + "s" * 16 + '",9,"' + "a" * 64 + '","read",'
        '"intake",1,"ok","signal","00000000-0000-0000-0000-000000000001",null]'
    )
    assert chain.VERSION == 2
    # Version 1 (ADR 0008) stays as it was: migrations 0003 and 0006 verify and convert with it.
    v1 = dict(
        timestamp=when,
        trace_id="t" * 32,
        span_id="s" * 16,
        user_id=7,
        organisation_id=None,
        action="read",
        purpose="intake",
        activity_id=1,
        status="ok",
        object_type="signal",
        object_id="00000000-0000-0000-0000-000000000001",
        data_subject_id=None,
        via_api=False,
    )
    assert chain.canonical_v1(v1) == (
        '["2026-01-02T03:04:05.000006Z","' + "t" * 32 + '","' + "s" * 16 + '",7,null,"read","intake",1,"ok",'
        '"signal","00000000-0000-0000-0000-000000000001",null,false]'
    )


def test_record_serialises_appends_with_an_advisory_lock(region_a, signal_a):
    with transaction.atomic():
        record(region_a.users["intake"], action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks "
                "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
            )
            held = {row[0] for row in cursor.fetchall()}
    assert CHAIN_LOCK in held


# ------------------------------------------------------------------ append-only


@pytest.mark.parametrize(
    "attempt",
    [
        lambda row: ProcessingLogEntry.objects.filter(pk=row.pk).update(action="list"),
        lambda row: ProcessingLogEntry.objects.filter(pk=row.pk).delete(),
        lambda row: row.save(),
        lambda row: sql(f"UPDATE {TABLE} SET action = 'list' WHERE id = %s", [row.pk]),
        lambda row: sql(f"DELETE FROM {TABLE} WHERE id = %s", [row.pk]),
        lambda row: truncate(TABLE),
    ],
    ids=["orm-update", "orm-delete", "orm-save", "sql-update", "sql-delete", "sql-truncate"],
)
def test_the_database_refuses_changes_to_the_log(logged, attempt):
    row = logged[3]
    with pytest.raises(DatabaseError, match="alleen aan te vullen"), transaction.atomic():
        attempt(row)
    assert ProcessingLogEntry.objects.count() == len(logged)
    assert ProcessingLogEntry.objects.get(pk=row.pk).row_hash == row.row_hash
    assert verify().intact


def test_only_a_reset_of_the_whole_database_may_empty_the_log(logged):
    """The test runner's flush empties every table at once (users included): that passes."""
    with transaction.atomic():
        truncate(f"{TABLE}, accounts_user CASCADE")
        assert not ProcessingLogEntry.objects.exists()
        transaction.set_rollback(True)
    assert ProcessingLogEntry.objects.count() == len(logged)


# ------------------------------------------------------------------ tampering


def test_modified_row_is_detected(logged, capsys):
    target = logged[len(logged) // 2]
    with triggers_disabled():
        sql(f"UPDATE {TABLE} SET object_type = 'subject' WHERE id = %s", [target.pk])
    report = verify()
    assert not report.intact and report.broken_id == target.pk
    assert main(["log", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"regel {target.pk} of zijn verantwoordingsregel is gewijzigd" in err and "NIET intact" in err


def test_modified_row_with_recomputed_hash_is_detected_at_the_next_row(logged):
    target, following = logged[4], logged[5]
    with triggers_disabled():
        ProcessingLogEntry.objects.filter(pk=target.pk).update(action=Action.LIST)
        forged = ProcessingLogEntry.objects.select_related("audit_record").get(pk=target.pk)
        ProcessingLogEntry.objects.filter(pk=target.pk).update(
            row_hash=chain.hash_entry(forged.prev_hash, forged, forged.audit_record.record_hash)
        )
    report = verify()
    assert not report.intact and report.broken_id == following.pk


def test_row_deleted_in_the_middle_is_detected(logged, capsys):
    victim, following = logged[6], logged[7]
    with triggers_disabled():
        sql(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
    report = verify()
    assert not report.intact and report.broken_id == following.pk
    assert main(["log", "verify"]) == 1
    assert f"vóór regel {following.pk} ontbreken" in capsys.readouterr().err


def test_first_row_deleted_is_detected(logged):
    with triggers_disabled():
        sql(f"DELETE FROM {TABLE} WHERE id = %s", [logged[0].pk])
    assert verify().broken_id == logged[1].pk


def test_truncated_tail_is_detected_against_the_exported_head(logged, capsys):
    assert main(["log", "head"]) == 0
    exported_id, exported_hash = capsys.readouterr().out.split()
    assert (int(exported_id), exported_hash) == (logged[-1].pk, logged[-1].row_hash) == head()

    # The log grows after the export: still intact against the old head.
    record(logged[-1].user, action=Action.READ, purpose=Purpose.INTAKE, objects=[Signal.objects.first()])
    assert main(["log", "verify", "--head", exported_hash]) == 0
    assert "Logboek intact" in capsys.readouterr().out

    with triggers_disabled():
        sql(f"DELETE FROM {TABLE} WHERE id >= %s", [logged[-3].pk])
    assert verify().intact  # the rest of the chain is consistent: only the head shows the loss
    report = verify(head_hash=exported_hash)
    assert not report.intact and report.broken_id == logged[-4].pk
    assert main(["log", "verify", "--head", exported_hash]) == 1
    assert "kop-hash komt niet (meer) voor" in capsys.readouterr().err


def test_verify_on_an_intact_log_exits_zero(logged, capsys):
    assert main(["log", "verify", "--head", logged[-1].row_hash]) == 0
    out = capsys.readouterr().out
    assert f"{len(logged)} regels gecontroleerd" in out and logged[-1].row_hash in out


def test_empty_log_verifies_and_has_no_head(db, capsys):
    assert not ProcessingLogEntry.objects.exists()
    assert main(["log", "head"]) == 0 and "leeg" in capsys.readouterr().out
    assert main(["log", "verify"]) == 0


# ------------------------------------------------------------------ refused reads


def _after(before_id):
    return list(ProcessingLogEntry.objects.filter(id__gt=before_id).order_by("id"))


def test_refused_web_reads_of_weighing_and_case_are_logged(client, world, region_a):
    case = make_case(region_a)
    weighing_id = Signal.objects.get(subject=case.subject).weighing_id
    outsider = world["b"].users["weigher_politie"]
    login(client, outsider)
    for route, pk, object_type in (
        ("weighing:weighing_detail", weighing_id, "weighing"),
        ("cases:case_detail", case.pk, "case"),
    ):
        before = head()[0]
        assert client.get(reverse(route, args=[pk])).status_code == 404
        (row,) = _after(before)
        assert (row.status, row.object_type, row.object_id, row.data_subject_id, row.audit_record.user_id) == (
            Status.REFUSED,
            object_type,
            pk,
            None,
            outsider.pk,
        )
    assert verify().intact


def test_refused_api_read_of_a_case_is_logged(client, world, case_a):
    from casustafel.accounts.services import create_api_token

    outsider = world["b"].users["case_director"]
    token = create_api_token(outsider)
    before = head()[0]
    response = client.get(f"/api/v1/cases/{case_a.pk}", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 404
    (row,) = _after(before)
    assert (row.status, row.object_type, row.object_id, row.audit_record.via_api) == (
        Status.REFUSED,
        "case",
        case_a.pk,
        True,
    )


def test_unknown_id_is_not_found_and_not_logged(client, region_a, signal_a):
    import uuid

    login(client, region_a.users["intake"])
    before = head()[0]
    assert client.get(reverse("signals:signal_detail", args=[uuid.uuid4()])).status_code == 404
    assert _after(before) == []


# ------------------------------------------------------------------ linked audit record (ADR 0015)


def test_log_rows_hold_no_actor_columns_and_both_tables_are_append_only():
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, TABLE)}
        audit_columns = {c.name for c in connection.introspection.get_table_description(cursor, AUDIT_TABLE)}
    assert "audit_record_id" in columns and not columns & {"user_id", "organisation_id", "via_api", "role"}
    assert {
        "user_id",
        "organisation_id",
        "role",
        "via_api",
        "trace_id",
        "span_id",
        "timestamp",
        "record_hash",
    } <= audit_columns
    assert ProcessingLogEntry.append_only is True and AuditRecord.append_only is True


def test_one_audit_record_per_record_call_with_actor_organisation_and_role(region_a, signal_a):
    intake, weigher = region_a.users["intake"], region_a.users["weigher_gemeente"]
    before_row, before_audit = head()[0], AuditRecord.objects.order_by("-id").values_list("id", flat=True)[0]
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a, signal_a.subject])
    record(weigher, action=Action.READ, purpose=Purpose.WEIGHING, objects=[signal_a], via_api=True)
    record(
        intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[]
    )  # nothing processed: no rows, no audit record
    audits = list(AuditRecord.objects.filter(id__gt=before_audit).order_by("id"))
    assert [(a.user_id, a.organisation_id, a.role, a.via_api) for a in audits] == [
        (intake.pk, intake.organisation_id, intake.role, False),
        (weigher.pk, weigher.organisation_id, weigher.role, True),
    ]
    rows = _after(before_row)
    assert [r.audit_record_id for r in rows] == [audits[0].pk, audits[0].pk, audits[1].pk]
    for row in rows:
        audit = row.audit_record
        assert (row.timestamp, row.trace_id, row.span_id) == (audit.timestamp, audit.trace_id, audit.span_id)
        assert audit.record_hash == chain.hash_audit_record(audit)
    assert audits[0].span_id != audits[1].span_id
    assert verify().intact


def test_role_is_the_one_held_when_acting(region_a, signal_a):
    from casustafel.accounts.models import Role

    intake = region_a.users["intake"]
    before = head()[0]
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])
    old_role = intake.role
    intake.role = Role.ANALYST
    intake.save(update_fields=["role"])
    (row,) = _after(before)
    assert row.audit_record.role == old_role != intake.role
    assert verify().intact


@pytest.mark.parametrize(
    "attempt",
    [
        lambda audit: AuditRecord.objects.filter(pk=audit.pk).update(via_api=True),
        lambda audit: AuditRecord.objects.filter(pk=audit.pk).delete(),
        lambda audit: audit.save(),
        lambda audit: sql(f"UPDATE {AUDIT_TABLE} SET role = 'mayor' WHERE id = %s", [audit.pk]),
        lambda audit: sql(f"DELETE FROM {AUDIT_TABLE} WHERE id = %s", [audit.pk]),
        lambda audit: truncate(f"{AUDIT_TABLE} CASCADE"),
    ],
    ids=["orm-update", "orm-delete", "orm-save", "sql-update", "sql-delete", "sql-truncate"],
)
def test_the_database_refuses_changes_to_audit_records(logged, attempt):
    """The triggers refuse; an ORM delete is stopped even earlier by the log rows' PROTECT link."""
    from django.db.models import ProtectedError

    audit = logged[3].audit_record
    with pytest.raises((DatabaseError, ProtectedError), match=r"alleen aan te vullen|protected foreign keys"):
        with transaction.atomic():
            attempt(audit)
    assert AuditRecord.objects.get(pk=audit.pk).record_hash == audit.record_hash
    assert ProcessingLogEntry.objects.count() == len(logged)
    assert verify().intact


def _first_row_of(audit_id, logged):
    return next(row for row in logged if row.audit_record_id == audit_id)


def test_audit_record_with_a_changed_user_is_detected(world, logged, capsys):
    target = logged[len(logged) // 2]
    other = world["b"].users["intake"]
    assert other.pk != target.audit_record.user_id
    with triggers_disabled(AUDIT_TABLE):
        sql(f"UPDATE {AUDIT_TABLE} SET user_id = %s WHERE id = %s", [other.pk, target.audit_record_id])
    first = _first_row_of(target.audit_record_id, logged)
    report = verify()
    assert not report.intact and report.broken_id == first.pk
    assert main(["log", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"verantwoordingsregel {target.audit_record_id} bij regel {first.pk} is gewijzigd" in err


def test_audit_record_changed_with_a_recomputed_hash_is_detected(logged):
    target = logged[4]
    with triggers_disabled(AUDIT_TABLE):
        AuditRecord.objects.filter(pk=target.audit_record_id).update(organisation=None)
        forged = AuditRecord.objects.get(pk=target.audit_record_id)
        AuditRecord.objects.filter(pk=forged.pk).update(record_hash=chain.hash_audit_record(forged))
    report = verify()
    assert not report.intact and report.broken_id == _first_row_of(target.audit_record_id, logged).pk
    assert "of zijn verantwoordingsregel is gewijzigd" in report.message


def test_row_relinked_to_another_audit_record_is_detected(logged):
    target = next(row for row in logged[1:] if row.audit_record_id != logged[0].audit_record_id)
    with triggers_disabled():
        ProcessingLogEntry.objects.filter(pk=target.pk).update(audit_record_id=logged[0].audit_record_id)
    report = verify()
    assert not report.intact and report.broken_id == target.pk
