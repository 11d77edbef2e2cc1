"""Benchmark: do the list pages stay flat as a region grows?

In a dedicated, throw-away database it builds one region per size N (10, 100, 1000)
holding N signals and N cases, every record created through the normal services
(signal → weighing → three contributions → inclusion → case). For each size it requests,
with the Django test client and a logged-in user of that region (second factor verified):

* the signal list  (/signalen/)
* the case list    (/casussen/)
* one signal's detail page
* the dashboard (/), once as a weegploeg member (signal queue, registrants to inform) and
  once as the case director (open cases, follow-up)

and reports the number of SQL queries per request and the median wall time over
``--repeat`` requests (interleaved over sizes and pages), plus both as ratios to N=10
measured in the same run. Each round is measured twice: with row-level security as
installed (ADR 0014) and with it switched off on every protected table, so the last
column is the cost of the policies themselves (the two round trips that set and reset
the scope are in the query counts of both variants).

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/list_pages.py [--sizes 10 100 1000] [--repeat 20]

The database is ``test_<name>`` in the embedded server of the data folder; it is created
(migrated) at the start and dropped at the end, so nothing else is touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import date, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casustafel.conf.settings")
os.environ.setdefault("CASUSTAFEL_DB_ROLE", "owner")  # creates and drops its own database, as the tests do
os.environ.setdefault("CASUSTAFEL_DATA_DIR", ".state-bench")
warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")

import django

from casustafel.conf.database import ensure_database

ensure_database()

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

PAGES = ("signal list", "case list", "signal detail", "dashboard, weigher", "dashboard, case director")


def build_world(code: str):
    from casustafel.access import rls
    from casustafel.accounts.models import Organisation, Region, Role, User
    from casustafel.accounts.selectors import confidentiality_text_in_force
    from casustafel.accounts.services import acknowledge_confidentiality, designate, ensure_totp_device

    region = Region.objects.create(code=code, name=f"Regio {code} (fictief)")
    rls.extend(region.pk)  # the benchmark itself reads every region it builds
    orgs = {
        kind: Organisation.objects.create(region=region, kind=kind, name=f"{kind} {code}")
        for kind in ("gemeente", "politie", "om", "zvh", "reclassering")
    }
    specs = {
        "intake": ("gemeente", Role.INTAKE_OFFICER),
        "weigher_gemeente": ("gemeente", Role.WEIGHING_MEMBER),
        "weigher_politie": ("politie", Role.WEIGHING_MEMBER),
        "weigher_om": ("om", Role.WEIGHING_MEMBER),
        "case_director": ("zvh", Role.CASE_DIRECTOR),
    }
    users = {}
    for key, (kind, role) in specs.items():
        user = User(username=f"{key}.{code}", organisation=orgs[kind], role=role, first_name="Bench", last_name=key)
        user.set_unusable_password()
        user.save()
        ensure_totp_device(user)
        # Wet PGA art. 17: the duty acknowledged, so every request takes the real check and passes.
        acknowledge_confidentiality(user, version=confidentiality_text_in_force().version)
        # Wet PGA art. 13: designated by the organisation, so the pages are measured, not the refusal.
        designate(None, user=user, purpose="processing", valid_from=date(2025, 7, 1), designated_by="Bench")
        users[key] = user
    return region, orgs, users


def add_cases(region, orgs, users, start: int, stop: int) -> None:
    """Persons ``start``..``stop-1``: one signal each, weighed and included, so one case each."""
    from casustafel.demo import decide_jointly
    from casustafel.flow.services import register_signal, send_to_weighing
    from casustafel.signals.models import Phenomenon, SourceType
    from casustafel.subjects.services import SubjectData
    from casustafel.weighing.models import Assessment, Outcome
    from casustafel.weighing.services import ContributionData, DecisionData, active_framework, submit_contribution

    criteria = list(active_framework(region).criteria.all())
    data = ContributionData(
        holds_information=True,
        information="Bekend (fictief).",
        view=Outcome.INCLUDE,
        view_rationale="Zorgen (fictief).",
        assessments={c.code: (Assessment.PRESENT, "Onderbouwing.") for c in criteria},
        legal_basis="wet-pga",
        classification="ordinary",
        visibility="all_participants",
    )
    for i in range(start, stop):
        subject = SubjectData(
            given_names=f"Persoon{i}",
            family_name="Bench-Fictief",
            date_of_birth=date(1980, 1, 1) + timedelta(days=i),
            gender="man",
            municipality="Bench",
        )
        signal = register_signal(
            users["intake"],
            subject=subject,
            fields={
                "source_type": SourceType.POLICE,
                "phenomenon": Phenomenon.RIGHT_WING,
                "facts": "Deelt gewelddadige teksten (fictief).",
                # Provenance (governance): the intake officer works for a gemeente.
                "legal_basis": "wet-pga",
                "classification": "ordinary",
                "visibility": "all_participants",
            },
        ).signal
        signal = send_to_weighing(users["intake"], signal=signal)
        for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
            submit_contribution(users[key], weighing=signal.weighing, data=data)
        decide_jointly(
            users["weigher_gemeente"],
            weighing=signal.weighing,
            data=DecisionData(
                outcome=Outcome.INCLUDE,
                rationale="Samenhangende zorgen (fictief).",
                case_director=users["case_director"],
                participants=[(orgs["reclassering"], "Toezicht (fictief)")],
            ),
        )


def login(user) -> Client:
    from casustafel.accounts.models import AuthenticatorDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = AuthenticatorDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # warm up (templates, connection)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def timed_get(client: Client, url: str) -> float:
    begin = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - begin) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def run(sizes: list[int], repeat: int) -> dict:
    """One region per size (lists are scoped to the user's region, so each user sees
    exactly N signals and N cases while the tables hold the sum). Requests are
    interleaved round-robin over sizes and pages, so background load hits all alike."""
    from casustafel.cases.models import Case
    from casustafel.signals.models import Signal

    targets = {}
    for n in sizes:
        begin = time.perf_counter()
        region, orgs, users = build_world(f"bench-{n}")
        add_cases(region, orgs, users, 0, n)
        assert Signal.objects.filter(region=region).count() == n == Case.objects.filter(region=region).count()
        print(f"N={n}: built in {time.perf_counter() - begin:.1f} s", file=sys.stderr, flush=True)
        signal_client, case_client = login(users["intake"]), login(users["case_director"])
        weigher_client = login(users["weigher_gemeente"])
        one = Signal.objects.filter(region=region).order_by("registered_at").first()
        targets[n] = {
            "signal list": (signal_client, reverse("signals:signal_list")),
            "case list": (case_client, reverse("cases:case_list")),
            "signal detail": (signal_client, reverse("signals:signal_detail", args=[one.pk])),
            "dashboard, weigher": (weigher_client, reverse("web:dashboard")),
            "dashboard, case director": (case_client, reverse("web:dashboard")),
        }
    queries = {n: {page: count_queries(*targets[n][page]) for page in PAGES} for n in sizes}
    times = {variant: {n: {page: [] for page in PAGES} for n in sizes} for variant in ("rls", "off")}
    for _ in range(repeat):
        for variant in ("rls", "off"):
            switch_rls(variant == "rls")
            for n in sizes:
                for page in PAGES:
                    times[variant][n][page].append(timed_get(*targets[n][page]))
    switch_rls(True)
    return {
        n: {
            page: (queries[n][page], statistics.median(times["rls"][n][page]), statistics.median(times["off"][n][page]))
            for page in PAGES
        }
        for n in sizes
    }


def switch_rls(on: bool) -> None:
    from casustafel.access import rls

    with connection.cursor() as cursor:
        for table in rls.protected_tables():
            if on:
                cursor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
                cursor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            else:
                cursor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
                cursor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def report(results: dict, repeat: int, load_at_start: str) -> str:
    sizes = sorted(results)
    base = sizes[0]
    lines = [
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000} (embedded), DEBUG={settings.DEBUG}; median of {repeat} "
        f"requests; load average (1/5/15 min) at the start {load_at_start}, at the end {load_average()}",
        "",
        f"| page | N | queries | median ms | queries / N={base} | time / N={base} | time / previous N "
        "| ms without RLS | RLS / without |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in PAGES:
        q0, t0, _ = results[base][page]
        previous = t0
        for n in sizes:
            q, t, off = results[n][page]
            lines.append(
                f"| {page} | {n} | {q} | {t:.1f} | {q / q0:.2f} | {t / t0:.2f} | "
                f"{'–' if n == base else f'{t / previous:.2f}'} | {off:.1f} | {t / off:.2f} |"
            )
            previous = t
    return "\n".join(lines)


def run_benchmark(description: str, run, report) -> int:
    """The shared command line of the benchmarks: sizes and repeats, a throw-away test
    database around ``run(sizes, repeat)``, and ``report(results, repeat, load)`` printed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sizes = sorted(args.sizes)

    load_at_start = load_average()
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        results = run(sizes, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(report(results, args.repeat, load_at_start))
    return 0


def main() -> int:
    return run_benchmark(__doc__.split("\n")[0], run, report)


if __name__ == "__main__":
    sys.exit(main())
