"""Benchmark: the insight pages over a region of 5,000 persons (issue 13 items 1, 5, 7; ADR 0042).

In a dedicated, throw-away database it builds one region per size N (persons; default 5,000)
with the builders of ``bench/work_queue.py``: 50 persons get a case through the normal services,
the other N − 50 a signal in bulk (even: received, odd: in an open weighing); then, in bulk, a
third of all signals is made "included", a sixth "no action", a third of the persons women and
a spread of birth dates, and every case gets a plan with an intervention. Per size, interleaved
over ``--repeat`` rounds, it measures (median ms, SQL queries of one run, ratio to the case list):

* **case list** — the case director's /casussen/ (the yardstick of every benchmark here);
* **overview (director)** — /inzicht/ for the process director: the flow (counts, age bands,
  the five list numbers) and the region's headline figures;
* **flow list** — the list behind "drifting interventions";
* **overview (analyst)** — /inzicht/ for the analyst (headline figures only);
* **recognition (analyst)** — /inzicht/herkenning/ by age band, with the nation comparison;
* **measures (analyst)** — /inzicht/maatregelen/.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/insight.py [--sizes 5000] [--repeat 5]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, timedelta

os.environ.setdefault("CASUSTAFEL_TEST_DB_NAME", "bench_insight")

# Importing the list-page benchmark sets up Django (settings, data folder, owner role).
from list_pages import add_cases, build_world, login, run_benchmark, timed_get
from work_queue import add_waiting_persons

# isort: split
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

CASES = 50
STEPS = (
    "case list",
    "overview (director)",
    "flow list",
    "overview (analyst)",
    "recognition (analyst)",
    "measures (analyst)",
)


def add_user(region, orgs, key: str, kind: str, role: str):
    from casustafel.accounts.models import User
    from casustafel.accounts.selectors import confidentiality_text_in_force
    from casustafel.accounts.services import acknowledge_confidentiality, designate, ensure_totp_device

    user = User(username=f"{key}.{region.code}", organisation=orgs[kind], role=role, last_name=key)
    user.set_unusable_password()
    user.save()
    ensure_totp_device(user)
    acknowledge_confidentiality(user, version=confidentiality_text_in_force().version)
    designate(None, user=user, purpose="processing", valid_from=date(2025, 7, 1), designated_by="Bench")
    return user


def spread(region, orgs, users) -> None:
    """Outcomes, genders and ages spread over the signals, and an intervention per case, in bulk."""
    from casustafel.cases.models import Case
    from casustafel.plans import services as plan_services
    from casustafel.signals.models import Signal
    from casustafel.subjects.models import Subject

    ids = list(Signal.objects.filter(region=region).order_by("pk").values_list("pk", flat=True))
    Signal.objects.filter(pk__in=ids[::3]).update(status="included")
    Signal.objects.filter(pk__in=ids[1::6]).update(status="no_action")
    subjects = list(Subject.objects.filter(region=region).order_by("pk").values_list("pk", flat=True))
    Subject.objects.filter(pk__in=subjects[::3]).update(gender="vrouw")
    for offset, born in enumerate((date(2010, 5, 1), date(2005, 5, 1), date(1990, 5, 1))):
        Subject.objects.filter(pk__in=subjects[offset::5]).update(date_of_birth=born)
    today = timezone.localdate()
    for case in Case.objects.filter(region=region):
        plan_services.add_intervention(
            users["case_director"],
            case=case,
            entry_code="reclasseringstoezicht",
            organisation=orgs["reclassering"],
            starts_on=today - timedelta(days=40),
            planned_end=today + timedelta(days=100),
        )


def run(sizes: list[int], repeat: int) -> dict:
    from casustafel.accounts.models import Role

    results: dict = {}
    steps: dict = {}
    for n in sizes:
        begin = time.perf_counter()
        region, orgs, users = build_world(f"ins-{n}")
        add_cases(region, orgs, users, 0, CASES)
        add_waiting_persons(region, users, orgs, CASES, n)
        director = add_user(region, orgs, "process_director", "zvh", Role.PROCESS_DIRECTOR)
        analyst = add_user(region, orgs, "analyst", "gemeente", Role.ANALYST)
        spread(region, orgs, users)
        print(f"N={n}: built in {time.perf_counter() - begin:.1f} s", file=sys.stderr, flush=True)
        case_client, director_client, analyst_client = login(users["case_director"]), login(director), login(analyst)
        urls = {
            "case list": (case_client, reverse("cases:case_list")),
            "overview (director)": (director_client, reverse("insight:overview")),
            "flow list": (director_client, reverse("insight:flow_drifting")),
            "overview (analyst)": (analyst_client, reverse("insight:overview")),
            "recognition (analyst)": (analyst_client, reverse("insight:recognition") + "?indeling=leeftijd"),
            "measures (analyst)": (analyst_client, reverse("insight:measures")),
        }
        steps[n] = {step: (lambda c=client, u=url: timed_get(c, u)) for step, (client, url) in urls.items()}
        queries = {}
        for step, (client, url) in urls.items():
            client.get(url)  # warm: the processing activities are looked up once per day
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            queries[step] = len(ctx.captured_queries)
        results[n] = {"queries": queries}
    times: dict = {n: {step: [] for step in STEPS} for n in sizes}
    for _ in range(repeat):
        for n in sizes:
            for step in STEPS:
                times[n][step].append(steps[n][step]())
    for n in sizes:
        results[n]["ms"] = {step: statistics.median(times[n][step]) for step in STEPS}
    return results


def report(results: dict, repeat: int, load_at_start: str) -> str:
    lines = [
        f"Insight pages vs case list, median of {repeat} rounds (ms), SQL queries of one run; "
        f"DEBUG={settings.DEBUG}; load average at start {load_at_start}",
        "",
        "| N persons | step | queries | ms | ÷ case list |",
        "|---:|---|---:|---:|---:|",
    ]
    for n, row in results.items():
        base = row["ms"]["case list"]
        for step in STEPS:
            ms = row["ms"][step]
            lines.append(f"| {n} | {step} | {row['queries'][step]} | {ms:.1f} | {ms / base:.2f}× |")
    return "\n".join(lines)


def main() -> int:
    sys.argv += [] if "--sizes" in sys.argv else ["--sizes", "5000"]
    sys.argv += [] if "--repeat" in sys.argv else ["--repeat", "5"]
    return run_benchmark(__doc__.splitlines()[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
