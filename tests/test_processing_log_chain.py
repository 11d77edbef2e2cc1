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
from casustafel.processing_log.models import Action, ProcessingActivity, ProcessingLogEntry, Purpose, Status
from casustafel.processing_log.services import CHAIN_LOCK, record
from casustafel.processing_log.verify import head, verify
from casustafel.signals.models import Signal

from .conftest import make_case
from .helpers import login

pytestmark = pytest.mark.django_db

TABLE = ProcessingLogEntry._meta.db_table
HEX16 = re.compile(r"^[0-9a-f]{16}$")


@contextmanager
def triggers_disabled():
    """Simulate an attacker with table rights: switch the append-only triggers off (superuser)."""
    with connection.cursor() as cursor:
        # ALTER TABLE needs the test transaction's deferred foreign-key checks done first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
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
    record(intake, Action.READ, Purpose.INTAKE, [signal_a, signal_a.subject])
    record(intake, Action.READ, Purpose.INTAKE, [signal_a])
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
        values = {name: getattr(row, name) for name in chain.FIELDS}
        assert row.row_hash == chain.row_hash(row.prev_hash, values)
        assert re.fullmatch(r"[0-9a-f]{64}", row.row_hash)
    assert len({row.row_hash for row in logged}) == len(logged)
    report = verify()
    assert report.intact and report.checked == len(logged)


def test_canonical_form_is_fixed():
    """Changing the serialisation would silently invalidate every stored hash."""
    from datetime import UTC, datetime

    values = dict(timestamp=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), trace_id="t" * 32, span_id="s" * 16,
                  user_id=7, organisation_id=None, action="read", purpose="intake", activity_id=1, status="ok",
                  object_type="signal", object_id="00000000-0000-0000-0000-000000000001", data_subject_id=None,
                  via_api=False)
    assert chain.canonical(values) == (
        '["2026-01-02T03:04:05.000006Z","' + "t" * 32 + '","' + "s" * 16 + '",7,null,"read","intake",1,"ok",'
        '"signal","00000000-0000-0000-0000-000000000001",null,false]')


def test_record_serialises_appends_with_an_advisory_lock(region_a, signal_a):
    with transaction.atomic():
        record(region_a.users["intake"], Action.READ, Purpose.INTAKE, [signal_a])
        with connection.cursor() as cursor:
            cursor.execute("SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks "
                           "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted")
            held = {row[0] for row in cursor.fetchall()}
    assert CHAIN_LOCK in held


# ------------------------------------------------------------------ append-only

@pytest.mark.parametrize("attempt", [
    lambda row: ProcessingLogEntry.objects.filter(pk=row.pk).update(action="list"),
    lambda row: ProcessingLogEntry.objects.filter(pk=row.pk).delete(),
    lambda row: row.save(),
    lambda row: sql(f"UPDATE {TABLE} SET via_api = true WHERE id = %s", [row.pk]),
    lambda row: sql(f"DELETE FROM {TABLE} WHERE id = %s", [row.pk]),
    lambda row: truncate(TABLE),
], ids=["orm-update", "orm-delete", "orm-save", "sql-update", "sql-delete", "sql-truncate"])
def test_the_database_refuses_changes_to_the_log(logged, attempt):
    row = logged[3]
    with pytest.raises(DatabaseError, match="alleen aan te vullen"):
        with transaction.atomic():
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
    assert f"regel {target.pk} is gewijzigd" in err and "NIET intact" in err


def test_modified_row_with_recomputed_hash_is_detected_at_the_next_row(logged):
    target, following = logged[4], logged[5]
    with triggers_disabled():
        ProcessingLogEntry.objects.filter(pk=target.pk).update(via_api=True)
        forged = ProcessingLogEntry.objects.get(pk=target.pk)
        ProcessingLogEntry.objects.filter(pk=target.pk).update(row_hash=chain.hash_entry(forged.prev_hash, forged))
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
    record(logged[-1].user, Action.READ, Purpose.INTAKE, [Signal.objects.first()])
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
    for route, pk, object_type in (("web:weighing_detail", weighing_id, "weighing"),
                                   ("web:case_detail", case.pk, "case")):
        before = head()[0]
        assert client.get(reverse(route, args=[pk])).status_code == 404
        (row,) = _after(before)
        assert (row.status, row.object_type, row.object_id, row.data_subject_id, row.user_id) == (
            Status.REFUSED, object_type, pk, None, outsider.pk)
    assert verify().intact


def test_refused_api_read_of_a_case_is_logged(client, world, case_a):
    from casustafel.accounts.services import create_api_token

    outsider = world["b"].users["case_director"]
    token = create_api_token(outsider)
    before = head()[0]
    response = client.get(f"/api/v1/cases/{case_a.pk}", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 404
    (row,) = _after(before)
    assert (row.status, row.object_type, row.object_id, row.via_api) == (Status.REFUSED, "case", case_a.pk, True)


def test_unknown_id_is_not_found_and_not_logged(client, region_a, signal_a):
    import uuid

    login(client, region_a.users["intake"])
    before = head()[0]
    assert client.get(reverse("web:signal_detail", args=[uuid.uuid4()])).status_code == 404
    assert _after(before) == []
