"""``casustafel backup`` and ``casustafel restore``: the restore drill (ADR 0047).

Real pg_dump and pg_restore from the embedded server's wheel, a fresh cluster of its own
for the restore, the checks in a process connected to the restored database. No mocks.
"""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.cases.services import transition_case
from casustafel.cli import main
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.processing_log.verify import head
from casustafel.retention.models import DestructionRun
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject

from .conftest import make_case

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIVE_YEARS = 1826  # the seeded national schedule v1 for closed cases


def _backup(tmp_path, capsys):
    dump = tmp_path / "backup" / "casustafel.dump"
    assert main(["backup", "--out", str(dump)]) == 0
    capsys.readouterr()
    return dump, json.loads((tmp_path / "backup" / "casustafel.dump.manifest.json").read_text())


def test_backup_restores_into_a_fresh_cluster_with_equal_rows_log_head_and_count(tmp_path, capsys, region_a):
    case = make_case(region_a)
    dump, manifest = _backup(tmp_path, capsys)

    last = head()
    assert manifest["processing_log"] == {
        "head_id": last[0],
        "head_hash": last.hash,
        "tree_size": last.tree_size,
        "count": ProcessingLogEntry.objects.count(),
    }
    assert "cases.0001_initial" in manifest["migrations"]

    cluster = tmp_path / "cluster"
    journal = tmp_path / "journal.jsonl"
    command = ["restore", str(dump), "--into-fresh-cluster", str(cluster), "--destruction-journal", str(journal)]
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "Hersteld en gecontroleerd in" in out and "logboek intact" in out
    assert f"({manifest['processing_log']['count']} regels" in out
    assert (cluster / "pgdata" / "PG_VERSION").exists()  # restored into a cluster of its own
    assert Case.objects.filter(pk=case.pk).exists()  # the source is untouched


def test_restore_checks_compare_every_table_with_the_source(tmp_path, capsys, region_a):
    from casustafel.operations.backup import FreshCluster, prepare_cluster, restore

    make_case(region_a)
    dump, manifest = _backup(tmp_path, capsys)
    cluster = FreshCluster(tmp_path / "cluster")
    try:
        target = prepare_cluster(cluster.start(), "casustafel")
        result = restore(dump=dump, target_url=target, journal=tmp_path / "none.jsonl")
    finally:
        cluster.stop()
    tables = result.checks["tables"]
    for model in (Subject, Signal, Case, ProcessingLogEntry):
        assert tables[model._meta.db_table] == model.objects.count() > 0, model
    assert result.checks["log_checked"] == manifest["processing_log"]["count"]
    assert result.seconds > 0


def test_a_tampered_backup_is_refused_and_nothing_is_restored(tmp_path, capsys, region_a):
    dump, _manifest = _backup(tmp_path, capsys)
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    cluster = tmp_path / "cluster"
    assert main(["restore", str(dump), "--into-fresh-cluster", str(cluster)]) == 2
    err = capsys.readouterr().err
    assert "komt niet overeen met het manifest" in err and "er is niets gewijzigd" in err
    assert not cluster.exists()  # no cluster started, nothing restored


def test_restore_into_a_database_that_is_not_empty_is_refused(tmp_path, capsys, region_a):
    from django.db import connection

    from casustafel.conf.database import database_urls
    from casustafel.operations.backup import with_database

    make_case(region_a)
    dump, _manifest = _backup(tmp_path, capsys)
    before = ProcessingLogEntry.objects.count()
    source = with_database(database_urls().maintenance, connection.settings_dict["NAME"])
    journal = tmp_path / "none.jsonl"
    assert main(["restore", str(dump), "--database", source, "--destruction-journal", str(journal)]) == 2
    assert "niet leeg" in capsys.readouterr().err
    assert ProcessingLogEntry.objects.count() == before


def test_restore_is_refused_after_a_destruction_newer_than_the_backup_art_9(tmp_path, capsys, monkeypatch, region_a):
    """Art. 9 Wet PGA: data destroyed after the backup would come back with it. The run
    writes a journal outside the database; restore refuses while a newer run is known."""
    case = make_case(region_a)
    transition_case(
        region_a.users["case_director"],
        case=case,
        target=case_states.CLOSED,
        reason="Doelen bereikt.",
        closure_reason="doelen_bereikt",
    )
    dump, _manifest = _backup(tmp_path, capsys)

    data_dir = tmp_path / "state"
    data_dir.mkdir()
    monkeypatch.setenv("CASUSTAFEL_DATA_DIR", str(data_dir))
    with time_machine.travel(timezone.now() + timedelta(days=FIVE_YEARS + 1), tick=False):
        assert main(["retention", "run"]) == 0
        run = DestructionRun.objects.get()
        assert main(["retention", "approve", run.reference, "--by", region_a.users["privacy_officer"].username]) == 0
        assert main(["retention", "execute", run.reference]) == 0
    capsys.readouterr()
    entry = json.loads((data_dir / "destruction-journal.jsonl").read_text().splitlines()[-1])
    assert entry["reference"] == run.reference and entry["subjects"] == [str(case.subject_id)]

    cluster = tmp_path / "cluster"
    assert main(["restore", str(dump), "--into-fresh-cluster", str(cluster)]) == 2
    err = capsys.readouterr().err
    assert run.reference in err and "art. 9 Wet PGA" in err and "er is niets gewijzigd" in err
    assert not cluster.exists()
