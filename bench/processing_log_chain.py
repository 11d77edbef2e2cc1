"""Benchmark: the processing log, chain version 3 (ADR 0048) — appends, sealing, verify, proofs.

In a throw-away database it measures, in one run:

* append throughput of ``processing_log.services.record`` (one audit record + one row, its own
  transaction, no global lock) with 1, 4 and 16 concurrent writers (threads, one database
  connection each) for ``--seconds`` each; the ratio 16 / 1 (issue 15 target: ≥ 4);
* ``sequencer.seal`` rate over everything written plus ``--verify-rows`` rows added in SQL;
* ``casustafel log verify`` throughput over the canonical bytes of every leaf, against raw
  ``hashlib.sha256`` in a tight Python loop over the leaf bytes (0x00 || bytes per leaf) and over
  everything verify hashes (also each audit record once and the interior nodes) (target: ≥ 50 %);
* inclusion-proof time (median / p95 of 200 random leaves) in a tree of ``--proof-leaves``
  synthetic leaves with the stored complete subtrees (target: ≤ 10 ms at 20 M).

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/processing_log_chain.py \
        [--seconds 5] [--proof-leaves 1000000]

The database (``bench_processing_log_chain`` in the embedded server of the data folder)
is created and migrated at the start and dropped at the end; nothing else is touched.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casustafel.conf.settings")
os.environ.setdefault("CASUSTAFEL_DATA_DIR", ".state-bench")
os.environ.setdefault("CASUSTAFEL_TEST_DB_NAME", "bench_processing_log_chain")
os.environ.setdefault("CASUSTAFEL_DB_ROLE", "owner")  # creates and drops its own database, as the tests do

import django

from casustafel.conf.database import ensure_database

ensure_database()

django.setup()

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone


def build():
    """A user and one data subject (the object every benchmark record is about)."""
    from casustafel.access import rls
    from casustafel.accounts.models import Organisation, Region, Role, User
    from casustafel.subjects.models import Subject

    region = Region.objects.create(code="bench", name="Regio bench (fictief)")
    rls.extend(region.pk)  # row-level security (ADR 0014): work in the bench region's scope
    org = Organisation.objects.create(region=region, kind="gemeente", name="gemeente bench")
    user = User(username="intake.bench", organisation=org, role=Role.INTAKE_OFFICER)
    user.set_unusable_password()
    user.save()
    subject = Subject(
        region=region,
        given_names="Bench",
        family_name="Persoon",
        date_of_birth=timezone.localdate().replace(year=1990),
        gender="man",
        municipality="Lindeveld",
    )
    subject.refresh_identity_index()
    subject.save()
    return user, subject


def appends(user, subject, writers: int, seconds: float) -> float:
    """Records per second with ``writers`` threads appending for ``seconds``."""
    import threading

    from django.db import connections

    from casustafel.access import rls
    from casustafel.processing_log.models import Action, Purpose
    from casustafel.processing_log.services import record

    counts = [0] * writers
    start_line = threading.Barrier(writers + 1)
    stop = threading.Event()

    def work(slot: int) -> None:
        rls.extend(subject.region_id)
        record(user, action=Action.READ, purpose=Purpose.INTAKE, objects=[subject])  # connect first
        start_line.wait()
        while not stop.is_set():
            record(user, action=Action.READ, purpose=Purpose.INTAKE, objects=[subject])
            counts[slot] += 1
        connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def more_rows(count: int) -> None:
    """``count`` more rows like the last one (each its own object id), written in SQL."""
    from casustafel.processing_log.models import ProcessingLogEntry

    table = ProcessingLogEntry._meta.db_table
    columns = (
        "timestamp, trace_id, span_id, audit_record_id, action, purpose, activity_id, status, "
        "object_type, data_subject_id, prev_hash, row_hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, object_id) SELECT {columns}, gen_random_uuid() "
            f"FROM {table}, generate_series(1, %s) WHERE id = (SELECT max(id) FROM {table})",
            [count],
        )


SHARES: dict[str, float] = {}


def verify_against_hashlib() -> tuple[float, float, float, int, int]:
    """(verify seconds, hashlib seconds over the leaf bytes, hashlib seconds over every hash verify
    computes, leaves, leaf bytes).

    ``log verify`` hashes, in PostgreSQL, the canonical bytes of every leaf (0x00 || bytes) and of
    every audit record once, and in Python the interior nodes of the tree (0x01 || left || right,
    one fewer than leaves). The first baseline hashes the leaf bytes only (as before); the second
    exactly everything verify hashes, each in a tight hashlib loop over bytes already in memory."""
    from casustafel.processing_log import chain, merkle
    from casustafel.processing_log.models import AuditRecord, ProcessingLogEntry
    from casustafel.processing_log.verify import _audit_check_sql, _leaf_blocks, _leaf_check_sql, verify

    audit = f"encode(sha256(convert_to({chain.sql_audit_canonical('a')}, 'UTF8')), 'hex')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT convert_to({chain.sql_leaf_canonical('e', audit)}, 'UTF8') "
            f"FROM {ProcessingLogEntry._meta.db_table} e JOIN {AuditRecord._meta.db_table} a "
            "ON a.id = e.audit_record_id ORDER BY e.id"
        )
        data = [bytes(row[0]) for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT convert_to({chain.sql_audit_canonical('a')}, 'UTF8') FROM {AuditRecord._meta.db_table} a"
        )
        audits = [bytes(row[0]) for row in cursor.fetchall()]
    sha256 = hashlib.sha256
    start = time.perf_counter()
    leaves = [sha256(b"\x00" + item).digest() for item in data]
    hashed = time.perf_counter() - start
    start = time.perf_counter()
    for item in audits:
        sha256(item).digest()
    level = [sha256(b"\x00" + item).digest() for item in data]
    while len(level) > 1:  # n - 1 interior nodes, as many as the tree has
        pairs = [sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    everything = time.perf_counter() - start
    assert merkle.root(leaves) is not None
    # The parts of verify, each alone: the audit and leaf checks in PostgreSQL, the leaf-hash stream.
    with transaction.atomic(), connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(_audit_check_sql())
        cursor.execute(_leaf_check_sql(), [-1, cursor.fetchone()[0]])
        SHARES["SQL checks"] = time.perf_counter() - start
        start = time.perf_counter()
        streamed = sum(len(block) for block in _leaf_blocks(cursor, len(data)))
        SHARES["leaf-hash COPY"] = time.perf_counter() - start
        assert streamed == len(data)
    start = time.perf_counter()
    report = verify(against_export=False)
    verified = time.perf_counter() - start
    assert report.intact and report.checked == len(data), report.message
    return verified, hashed, everything, len(data), sum(len(item) for item in data)


def proofs(leaves: int, samples: int = 200) -> dict[str, tuple[float, float]]:
    """Median and p95 ms of an inclusion proof in a synthetic tree of ``leaves`` leaves: ``proofs.proof_path``
    (one query) and, alternating on the same leaves, the previous ``sequencer.proof_path`` (two queries)."""
    import random

    from casustafel.processing_log import merkle
    from casustafel.processing_log.models import LogLeaf, MerkleNode
    from casustafel.processing_log.proofs import proof_path
    from casustafel.processing_log.sequencer import STORED_LEVEL
    from casustafel.processing_log.sequencer import proof_path as previous_path

    offset = 10**12  # synthetic leaves point at no row (entry_id is no foreign key)
    with connection.cursor() as cursor:
        # A tree of its own: the sealed bench rows' tree goes (the owner may, with the triggers off).
        for model in (LogLeaf, MerkleNode):
            cursor.execute(f"ALTER TABLE {model._meta.db_table} DISABLE TRIGGER USER")
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
            cursor.execute(f"ALTER TABLE {model._meta.db_table} ENABLE TRIGGER USER")
        cursor.execute(
            f"INSERT INTO {LogLeaf._meta.db_table} (leaf_index, entry_id, leaf_hash) "
            "SELECT i, %s + i, sha256(int8send(i)) FROM generate_series(0, %s - 1) i",
            [offset, leaves],
        )
    nodes = []
    frontier = merkle.Frontier()
    keep = lambda level, index, h: level >= STORED_LEVEL and nodes.append(MerkleNode(level=level, index=index, hash=h))  # noqa: E731
    with transaction.atomic():
        cursor = connection.chunked_cursor()
        cursor.cursor.itersize = 50_000
        cursor.execute(f"SELECT leaf_hash FROM {LogLeaf._meta.db_table} ORDER BY leaf_index")
        block = []
        for (h,) in cursor:
            block.append(bytes(h))
            if len(block) == 1 << STORED_LEVEL:
                subtree = merkle.perfect_root(block)
                keep(STORED_LEVEL, frontier.size >> STORED_LEVEL, subtree)
                frontier.push(STORED_LEVEL, subtree, keep)
                block = []
        for h in block:
            frontier.append(h, keep)
        cursor.close()
    MerkleNode.objects.bulk_create(nodes, batch_size=10_000)
    with connection.cursor() as cursor:  # as autovacuum would have by then: statistics of the new tables
        cursor.execute(f"ANALYZE {LogLeaf._meta.db_table}, {MerkleNode._meta.db_table}")
    root = frontier.root()
    times: dict[str, list[float]] = {"one query": [], "previous (two queries)": []}
    for index in random.Random(15).sample(range(leaves), samples):
        leaf = LogLeaf.objects.get(leaf_index=index).leaf_hash
        for name, build in zip(times, (proof_path, previous_path), strict=True):
            start = time.perf_counter()
            path = build(index, leaves)
            times[name].append(time.perf_counter() - start)
            assert merkle.verify_inclusion(index, leaves, bytes(leaf), path, root)
    out = {}
    for name, values in times.items():
        values.sort()
        out[name] = (statistics.median(values) * 1000, values[int(len(values) * 0.95)] * 1000)
    return out


def print_proofs(leaves: int, results: dict[str, tuple[float, float]]) -> None:
    for name, (median, p95) in results.items():
        print(f"inclusion proof in a tree of {leaves} leaves, {name}: median {median:.2f} ms, p95 {p95:.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per writer count")
    parser.add_argument("--verify-rows", type=int, default=200_000, help="extra rows (SQL) to seal and verify")
    parser.add_argument("--proof-leaves", type=int, default=1_000_000, help="leaves of the proof tree")
    parser.add_argument("--proofs-only", action="store_true", help="only the inclusion-proof measurement")
    args = parser.parse_args()
    from casustafel.processing_log.models import ProcessingLogEntry
    from casustafel.processing_log.sequencer import seal

    load_at_start = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        if args.proofs_only:
            print_proofs(args.proof_leaves, proofs(args.proof_leaves))
            return 0
        user, subject = build()
        rates = {n: appends(user, subject, n, args.seconds) for n in (1, 4, 16)}
        more_rows(args.verify_rows)  # verify and seal measured over a log of some size
        rows = ProcessingLogEntry.objects.count()
        start = time.perf_counter()
        while seal(export_heads=False):
            pass
        sealing = rows / (time.perf_counter() - start)
        verified, hashed, everything, leaves, size = verify_against_hashlib()
        proof_times = proofs(args.proof_leaves)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(
        f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"DEBUG={settings.DEBUG}; load average (1/5/15 min) at the start {load_at_start}, at the end "
        + " / ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print("| writers | record() calls/s | ratio to 1 writer |")
    print("|---:|---:|---:|")
    for n, rate in rates.items():
        print(f"| {n} | {rate:.0f} | {rate / rates[1]:.2f} |")
    mb = size / 1e6
    print(f"\nseal: {rows} rows at {sealing:.0f} rows/s")
    print(
        f"log verify: {leaves} leaves, {mb:.1f} MB canonical leaf bytes in {verified:.2f} s "
        f"= {mb / verified:.1f} MB/s; "
        f"hashlib over the leaf bytes {hashed:.3f} s = {mb / hashed:.1f} MB/s, ratio {hashed / verified:.2f}; "
        f"hashlib over everything verify hashes (audit records, leaves, interior nodes) {everything:.3f} s, "
        f"ratio {everything / verified:.2f}; parts alone: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in SHARES.items())
    )
    print_proofs(args.proof_leaves, proof_times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
