"""The processing log partitioned by month and its own retention profile (ADR 0049).

Wet PGA art. 14 lid 2: processing is logged and the log is used only for its four
purposes; the log stays append-only after the conversion (UPDATE, DELETE, TRUNCATE refused
on the partitioned table and on every partition), and its retention is versioned data.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from casustafel.cli import main
from casustafel.processing_log import partitions
from casustafel.processing_log.models import ProcessingLogEntry

from .conftest import make_case

TABLE = ProcessingLogEntry._meta.db_table
UTC = dt.UTC


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def month_partition(moment: dt.datetime) -> str:
    return f"{TABLE}_y{moment.astimezone(UTC):%Y}m{moment.astimezone(UTC):%m}"


def partition_names() -> set[str]:
    return {p.name for p in partitions.partitions()}


def rows_by_partition() -> list[tuple[str, dt.datetime]]:
    return sql(f'SELECT tableoid::regclass::text, "timestamp" FROM {TABLE} ORDER BY id')


@pytest.fixture
def logged(region_a, case_a):
    rows = rows_by_partition()
    assert len(rows) > 10
    return rows


# ------------------------------------------------------------------ shape


@pytest.mark.django_db
def test_the_log_is_partitioned_by_range_of_its_timestamp_with_a_default_partition():
    (strategy, key), *_ = sql(
        "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
        "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
        "WHERE p.partrelid = %s::regclass",
        [TABLE],
    )
    assert (strategy, key) == ("r", "timestamp")
    names = partition_names()
    assert partitions.DEFAULT_PARTITION in names
    now = dt.datetime.now(UTC)
    assert month_partition(now) in names  # the migration prepared this month and the next three
    (pkey,) = sql(
        "SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
        "WHERE c.conrelid = %s::regclass AND c.contype = 'p'",
        [TABLE],
    )
    assert pkey == (["id", "timestamp"],)  # Django keeps id as its pk; ids come from one sequence
    assert ProcessingLogEntry._meta.pk.name == "id"


@pytest.mark.django_db
def test_nothing_in_the_database_points_at_the_log_with_a_foreign_key():
    assert sql("SELECT conname FROM pg_constraint WHERE confrelid = %s::regclass", [TABLE]) == []


@pytest.mark.django_db
def test_rows_land_in_the_partition_of_their_utc_month(logged):
    for partition, timestamp in logged:
        assert partition == month_partition(timestamp)
    ids = [row.pk for row in ProcessingLogEntry.objects.order_by("id")]
    assert ids == sorted(set(ids))  # one sequence: ids keep rising across partitions


@pytest.mark.django_db
def test_a_travelled_clock_lands_in_the_default_partition_and_stays_readable(region_a):
    far = dt.datetime(2061, 3, 14, 10, tzinfo=UTC)
    with time_machine.travel(far, tick=False):
        make_case(region_a)
    travelled = [row for row in rows_by_partition() if row[1] == far]
    assert travelled and {partition for partition, _ in travelled} == {partitions.DEFAULT_PARTITION}
    assert ProcessingLogEntry.objects.filter(timestamp=far).count() == len(travelled)
    assert partitions.default_months() == [dt.date(2061, 3, 1)]


@pytest.mark.django_db
def test_a_query_over_a_period_reads_only_the_partitions_of_that_period():
    """Partition pruning: a month of the log costs a month's work, however long the log gets."""
    partitions.ensure_months(dt.date(2025, 7, 1), dt.date(2025, 12, 1))
    start, end = dt.datetime(2025, 9, 1, tzinfo=UTC), dt.datetime(2025, 10, 1, tzinfo=UTC)
    query = ProcessingLogEntry.objects.filter(timestamp__gte=start, timestamp__lt=end)
    plan = query.explain()
    assert f"{TABLE}_y2025m09" in plan
    assert not {f"{TABLE}_y2025m08", f"{TABLE}_y2025m10", partitions.DEFAULT_PARTITION} & set(plan.split())


# ------------------------------------------------------------------ ensure_partitions


@pytest.mark.django_db
def test_ensure_partitions_is_idempotent():
    first = partitions.ensure_partitions(months_ahead=6)
    assert len(first) == 7 and {outcome for _, outcome in first} <= {"created", "present"}
    names = partition_names()
    again = partitions.ensure_partitions(months_ahead=6)
    assert [outcome for _, outcome in again] == ["present"] * 7
    assert [name for name, _ in again] == [name for name, _ in first]
    assert partition_names() == names


