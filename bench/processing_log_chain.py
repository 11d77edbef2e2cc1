"""Benchmark: what does the hash chain cost ``processing_log.services.record``?

In a throw-away database it writes ``--records`` single-object log rows (a read of one data subject)
twice over, interleaved in ``--rounds`` blocks so background load hits both alike:

* chained   — ``record()`` as shipped: its own transaction, ``pg_advisory_xact_lock``,
  read of the last row's hash, the audit record (ADR 0015) inserted, sha256 in Python,
  ``bulk_create`` of the rows (5 statements);
* unchained — the same audit record and rows built the same way, no lock, no hash, in
  its own transaction (the write path without ADR 0008's chain).

It reports records per second, the median latency per record and the ratio chained /
unchained measured in the same run, plus ``log verify`` throughput over the chained rows.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/processing_log_chain.py [--records 2000] [--rounds 10]

The database (``bench_processing_log_chain`` in the embedded server of the data folder)
is created and migrated at the start and dropped at the end; nothing else is touched.
"""

from __future__ import annotations

import argparse
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


def unchained(actor, *, action, purpose, objects, via_api=False):
    """The write path without the chain: the same audit record and rows, one transaction, no lock or hash."""
    from casustafel.core.tracing import current_trace_id, new_span_id
    from casustafel.processing_log.models import AuditRecord, ProcessingLogEntry, Status
    from casustafel.processing_log.services import _subject_of, activity_id

    now, trace, span, activity = timezone.now(), current_trace_id(), new_span_id(), activity_id(str(purpose))
    with transaction.atomic():
        audit = AuditRecord.objects.create(
            timestamp=now,
            trace_id=trace,
            span_id=span,
            user_id=actor.pk,
            organisation_id=actor.organisation_id,
            role=actor.role,
            via_api=via_api,
        )
        rows = [
            ProcessingLogEntry(
                timestamp=now,
                trace_id=trace,
                span_id=span,
                audit_record=audit,
                action=action,
                purpose=purpose,
                activity_id=activity,
                status=Status.OK,
                object_type=obj._meta.model_name,
                object_id=obj.pk,
                data_subject_id=_subject_of(obj),
            )
            for obj in objects
        ]
        ProcessingLogEntry.objects.bulk_create(rows)
    return len(rows)


def timed(write, user, signal, n):
    from casustafel.processing_log.models import Action, Purpose

    latencies = []
    for _ in range(n):
        start = time.perf_counter()
        write(user, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal])
        latencies.append(time.perf_counter() - start)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=2000, help="records per variant")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved blocks")
    args = parser.parse_args()
    from casustafel.processing_log.services import record
    from casustafel.processing_log.verify import verify

    load_at_start = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        user, signal = build()
        # Verify throughput over an intact chain of --records rows.
        timed(record, user, signal, args.records)
        start = time.perf_counter()
        report = verify()
        verify_seconds = time.perf_counter() - start
        assert report.intact, report.message
        per_round = args.records // args.rounds
        results = {"chained": [], "unchained": []}
        timed(record, user, signal, 50), timed(unchained, user, signal, 50)  # warm-up
        for _ in range(args.rounds):
            results["chained"] += timed(record, user, signal, per_round)
            results["unchained"] += timed(unchained, user, signal, per_round)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    rate = {k: len(v) / sum(v) for k, v in results.items()}
    median = {k: statistics.median(v) * 1000 for k, v in results.items()}
    print(
        f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"DEBUG={settings.DEBUG}; {per_round * args.rounds} records per variant in {args.rounds} interleaved rounds; "
        f"load average (1/5/15 min) at the start {load_at_start}, at the end "
        + " / ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print("| variant | records/s | median ms/record | ratio (records/s vs unchained) |")
    print("|---|---:|---:|---:|")
    for key in ("unchained", "chained"):
        print(f"| {key} | {rate[key]:.0f} | {median[key]:.2f} | {rate[key] / rate['unchained']:.2f} |")
    print(
        f"\nlog verify: {report.checked} rows in {verify_seconds * 1000:.0f} ms "
        f"({report.checked / verify_seconds:.0f} rows/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
