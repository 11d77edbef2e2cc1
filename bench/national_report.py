"""Benchmark: the national report over a region of 5,000 persons (issue 13 item 8, Wet PGA art. 24).

In a dedicated, throw-away database it builds one region per size N (persons; default 5,000)
with the builders of ``bench/work_queue.py``: 50 persons get a case through the normal services
(signal → weighing → inclusion → case), the other N − 50 a signal waiting for intake or in an
open weighing, in bulk; plus N / 50 policy signals in bulk. Then, per size, interleaved over
``--repeat`` rounds, it measures:

* **case list** — the case director's /casussen/ (the yardstick of every benchmark here);
* **council report page / PDF** — the analyst's council report (``reporting:council_report``,
  issue 13 item 3) of the region for the calendar year so far, as a page and as tagged PDF;
* **regional figures** — every evaluation fact of ``national.aggregate.EVALUATION_FACTS`` that
  is registered, for the region and the calendar year, from the rows, through the protected
  year cubes (a fresh report context each round: nothing cached) — the generation behind the
  council report and the export;
* **export** — ``report export-aggregate``'s work: the regional figures, the document, the
  Ed25519 signature, the file written;
* **import + combine** — ``report import-aggregate`` of that file (verification, storage in one
  transaction) and the national figures with suppression recomputed (rows removed between rounds);
* **national page** — the analyst's /verantwoording/landelijk/.

It reports the median milliseconds, the SQL queries of one run, and each as a ratio to the case
list measured in the same run.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/national_report.py [--sizes 5000] [--repeat 5]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("CASUSTAFEL_TEST_DB_NAME", "bench_national_report")

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
    "council report page",
    "council report PDF",
    "regional figures",
    "export",
    "import + combine",
    "national page",
)


def add_policy_signals(region, orgs, users, count: int) -> None:
    from casustafel.policy_signals import categories
    from casustafel.policy_signals.models import Origin, PolicySignal, State

    codes = [code for code, _label in categories.current().categories]
    states = list(State.values)
    PolicySignal.objects.bulk_create(
        [
            PolicySignal(
                region=region,
                organisation=orgs["zvh"],
                raised_by=users["case_director"],
                origin=Origin.CASE,
                category=codes[i % len(codes)],
                category_version=categories.current().version,
                description="Knelpunt voor beleid (fictief).",
                state=states[i % len(states)],
            )
            for i in range(count)
        ]
    )


def add_analyst(region, orgs):
    from casustafel.accounts.models import Role, User
    from casustafel.accounts.selectors import confidentiality_text_in_force
    from casustafel.accounts.services import acknowledge_confidentiality, designate, ensure_totp_device

    user = User(
        username=f"analyst.{region.code}", organisation=orgs["gemeente"], role=Role.ANALYST, last_name="Analist"
    )
    user.set_unusable_password()
    user.save()
    ensure_totp_device(user)
    acknowledge_confidentiality(user, version=confidentiality_text_in_force().version)
    designate(None, user=user, purpose="processing", valid_from=date(2025, 7, 1), designated_by="Bench")
    return user


def timed_post(client, url: str, data: dict) -> float:
    begin = time.perf_counter()
    response = client.post(url, data)
    elapsed = (time.perf_counter() - begin) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def timed(function) -> tuple[float, object]:
    begin = time.perf_counter()
    result = function()
    return (time.perf_counter() - begin) * 1000, result


def queries_of(function) -> int:
    with CaptureQueriesContext(connection) as ctx:
        function()
    return len(ctx.captured_queries)


def run(sizes: list[int], repeat: int) -> dict:
    from casustafel.access import rls
    from casustafel.national import aggregate, signing
    from casustafel.national.models import ImportedAggregate
    from casustafel.reporting.cube import figures, report_context
    from casustafel.reporting.facts import FACTS
    from casustafel.reporting.periods import Period
    from casustafel.reporting.scope import Scope

    pair = signing.generate()
    settings.CASUSTAFEL_AGGREGATE_SIGNING_KEY = pair.private_b64
    year = timezone.localdate().year
    folder = Path(tempfile.mkdtemp(prefix="bench-national-"))
    results: dict = {}
    steps: dict = {}
    council_url = reverse("reporting:council_report")
    for n in sizes:
        begin = time.perf_counter()
        region, orgs, users = build_world(f"nat-{n}")
        add_cases(region, orgs, users, 0, CASES)
        add_waiting_persons(region, users, orgs, CASES, n)
        add_policy_signals(region, orgs, users, max(1, n // 50))
        analyst = add_analyst(region, orgs)
        settings.CASUSTAFEL_AGGREGATE_TRUSTED_KEYS = [f"{region.code}={pair.public_b64}"]
        facts = [name for name in aggregate.EVALUATION_FACTS if name in FACTS]
        print(f"N={n}: built in {time.perf_counter() - begin:.1f} s; facts {facts}", file=sys.stderr, flush=True)
        case_client, analyst_client = login(users["case_director"]), login(analyst)
        path = folder / f"{region.code}.json"
        today = timezone.localdate()
        council = {
            "scope": Scope.region(region).code,
            "first": f"{year}-K1",
            "last": f"{year}-K{(today.month - 1) // 3 + 1}",
            "policy_text": "",
        }

        def regional_figures(region=region, facts=facts):
            with rls.regions(region.pk), report_context():
                for name in facts:
                    figures(FACTS[name], Scope.region(region), Period.year(year))

        def export(region=region, path=path):
            with rls.regions(region.pk):
                document, _missing = aggregate.build_document(region, year)
            aggregate.write_document(document, path)

        def import_and_combine(path=path):
            ImportedAggregate.objects.all().delete()
            aggregate.import_files([path])
            aggregate.national_figures(year)

        steps[n] = {
            "case list": lambda client=case_client: timed_get(client, reverse("cases:case_list")),
            "council report page": lambda c=analyst_client, d=council: timed_post(
                c, council_url, {**d, "format": "pagina"}
            ),
            "council report PDF": lambda c=analyst_client, d=council: timed_post(
                c, council_url, {**d, "format": "pdf"}
            ),
            "regional figures": lambda f=regional_figures: timed(f)[0],
            "export": lambda f=export: timed(f)[0],
            "import + combine": lambda f=import_and_combine: timed(f)[0],
            "national page": lambda client=analyst_client: timed_get(client, reverse("national:figures")),
        }
        export()
        import_and_combine()
        results[n] = {
            "facts": len(facts),
            "queries": {
                "case list": queries_of(lambda client=case_client: client.get(reverse("cases:case_list"))),
                "council report page": queries_of(
                    lambda c=analyst_client, d=council: c.post(council_url, {**d, "format": "pagina"})
                ),
                "council report PDF": queries_of(
                    lambda c=analyst_client, d=council: c.post(council_url, {**d, "format": "pdf"})
                ),
                "regional figures": queries_of(regional_figures),
                "export": queries_of(export),
                "import + combine": queries_of(import_and_combine),
                "national page": queries_of(lambda client=analyst_client: client.get(reverse("national:figures"))),
            },
            "bytes": path.stat().st_size,
        }
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
        f"National report vs case list, median of {repeat} rounds (ms), SQL queries of one run; "
        f"DEBUG={settings.DEBUG}; load average at start {load_at_start}",
        "",
        "| N persons | facts | file bytes | step | queries | ms | ÷ case list |",
        "|---:|---:|---:|---|---:|---:|---:|",
    ]
    for n, row in results.items():
        base = row["ms"]["case list"]
        for step in STEPS:
            ms = row["ms"][step]
            lines.append(
                f"| {n} | {row['facts']} | {row['bytes']} | {step} | {row['queries'][step]} | {ms:.1f} | "
                f"{ms / base:.2f}× |"
            )
    return "\n".join(lines)


def main() -> int:
    sys.argv += [] if "--sizes" in sys.argv else ["--sizes", "5000"]
    sys.argv += [] if "--repeat" in sys.argv else ["--repeat", "5"]
    return run_benchmark(__doc__.splitlines()[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
