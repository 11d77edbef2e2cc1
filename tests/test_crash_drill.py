"""Crash safety (issue 15 item 5, ADR 0054): the short version of ``bench/crash_drill.py``.

Two runs against a PostgreSQL cluster of its own in a temporary folder (the embedded
server's binaries; the test database is not touched): gunicorn under a write load through
the API, a worker killed with SIGKILL, then ``pg_ctl stop -m immediate`` with SIGKILL to
gunicorn. After each restart every acknowledged write is present, nothing is half-written
and the processing log verifies with as many create entries as rows. No mocks.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from casustafel.cases.models import Case, CaseTransition
from casustafel.operations.drill import TABLES, crash_drill, invariant_violations
from casustafel.processing_log.models import AuditRecord, ProcessingLogEntry
from casustafel.signals.models import Signal, SignalTransition
from casustafel.subjects.models import Subject

from .conftest import make_case


def test_acknowledged_writes_survive_sigkill_and_an_immediate_postgresql_stop():
    # Outside pytest's folder: a concurrent pytest resets its base folder to 0700, which the
    # embedded server's system user then cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="casustafel-test-crash-"))
    # At exit, after the embedded server's exit handler (registered later, so run earlier) has
    # left its lock file in the folder.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    result = crash_drill(runs=2, clients=3, seconds=2.0, directory=folder / "drill")

    assert len(result.runs) == 2
    for run in result.runs:
        assert run.problems == [], run
        assert run.acknowledged > 0 and run.workers_killed == 1
        assert run.missing == 0 and run.violations == 0
        assert run.log_intact and run.creates_match
    assert result.ok and result.lost == 0 and result.half_written == 0
    # Every run's check covers every write acknowledged so far: the log only grows.
    assert result.runs[1].log_checked > result.runs[0].log_checked


def test_the_invariants_name_the_tables_of_the_models():
    models = {
        "signal": Signal,
        "signaltransition": SignalTransition,
        "subject": Subject,
        "case": Case,
        "casetransition": CaseTransition,
        "log": ProcessingLogEntry,
        "audit": AuditRecord,
    }
    assert {name: model._meta.db_table for name, model in models.items()} == TABLES


@pytest.mark.django_db
def test_the_invariants_hold_after_the_normal_flow_and_find_a_half_written_case(region_a):
    case = make_case(region_a)
    with connection.cursor() as cursor:
        assert set(invariant_violations(cursor).values()) == {0}

    CaseTransition.objects.filter(case=case, source="").delete()  # as a crash between two inserts would leave it
    with connection.cursor() as cursor:
        found = invariant_violations(cursor)
    assert found["case_without_first_state"] == 1
    assert sum(found.values()) == 1
