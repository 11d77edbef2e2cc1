"""Benchmark: the migration import (issue 14 item 4, ADR 0046) of 10,000 rows.

In a dedicated, throw-away database it builds one region (as ``bench/list_pages.py``) with
a functional administrator and a case director, writes a CSV file of N rows (default
10,000; 80 % signals — received or referred —, 20 % cases — active or closed; every row
another person, a third with a BSN, names with diacritics), and runs, through the
service the command uses (``imports.services.import_cases``):

* a dry run (everything checked and written, then rolled back),
* the real run (one transaction, logged under one audit record),
* a re-run of the same file (creates nothing),

reporting for each the wall time, rows per second, and memory: the peak resident set
size of the process (``resource.getrusage``) before and after, and — with
``--tracemalloc`` — the peak of Python allocations during the run (slower; reported
separately).

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/import_cases.py [--rows 10000] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta

os.environ.setdefault("CASUSTAFEL_TEST_DB_NAME", "bench_import")

# Importing the list-page benchmark sets up Django (settings, data folder, owner role) as it
# does there, so Django's own imports come after it.
from list_pages import build_world, load_average

# isort: split
from django.conf import settings
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment
from django.utils import timezone

GIVEN = ["Ayşe", "Ægir", "Zoë", "Renée", "Ömer", "Jan", "Fatima", "Daniël"]
FAMILY = ["Özdemir", "N'Diaye", "Brontë-de Vries", "Müller", "Janssen", "El Idrissi", "Çelik", "de Wit"]


def bsn_for(i: int) -> str:
    """A fictitious number that passes the elfproef (the check digit makes the sum divisible by 11)."""
    for n in range(100_000_000 + i * 13, 100_000_000 + i * 13 + 200):
        digits = str(n)[:8]
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        if check < 10:
            return digits + str(check)
    raise AssertionError(i)


def make_file(rows: int) -> bytes:
    today = timezone.localdate()
    header = (
        "extern_kenmerk;soort;status;ontvangen_op;geopend_op;afgesloten_op;reden_afsluiting;soort_bron;fenomeen;"
        "omschrijving;voornamen;achternaam;geboortedatum;bsn;geslacht;gemeente;categorieen;grondslag;casusregisseur;"
        "organisatie"
    )
    out = io.StringIO()
    out.write(header + "\n")
    for i in range(rows):
        received = today - timedelta(days=20 + i % 150)
        person = (
            f"{GIVEN[i % len(GIVEN)]};{FAMILY[(i // len(GIVEN)) % len(FAMILY)]} {i};"
            f"{(date(1970, 1, 1) + timedelta(days=i % 12000)).isoformat()};{bsn_for(i) if i % 3 == 0 else ''};"
            f"{'vrouw' if i % 2 else 'man'};Lindeveld"
        )
        if i % 5 == 4:  # a case
            closed = i % 10 == 9
            opened = received + timedelta(days=10)
            out.write(
                f"B-{i};casus;{'afgesloten' if closed else 'actief'};{received};{opened};"
                f"{opened + timedelta(days=5) if closed else ''};{'doelen_bereikt' if closed else ''};school;"
                f"jihadistisch;;{person};a,c,e;;case_director.bench;\n"
            )
        else:
            referred = i % 5 == 3
            out.write(
                f"B-{i};signaal;{'doorverwezen' if referred else 'ontvangen'};{received};;"
                f"{received + timedelta(days=7) if referred else ''};;politie;rechts_extremistisch;"
                f"Deelt dreigende teksten (fictief).;{person};a,c;;;\n"
            )
    return out.getvalue().encode("utf-8")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(label, admin, region, data, *, dry_run, trace):
    from casustafel.imports.services import import_cases

    before = peak_rss_mb()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    result = import_cases(admin, region=region, system="BenchSysteem", data=data, name="bench.csv", dry_run=dry_run)
    elapsed = time.perf_counter() - start
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    if trace:
        tracemalloc.stop()
    assert not result.problems, result.problems[:5]
    return {
        "label": label,
        "rows": result.rows,
        "created": len(result.created),
        "skipped": len(result.skipped),
        "seconds": elapsed,
        "rows_per_second": result.rows / elapsed,
        "rss_before": before,
        "rss_after": peak_rss_mb(),
        "traced": traced,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    load_at_start = load_average()
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from casustafel.accounts.models import Role, User
        from casustafel.accounts.services import designate

        region, orgs, users = build_world("bench")
        admin = User(username="functional_admin.bench", organisation=orgs["zvh"], role=Role.FUNCTIONAL_ADMIN)
        admin.set_unusable_password()
        admin.save()
        designate(None, user=admin, purpose="processing", valid_from=date(2025, 7, 1), designated_by="Bench")
        data = make_file(args.rows)
        results = [
            measure("dry run", admin, region, data, dry_run=True, trace=args.tracemalloc),
            measure("real run", admin, region, data, dry_run=False, trace=args.tracemalloc),
            measure("re-run", admin, region, data, dry_run=False, trace=args.tracemalloc),
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    print(
        f"Migration import, {args.rows} rows ({len(data) / 2**20:.1f} MiB CSV); load average at start {load_at_start}"
    )
    print(
        "| run | rows | created | already imported | seconds | rows/s | peak RSS before → after (MiB) |"
        + (" peak traced (MiB) |" if args.tracemalloc else "")
    )
    print("|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if args.tracemalloc else ""))
    for r in results:
        line = (
            f"| {r['label']} | {r['rows']} | {r['created']} | {r['skipped']} | {r['seconds']:.1f} | "
            f"{r['rows_per_second']:.0f} | {r['rss_before']:.0f} → {r['rss_after']:.0f} |"
        )
        if args.tracemalloc:
            line += f" {r['traced']:.0f} |"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
