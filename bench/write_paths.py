"""Benchmark: do the write paths stay flat as a region grows?

In a dedicated, throw-away database it builds one region per size N (10, 100, 1000)
holding N signals and N cases, with the same builder as ``bench/list_pages.py`` (every
record through the normal services). Then, per round and per size, it takes one new
person through the hot write path with the Django test client, each request by a
logged-in user of that region (second factor verified):

* register a signal              POST /signalen/nieuw/                      (intake officer)
* propose the decision           POST /wegingen/<id>/besluit/               (weegploeg, gemeente)
* confirm, second core party     POST /wegingen/<id>/besluit/bevestigen/    (weegploeg, politie)
* confirm, third core party      POST /wegingen/<id>/besluit/bevestigen/    (weegploeg, OM): the
  eensluidende beoordeling (art. 5 lid 3 Wet PGA) takes effect, the signal is concluded
  and the case opened

Between the first two requests, untimed, the signal goes to the weegploeg and gemeente,
politie and OM contribute (through the services). The decision is an inclusion with one
participating organisation, so the last confirmation opens a case.

Each size's round runs in one transaction that is rolled back at its end, as the test
suite does: every round starts from exactly N signals and N cases, and the query counts
include the savepoints of the services' transactions, so they compare one to one with the
pinned counts of ``tests/test_write_query_counts.py``. The commit (WAL flush) is therefore
not in the times; it does not depend on N.

It reports the number of SQL queries per request (one untimed round after one warm-up
round) and the median wall time over ``--repeat`` rounds, interleaved round-robin over
the sizes so background load hits all alike, plus both as ratios to the smallest N
measured in the same run.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/write_paths.py [--sizes 10 100 1000] [--repeat 20]

The database (``bench_write_paths`` in the embedded server of the data folder) is created
(migrated) at the start and dropped at the end, so nothing else is touched.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
import uuid

os.environ.setdefault("CASUSTAFEL_TEST_DB_NAME", "bench_write_paths")

# Importing the list-page benchmark sets up Django (settings, data folder, owner role) as it
# does there, so Django's own imports come after it.
from list_pages import add_cases, build_world, load_average, login, run_benchmark

# isort: split
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

WRITES = ("register signal", "propose decision", "confirm, 2nd party", "confirm, 3rd party (into effect)")


def intake_form(family_name: str) -> dict:
    return {
        "given_names": "Schrijf",
        "family_name": family_name,
        "date_of_birth": "1995-06-15",
        "gender": "man",
        "municipality": "Bench",
        "bsn": "",
        "source_type": "politie",
        "source_description": "Wijkagent (fictief)",
        "phenomenon": "rechts_extremistisch",
        "facts": "Deelt gewelddadige teksten (fictief).",
        "opinions": "",
        "counter_indications": "",
        "urgency": "normaal",
        "observed_on": "",
        "submission": str(uuid.uuid4()),
        "legal_basis": "wet-pga",
        "classification": "ordinary",
        "visibility": "all_participants",
    }


def decision_form(world) -> dict:
    from casustafel.weighing.models import Outcome

    return {
        "outcome": Outcome.INCLUDE,
        "rationale": "Samenhangende zorgen (fictief).",
        "dissent": "",
        "referral_target": "",
        "information_deadline": "",
        "case_director": str(world["users"]["case_director"].pk),
        "participants": [str(world["orgs"]["reclassering"].pk)],
        "participants_reason": "Toezicht (fictief)",
        "participants_legal_basis": "",
    }


def contribute(world, weighing) -> None:
    """Gemeente, politie and OM each contribute (untimed, through the services)."""
    from casustafel.weighing.models import Assessment, Outcome
    from casustafel.weighing.services import ContributionData, submit_contribution

    data = ContributionData(
        holds_information=True,
        information="Bekend (fictief).",
        view=Outcome.INCLUDE,
        view_rationale="Zorgen (fictief).",
        assessments={c.code: (Assessment.PRESENT, "Onderbouwing.") for c in weighing.framework.criteria.all()},
        legal_basis="wet-pga",
        classification="ordinary",
        visibility="all_participants",
    )
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        submit_contribution(world["users"][key], weighing=weighing, data=data)


def post(client, url: str, data: dict, *, measure: str):
    """POST; (elapsed ms, queries or None, response). ``measure`` is ``time`` or ``queries``."""
    if measure == "queries":
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, data)
        return 0.0, len(ctx.captured_queries), response
    begin = time.perf_counter()
    response = client.post(url, data)
    return (time.perf_counter() - begin) * 1000, None, response


def one_round(world, label: str, measure: str) -> dict:
    """One new person through the write path in ``world``'s region, rolled back afterwards.

    Returns ``{write: ms or query count}``."""
    from casustafel.cases.models import Case
    from casustafel.flow.services import send_to_weighing
    from casustafel.signals.models import Signal
    from casustafel.weighing.models import DecisionStatus

    out = {}
    clients = world["clients"]
    with transaction.atomic():
        ms, q, response = post(
            clients["intake"], reverse("signals:signal_create"), intake_form(f"Schrijf-{label}"), measure=measure
        )
        assert response.status_code == 302, ("register", response.status_code)
        out["register signal"] = q if measure == "queries" else ms
        signal = Signal.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])

        signal = send_to_weighing(world["users"]["intake"], signal=signal)
        weighing = signal.weighing
        contribute(world, weighing)

        decide = reverse("weighing:weighing_decide", args=[weighing.pk])
        ms, q, response = post(clients["weigher_gemeente"], decide, decision_form(world), measure=measure)
        assert response.status_code == 302, ("propose", response.status_code)
        out["propose decision"] = q if measure == "queries" else ms

        confirm = reverse("weighing:decision_confirm", args=[weighing.pk])
        for key, write in (("weigher_politie", WRITES[2]), ("weigher_om", WRITES[3])):
            ms, q, response = post(clients[key], confirm, {"agrees": "1", "reason": ""}, measure=measure)
            assert response.status_code == 302, (write, response.status_code)
            out[write] = q if measure == "queries" else ms

        decision = weighing.decisions.get()
        assert decision.status == DecisionStatus.IN_EFFECT, decision.status
        assert Case.objects.filter(origin_decision=decision).exists()
        transaction.set_rollback(True)
    return out


def run(sizes: list[int], repeat: int) -> dict:
    from casustafel.cases.models import Case
    from casustafel.signals.models import Signal

    worlds = {}
    for n in sizes:
        begin = time.perf_counter()
        region, orgs, users = build_world(f"bench-w{n}")
        add_cases(region, orgs, users, 0, n)
        assert Signal.objects.filter(region=region).count() == n == Case.objects.filter(region=region).count()
        print(f"N={n}: built in {time.perf_counter() - begin:.1f} s", file=sys.stderr, flush=True)
        clients = {key: login(users[key]) for key in ("intake", "weigher_gemeente", "weigher_politie", "weigher_om")}
        worlds[n] = {"region": region, "orgs": orgs, "users": users, "clients": clients}
    for n in sizes:
        one_round(worlds[n], "warm", "time")  # warm up (templates, cached lookups)
    queries = {n: one_round(worlds[n], "count", "queries") for n in sizes}
    times = {n: {write: [] for write in WRITES} for n in sizes}
    for r in range(repeat):
        for n in sizes:
            for write, ms in one_round(worlds[n], str(r), "time").items():
                times[n][write].append(ms)
    # Every round was rolled back: each region still holds exactly N signals and N cases.
    for n in sizes:
        assert Signal.objects.filter(region=worlds[n]["region"]).count() == n
    return {n: {write: (queries[n][write], statistics.median(times[n][write])) for write in WRITES} for n in sizes}


def report(results: dict, repeat: int, load_at_start: str) -> str:
    sizes = sorted(results)
    base = sizes[0]
    lines = [
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000} (embedded), DEBUG={settings.DEBUG}; median of {repeat} "
        f"rounds; load average (1/5/15 min) at the start {load_at_start}, at the end {load_average()}",
        "",
        f"| write | N | queries | median ms | queries / N={base} | time / N={base} | time / previous N |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for write in WRITES:
        q0, t0 = results[base][write]
        previous = t0
        for n in sizes:
            q, t = results[n][write]
            lines.append(
                f"| {write} | {n} | {q} | {t:.1f} | {q / q0:.2f} | {t / t0:.2f} | "
                f"{'–' if n == base else f'{t / previous:.2f}'} |"
            )
            previous = t
    return "\n".join(lines)


def main() -> int:
    return run_benchmark(__doc__.split("\n")[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