@pytest.mark.django_db
def test_ensure_partitions_moves_nothing_out_of_the_default_partition(region_a, capsys):
    """A month whose rows already sit in DEFAULT is reported as blocked; its rows stay where they are."""
    now = dt.datetime.now(UTC)
    ahead = (now.replace(day=1) + dt.timedelta(days=100)).replace(day=15, hour=12)  # three months on
    name = month_partition(ahead)
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql(f'DROP TABLE "{name}"')  # as if the worker had not run for months (rolled back after the test)
    with time_machine.travel(ahead, tick=False):
        make_case(region_a)
    before = [row for row in rows_by_partition() if row[1] == ahead]
    assert before and {p for p, _ in before} == {partitions.DEFAULT_PARTITION}
    outcome = dict(partitions.ensure_partitions(months_ahead=3))
    assert outcome[name] == "blocked"
    assert name not in partition_names()
    assert [row for row in rows_by_partition() if row[1] == ahead] == before
    assert main(["log", "partitions", "--ensure"]) == 1  # loud, for cron and the operator
    out = capsys.readouterr().out
    assert f"{name}: NIET aangemaakt" in out and f"DEFAULT bevat rijen uit 1 maand(en): {ahead:%Y-%m}" in out


@pytest.mark.django_db
def test_ensure_partitions_never_waits_long_for_a_locked_log():
    """A long transaction on the log: creating a partition gives up instead of queueing every append."""
    url = settings.CASUSTAFEL_APP_DATABASE_URL
    with psycopg.connect(url, dbname=connection.settings_dict["NAME"]) as other:
        other.execute(f"LOCK TABLE {TABLE} IN ACCESS SHARE MODE")  # a long report reading the log
        assert partitions.ensure_partitions(months_ahead=9, lock_timeout="200ms") == []
        other.rollback()
    assert {status for _, status in partitions.ensure_partitions(months_ahead=9)} <= {"created", "present"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db
def test_ensure_partitions_refuses_a_far_horizon():
    with pytest.raises(ValueError):
        partitions.ensure_partitions(months_ahead=25)


@pytest.mark.django_db
def test_the_worker_ensures_partitions_once_a_day(monkeypatch):
    calls, results = [], [[], [("p", "present")]]  # first round: the log was locked
    monkeypatch.setattr(partitions, "_last_ensured", None)
    monkeypatch.setattr(partitions, "ensure_partitions", lambda months: calls.append(months) or results.pop(0))
    assert partitions.ensure_partitions_daily() == []
    assert partitions.ensure_partitions_daily() == [("p", "present")]  # locked: tried again on the next round
    assert partitions.ensure_partitions_daily() is None
    results.append([("p", "present")])
    with time_machine.travel(dt.datetime.now(UTC) + dt.timedelta(days=1), tick=False):
        partitions.ensure_partitions_daily()
    assert calls == [3, 3, 3]


@pytest.mark.django_db
def test_the_worker_round_ensures_the_partitions(monkeypatch, capsys):
    from casustafel import cli

    calls = []
    monkeypatch.setattr(cli, "_setup", lambda **kwargs: None)
    monkeypatch.setattr(partitions, "ensure_partitions_daily", lambda: calls.append("ensured"))
    assert cli.main(["worker", "--once"]) == 0
    assert calls == ["ensured"]


@pytest.mark.django_db
def test_the_application_role_may_ensure_partitions_but_reaches_partitions_only_through_the_log():
    """The function is SECURITY DEFINER of the schema owner; the partitions grant the application nothing."""
    url = settings.CASUSTAFEL_APP_DATABASE_URL
    with psycopg.connect(url, dbname=connection.settings_dict["NAME"], autocommit=True) as conn:
        outcome = conn.execute("SELECT outcome FROM processing_log_ensure_partitions(1)").fetchall()
        assert {row[0] for row in outcome} <= {"present", "created"}
        name = month_partition(dt.datetime.now(UTC))
        for statement in (f'SELECT 1 FROM "{name}"', f'UPDATE "{name}" SET status = status', f'TRUNCATE "{name}"'):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT processing_log_create_month_partition('2070-01-01')")


# ------------------------------------------------------------------ append-only (art. 14)


def _truncate(target):
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql(f'TRUNCATE "{target}"')


@pytest.mark.parametrize(
    "attempt",
    [
        lambda table, pk: sql(f"UPDATE \"{table}\" SET action = 'list' WHERE id = %s", [pk]),
        lambda table, pk: sql(f'DELETE FROM "{table}" WHERE id = %s', [pk]),
        lambda table, pk: _truncate(table),
    ],
    ids=["update", "delete", "truncate"],
)
@pytest.mark.parametrize("through", ["parent", "partition"])
@pytest.mark.django_db
def test_art_14_the_partitioned_log_refuses_update_delete_and_truncate(logged, attempt, through):
    partition, _ = logged[3]
    row = ProcessingLogEntry.objects.order_by("id")[3]
    with pytest.raises(DatabaseError, match="alleen aan te vullen"), transaction.atomic():
        attempt(TABLE if through == "parent" else partition, row.pk)
    assert rows_by_partition() == logged


@pytest.mark.django_db
def test_art_14_a_new_partition_refuses_truncate_too(logged):
    created = [name for name, outcome in partitions.ensure_partitions(months_ahead=8) if outcome == "created"]
    assert created
    with pytest.raises(DatabaseError, match="alleen aan te vullen"), transaction.atomic():
        _truncate(created[-1])


@pytest.mark.django_db
def test_only_a_reset_of_the_whole_database_empties_the_partitioned_log(logged):
    with transaction.atomic():
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        sql(f"TRUNCATE {TABLE}, accounts_user CASCADE")
        assert not ProcessingLogEntry.objects.exists()
        transaction.set_rollback(True)
    assert rows_by_partition() == logged


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_test_runners_flush_empties_the_partitioned_log(world):
    """A transactional test: the flush afterwards truncates every partition (users included)."""
    make_case(world["a"])
    assert ProcessingLogEntry.objects.exists()


# ------------------------------------------------------------------ retention profile


def test_the_log_retention_profile_loads_and_names_its_article():
    profile = partitions.load_profile()
    assert profile.version == 1 and profile.article == "art. 14 lid 2 Wet PGA"
    assert profile.period_months == 60 and profile.to_be_confirmed
    assert {point["article"] for point in profile.pending_amvb} == {"art. 14 lid 2", "art. 19"}
    assert "art. 9" in profile.legal_hold
    # Counted from the end of the month: November 2026 is kept until the end of November 2031.
    assert profile.expires_on(dt.date(2026, 11, 1)) == dt.date(2031, 12, 1)
    assert profile.expires_on(dt.date(2026, 12, 1)) == dt.date(2032, 1, 1)


@pytest.mark.django_db
def test_partitions_list_their_expiry(logged):
    today = dt.datetime.now(UTC).date()
    listed = {p.name: p for p in partitions.partitions(exact=True)}
    current = listed[month_partition(dt.datetime.now(UTC))]
    assert current.rows == sum(1 for _, ts in logged if month_partition(ts) == current.name)
    assert not current.is_expired(today)
    assert current.is_expired(partitions.load_profile().expires_on(current.month))
    assert listed[partitions.DEFAULT_PARTITION].expires_on is None


@pytest.mark.django_db
def test_log_partitions_command_ensures_and_lists_with_the_profile(logged, capsys):
    assert main(["log", "partitions", "--ensure", "--exact"]) == 0
    out = capsys.readouterr().out
    assert month_partition(dt.datetime.now(UTC)) in out
    assert "art. 14 lid 2 Wet PGA" in out and "60 maanden" in out and "nog te bevestigen" in out
    assert "binnen de bewaartermijn" in out and partitions.DEFAULT_PARTITION in out


@pytest.mark.django_db
def test_history_gets_its_own_partitions_before_it_is_loaded():
    """ensure_months (as the owner) prepares past months, e.g. for demo --scale national."""
    outcome = partitions.ensure_months(dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    names = [f"{TABLE}_y2025m07", f"{TABLE}_y2025m08", f"{TABLE}_y2025m09"]
    assert [name for name, _ in outcome] == names
    assert set(names) <= partition_names()
    assert [status for _, status in partitions.ensure_months(dt.date(2025, 7, 1), dt.date(2025, 9, 1))] == [
        "present"
    ] * 3
