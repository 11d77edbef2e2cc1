"""Benchmark: the work queue (issue 12 item 1) against the case list, in a region of 5,000 persons.

In a dedicated, throw-away database it builds one region per size N (persons; default 500
and 5,000). 50 persons get a case through the normal services (as ``bench/list_pages.py``),
each with a plan whose review is due; of the other N − 50, half have a received signal
waiting for intake and half a signal in an open weighing that waits for all three core
parties — inserted in bulk (the queue reads them; how they were written does not matter to
it, and 5,000 full flows would take an hour on this machine). So the intake officer's and
every weegploeg member's queues hold thousands of items, of which the dashboard shows 25 per
kind with the total.

For each size it measures, per user (intake officer, weegploeg member of the gemeente, case
director): the case list (/casussen/, the yardstick) and the dashboard (/), and reports the
SQL queries per request, the median wall time over ``--repeat`` requests (interleaved), and
the dashboard's time as a ratio to that user's case list of the same size in the same run
(target ≤ 1.5×). Equal query counts at 500 and 5,000 show the count does not grow with the rows.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/work_queue.py [--sizes 500 5000] [--repeat 20]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("CASUSTAFEL_TEST_DB_NAME", "bench_work_queue")

# Importing the list-page benchmark sets up Django (settings, data folder, owner role).
from list_pages import add_cases, build_world, count_queries, login, run_benchmark, timed_get

# isort: split
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

CASES = 50
USERS = ("intake", "weigher_gemeente", "case_director")
PAGES = ("case list", "dashboard")


def add_waiting_persons(region, users, orgs, start: int, stop: int) -> None:
    """Persons ``start``..``stop-1``: even ones a received signal, odd ones a signal in an open
    weighing without contributions, in bulk."""
    from casustafel.core.references import new_reference
    from casustafel.governance.models import LegalBasis
    from casustafel.signals import states as signal_states
    from casustafel.signals.models import Phenomenon, Signal, SourceType
    from casustafel.subjects.models import Subject
    from casustafel.weighing.models import Weighing
    from casustafel.weighing.services import active_framework

    basis = LegalBasis.objects.filter(code="wet-pga").order_by("-pk").first()
    framework = active_framework(region)
    now = timezone.now()
    subjects = []
    for i in range(start, stop):
        subject = Subject(
            region=region,
            given_names=f"Wachtend{i}",
            family_name="Bench-Fictief",
            date_of_birth=date(1950, 1, 1) + timedelta(days=i),
            gender="man",
            municipality="Bench",
        )
        subject.refresh_identity_index()
        subjects.append(subject)
    Subject.objects.bulk_create(subjects, batch_size=1000)
    weighings = {
        subject.pk: Weighing(
            reference=new_reference("WEG"), region=region, subject=subject, framework=framework, signals_changed_at=now
        )
        for n, subject in enumerate(subjects)
        if n % 2
    }
    Weighing.objects.bulk_create(weighings.values(), batch_size=1000)
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
                weighing=weighings.get(subject.pk),
                status=signal_states.IN_WEIGHING if subject.pk in weighings else signal_states.RECEIVED,
            )
            for subject in subjects
        ],
        batch_size=1000,
    )


def add_reviews(region, users) -> None:
    """A plan with a review due next week for every case."""
    from casustafel.cases.models import Case
    from casustafel.plans import services as plans
    from casustafel.plans.models import Plan

    for case in Case.objects.filter(region=region):
        plans.add_goal(users["case_director"], case=case, domain="huisvesting", description="Woning (fictief)")
    Plan.objects.filter(case__region=region).update(next_review_due=timezone.localdate() + timedelta(days=7))


def run(sizes: list[int], repeat: int) -> dict:
    from casustafel.work.queue import work_queue

    targets: dict = {}
    for n in sizes:
        begin = time.perf_counter()
        region, orgs, users = build_world(f"work-{n}")
        add_cases(region, orgs, users, 0, CASES)
        add_reviews(region, users)
        add_waiting_persons(region, users, orgs, CASES, n)
        totals = {key: work_queue(users[key], log=False).total for key in USERS}
        print(f"N={n}: built in {time.perf_counter() - begin:.1f} s; queue totals {totals}", file=sys.stderr)
        for key in USERS:
            client = login(users[key])
            targets[(n, key)] = {"case list": (client, reverse("cases:case_list")), "dashboard": (client, "/")}
            targets[(n, key)]["total"] = totals[key]
    queries = {t: {page: count_queries(*targets[t][page]) for page in PAGES} for t in targets}
    times: dict = {t: {page: [] for page in PAGES} for t in targets}
    for _ in range(repeat):
        for t in targets:
            for page in PAGES:
                times[t][page].append(timed_get(*targets[t][page]))
    return {
        t: {
            "total": targets[t]["total"],
            **{page: (queries[t][page], statistics.median(times[t][page])) for page in PAGES},
        }
        for t in targets
    }


def report(results: dict, repeat: int, load_at_start: str) -> str:
    lines = [
        f"Work queue vs case list, median of {repeat} requests (ms), queries per request; "
        f"DEBUG={settings.DEBUG}; load average at start {load_at_start}",
        "",
        "| N persons | user | items in queue | case list q | case list ms | dashboard q | dashboard ms "
        "| dashboard / case list |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (n, key), row in results.items():
        (cq, cms), (dq, dms) = row["case list"], row["dashboard"]
        lines.append(f"| {n} | {key} | {row['total']} | {cq} | {cms:.1f} | {dq} | {dms:.1f} | {dms / cms:.2f}× |")
    return "\n".join(lines)


def main() -> int:
    sys.argv += [] if "--sizes" in sys.argv else ["--sizes", "500", "5000"]
    return run_benchmark(__doc__.splitlines()[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
