"""Benchmark: search (issue 12 item 4) against the case list, in a region of 5,000 persons.

In a dedicated, throw-away database it builds one region per size N (persons; default
500 and 5,000). 50 persons get a case through the normal services (signal → weighing →
three contributions → inclusion, as ``bench/list_pages.py``); the other N − 50 get one
signal each, inserted in bulk (the search reads subjects and signals; how they were
written does not matter to it, and 5,000 full flows would take an hour on this machine).
One case person gets a BSN. For each size it measures, as a weegploeg member of the
gemeente (who sees signals, weighings and the cases the gemeente takes part in):

* the case list (/casussen/) — the yardstick
* search by reference (one case), by BSN (one person: signal, weighing, case), by name +
  date of birth (one person), and by a name that matches 50 persons (25 rows per kind shown)

and reports the SQL queries per request, the median wall time over ``--repeat`` requests
(interleaved), and the time as a ratio to the case list of the same size in the same run
(target ≤ 1.5×). Query counts equal across searches of 1 and 75 rows show that the count
does not grow with the rows.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/search.py [--sizes 500 5000] [--repeat 20]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("CASUSTAFEL_TEST_DB_NAME", "bench_search")

# Importing the list-page benchmark sets up Django (settings, data folder, owner role) as it
# does there, so Django's own imports come after it.
from list_pages import add_cases, build_world, load_average, login, run_benchmark

# isort: split
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

CASES = 50
BSN = "111222333"  # passes the elfproef; fictitious
PAGES = (
    "case list",
    "search: reference (1 row)",
    "search: BSN (3 rows)",
    "search: name + date of birth (3 rows)",
    "search: name, 50 persons (75 rows)",
)


def add_persons(region, orgs, users, start: int, stop: int) -> None:
    """Persons ``start``..``stop-1`` with one received signal each, in bulk."""
    from casustafel.core.references import new_reference
    from casustafel.governance.models import LegalBasis
    from casustafel.signals.models import Phenomenon, Signal, SourceType
    from casustafel.subjects.models import Subject

    basis = LegalBasis.objects.filter(code="wet-pga").order_by("-pk").first()
    subjects = []
    for i in range(start, stop):
        subject = Subject(
            region=region,
            given_names=f"Persoon{i}",
            family_name=f"Fictief{i}",
            date_of_birth=date(1950, 1, 1) + timedelta(days=i),
            gender="man",
            municipality="Bench",
        )
        subject.refresh_identity_index()
        subjects.append(subject)
    Subject.objects.bulk_create(subjects, batch_size=1000)
    Signal.objects.bulk_create(
        [
            Signal(
                reference=new_reference("SIG"),
                region=region,
                subject=subject,
                source_type=SourceType.POLICE,
                phenomenon=Phenomenon.RIGHT_WING,
                facts="Deelt gewelddadige teksten (fictief).",
                registered_by=users["intake"],
                registered_by_organisation=orgs["gemeente"],
                legal_basis=basis,
            )
            for subject in subjects
        ],
        batch_size=1000,
    )


def post(client: Client, url: str, q: str | None):
    return client.get(url) if q is None else client.post(url, {"q": q})


def count_queries(client: Client, url: str, q: str | None) -> int:
    post(client, url, q)  # warm up (templates, connection)
    with CaptureQueriesContext(connection) as ctx:
        response = post(client, url, q)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def timed(client: Client, url: str, q: str | None) -> float:
    begin = time.perf_counter()
    response = post(client, url, q)
    elapsed = (time.perf_counter() - begin) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def run(sizes: list[int], repeat: int) -> dict:
    from casustafel.cases.models import Case
    from casustafel.subjects.models import Subject

    targets = {}
    for n in sizes:
        begin = time.perf_counter()
        region, orgs, users = build_world(f"search-{n}")
        add_cases(region, orgs, users, 0, CASES)
        add_persons(region, orgs, users, CASES, n)
        assert Subject.objects.filter(region=region).count() == n
        person = Subject.objects.get(region=region, given_names="Persoon3")
        person.set_bsn(BSN)
        person.save()
        case = Case.objects.get(region=region, subject=person)
        print(f"N={n}: built in {time.perf_counter() - begin:.1f} s", file=sys.stderr, flush=True)
        client, url = login(users["weigher_gemeente"]), reverse("search:search")
        targets[n] = {
            "case list": (client, reverse("cases:case_list"), None),
            "search: reference (1 row)": (client, url, case.reference),
            "search: BSN (3 rows)": (client, url, BSN),
            "search: name + date of birth (3 rows)": (
                client,
                url,
                f"Persoon3 Bench-Fictief {person.date_of_birth:%d-%m-%Y}",
            ),
            "search: name, 50 persons (75 rows)": (client, url, "Bench-Fictief"),
        }
    queries = {n: {page: count_queries(*targets[n][page]) for page in PAGES} for n in sizes}
    times: dict = {n: {page: [] for page in PAGES} for n in sizes}
    for _ in range(repeat):
        for n in sizes:
            for page in PAGES:
                times[n][page].append(timed(*targets[n][page]))
    return {n: {page: (queries[n][page], statistics.median(times[n][page])) for page in PAGES} for n in sizes}


def report(results: dict, repeat: int, load_at_start: str) -> str:
    import platform

    lines = [
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000} (embedded), DEBUG={settings.DEBUG}; median of {repeat} "
        f"requests; load average (1/5/15 min) at the start {load_at_start}, at the end {load_average()}",
        "",
        "| page | persons | queries | median ms | time / case list |",
        "|---|---:|---:|---:|---:|",
    ]
    for n in sorted(results):
        yardstick = results[n]["case list"][1]
        for page in PAGES:
            q, t = results[n][page]
            lines.append(f"| {page} | {n} | {q} | {t:.1f} | {t / yardstick:.2f} |")
    return "\n".join(lines)


def main() -> int:
    sys.argv += [] if "--sizes" in sys.argv else ["--sizes", "500", "5000"]
    return run_benchmark(__doc__.split("\n")[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
