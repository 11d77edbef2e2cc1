"""Benchmark: the real server under load at 1, 16 and 64 clients, and processing-log append throughput.

In a dedicated, throw-away database it builds one region of ``--cases`` cases through the
normal services (``bench/list_pages.py``: signal → weighing → inclusion → case) and a
conference with ``--agenda`` cases on its agenda, starts the real server — gunicorn with
``casustafel.conf.gunicorn_config`` as ``casustafel serve`` does (``--workers``, by default
serve's own 2 × CPUs + 1; ``--threads`` > 1 for the gthread worker class), on a loopback port,
plain HTTP (the embedded database is not a deployment, so no TLS redirect and no ``Secure``
cookies) — and gives every simulated client a session of its own (a logged-in,
second-factor-verified session as the login view leaves it, made with Django's
``force_login``; one user per role, so several sessions per user) or, for the API, the
user's personal token.

A closed-loop load generator (threads, one ``http.client`` connection each, the next request
as soon as the answer is read) then requests for ``--seconds`` each, at every concurrency of
``--clients`` (latencies of every answer; throughput counts the answers within the window),
every page as a ratio to the login page and to the trivial authenticated request:

* the login page (GET, anonymous) — the baseline every ratio is taken against;
* a trivial authenticated request: a 404 under the application (session, second factor,
  designation and confidentiality gates, the database scope, the 404 page; no log row);
* the case list, one case's detail page, the work queue (the dashboard ``/``), search (POST
  of one case's reference, with CSRF) — the case director;
* one weighing's detail page — a weighing member;
* the conference agenda (the meeting's detail page) — the process director (chair);
* the council report page (POST) — the analyst;
* the API: the case list and one case (the case director's token), the signal list and one
  signal (the intake officer's token).

Logging overhead: a second server on the same database with the benchmark-only switch
``CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG`` (refused by the settings outside such a
throw-away test database) serves the same case list without writing its log rows; the two
are measured alternately at every concurrency, and the log table is checked to have grown
only through the first.

Then the processing-log append throughput: 1, 4 and 16 threads, each with its own database
connection, calling ``processing_log.services.record`` (a read of one case) for ``--seconds``.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/load.py [--cases 1000] [--seconds 5]

The database is ``test_<name>`` in the embedded server of the data folder; it is created
(migrated) at the start and dropped at the end, so nothing else is touched. The load
generator shares the machine's cores with the server and PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings
from django.db import connection, connections
from django.test.utils import setup_test_environment, teardown_test_environment
from django.urls import reverse

from list_pages import add_cases, build_world, load_average, login
from national_report import add_analyst

LOGIN = "login page (anonymous)"
TRIVIAL = "trivial authenticated (404)"
CASE_LIST = "case list"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_database(url: str, name: str) -> str:
    from urllib.parse import urlparse, urlunparse

    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def start_server(
    port: int,
    args,
    db_name: str,
    extra_env: dict | None = None,
    src: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
) -> subprocess.Popen:
    workers, threads = workers or args.workers, threads or args.threads
    env = dict(os.environ, **(extra_env or {}))
    env.pop("CASUSTAFEL_DB_ROLE", None)  # the server runs as the application role, as deployed
    for key in ("DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_MAINTENANCE_URL"):
        if env.get(key):
            env[key] = with_database(env[key], db_name)
    src = src or str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    log = open(Path(settings.DATA_DIR) / f"bench-load-gunicorn-{port}.log", "wb")  # noqa: SIM115 (lives with the server)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "casustafel.wsgi:application",
            "--config",
            "python:casustafel.conf.gunicorn_config",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *(["--threads", str(threads)] if threads > 1 else []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/inloggen/", {})
            if status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"the server did not answer within 90 s; see {log.name}")


def request(port: int, method: str, path: str, headers: dict, body: str | None = None, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        return response.status, data
    finally:
        if own:
            conn.close()


class Session:
    """One simulated client: a session cookie (and a CSRF token for the POSTs)."""

    def __init__(self, port: int, user=None, token: str = ""):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.token = token
        if user is not None:
            self.cookies[settings.SESSION_COOKIE_NAME] = login(user).cookies[settings.SESSION_COOKIE_NAME].value

    def headers(self, post: bool = False) -> dict:
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"} if self.token else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if post:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        return headers

    def fetch_csrf(self, path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path, headers=self.headers())
        response = conn.getresponse()
        html = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.partition(";")[0]
        conn.close()
        assert response.status == 200, (path, response.status)
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def form(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


def closed_loop(port: int, sessions: list[Session], make, seconds: float) -> dict:
    """``len(sessions)`` threads, each requesting ``make(session)`` back to back for ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    statuses: set[int] = set()
    completed = [0]  # answers received within the window: the throughput
    lock = threading.Lock()
    start_at = time.monotonic() + 0.2
    stop_at = start_at + seconds

    def client(session: Session) -> None:
        mine, bad, in_window = [], 0, [0]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            method, path, body, expected = make(session)
            begin = time.perf_counter()
            try:
                status, _ = request(port, method, path, session.headers(method == "POST"), body, conn)
            except OSError:
                status = 0
                conn.close()
            elapsed = (time.perf_counter() - begin) * 1000
            if status == expected:
                mine.append(elapsed)
                if time.monotonic() <= stop_at:
                    in_window[0] += 1
            else:
                bad += 1
                statuses.add(status)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad
            completed[0] += in_window[0]

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    n = len(latencies)
    return {
        "n": n,
        "errors": errors[0],
        "unexpected": sorted(statuses),
        "p50": statistics.median(latencies) if n else float("nan"),
        "p95": latencies[min(n - 1, int(0.95 * n))] if n else float("nan"),
        "rps": completed[0] / seconds,
        "latencies": latencies,
    }


def brief(result: dict) -> dict:
    """A result without its latencies, to print."""
    return {key: value for key, value in result.items() if key != "latencies"}


def append_throughput(user, case, region_id, writers: int, seconds: float) -> dict:
    from casustafel.access import rls
    from casustafel.processing_log.models import Action, Purpose
    from casustafel.processing_log.services import record

    counts = [0] * writers
    start_at = time.monotonic() + 0.5
    stop_at = start_at + seconds

    def writer(i: int) -> None:
        rls.extend(region_id)
        record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[case])  # connect, warm
        while time.monotonic() < start_at:
            time.sleep(0.001)
        while time.monotonic() < stop_at:
            record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[case])
            counts[i] += 1
        connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"records": sum(counts), "per_s": sum(counts) / seconds}


def add_people(region, orgs) -> dict:
    """The process director (chair of the conferences) beside ``build_world``'s users."""
    from casustafel.accounts.models import Role, User
    from casustafel.accounts.selectors import confidentiality_text_in_force
    from casustafel.accounts.services import acknowledge_confidentiality, designate, ensure_totp_device

    user = User(
        username=f"chair.{region.code}", organisation=orgs["zvh"], role=Role.PROCESS_DIRECTOR, last_name="Voorzitter"
    )
    user.set_unusable_password()
    user.save()
    ensure_totp_device(user)
    acknowledge_confidentiality(user, version=confidentiality_text_in_force().version)
    designate(None, user=user, purpose="processing", valid_from=date(2025, 7, 1), designated_by="Bench")
    return user


def add_meeting(chair, cases):
    """A conference a week ahead, 10:00–12:00 local time, with ``cases`` on its agenda."""
    from django.utils import timezone

    from casustafel.meetings.services import add_agenda_item, schedule_meeting

    day = timezone.localdate() + timedelta(days=7)
    starts = timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=10)))
    meeting = schedule_meeting(
        chair, starts_at=starts, ends_at=starts + timedelta(hours=2), location="Zaal 1 (fictief)"
    )
    for case in cases:
        add_agenda_item(chair, meeting=meeting, case=case)
    return meeting


def log_rows() -> int:
    from casustafel.access import rls
    from casustafel.processing_log.models import ProcessingLogEntry

    with rls.all_regions():
        return ProcessingLogEntry.objects.count()


def run(args) -> dict:
    from django.utils import timezone

    from casustafel.accounts.services import create_api_token
    from casustafel.cases.models import Case
    from casustafel.reporting.scope import Scope
    from casustafel.signals.models import Signal
    from casustafel.weighing.models import Weighing

    begin = time.perf_counter()
    region, orgs, users = build_world("load")
    add_cases(region, orgs, users, 0, args.cases)
    analyst = add_analyst(region, orgs)
    chair = add_people(region, orgs)
    cases = list(Case.objects.filter(region=region).order_by("reference")[: max(1, args.agenda)])
    case = cases[0]
    meeting = add_meeting(chair, cases[: args.agenda])
    weighing = Weighing.objects.filter(subject=case.subject).first() or Weighing.objects.first()
    signal = Signal.objects.filter(subject=case.subject).first() or Signal.objects.first()
    director_token = create_api_token(users["case_director"])
    intake_token = create_api_token(users["intake"])
    built = time.perf_counter() - begin
    print(f"{args.cases} cases built in {built:.1f} s", file=sys.stderr, flush=True)
    db_name = connection.settings_dict["NAME"]
    port, quiet_port = free_port(), free_port()
    server = start_server(port, args, db_name)
    # The same case list without its log rows: the benchmark-only switch, on a second server.
    quiet = (
        start_server(quiet_port, args, db_name, {"CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG": "true"})
        if args.overhead
        else None
    )
    # A baseline: the same server from another source tree (an earlier commit's worktree), same database.
    base_port = free_port()
    baseline = (
        start_server(
            base_port,
            args,
            db_name,
            src=args.baseline_src,
            workers=args.baseline_workers,
            threads=args.baseline_threads,
        )
        if args.baseline_src
        else None
    )
    try:
        most = max(args.clients)
        anonymous = [Session(port) for _ in range(most)]
        directors = [Session(port, users["case_director"]) for _ in range(most)]
        for s in directors:
            s.fetch_csrf(reverse("search:search"))
        weighers = [Session(port, users["weigher_gemeente"]) for _ in range(most)]
        chairs = [Session(port, chair) for _ in range(most)]
        analysts = [Session(port, analyst) for _ in range(most)]
        for s in analysts:
            s.fetch_csrf(reverse("reporting:council_report"))
        director_api = [Session(port, token=director_token) for _ in range(most)]
        intake_api = [Session(port, token=intake_token) for _ in range(most)]
        today = timezone.localdate()
        report_form = {
            "scope": Scope.region(region).code,
            "first": f"{today.year}-K1",
            "last": f"{today.year}-K{(today.month - 1) // 3 + 1}",
            "policy_text": "",
            "format": "pagina",
        }
        council_url = reverse("reporting:council_report")
        case_list = reverse("cases:case_list")
        pages = {
            LOGIN: (anonymous, lambda s: ("GET", "/inloggen/", None, 200)),
            TRIVIAL: (directors, lambda s: ("GET", "/bench-bestaat-niet/", None, 404)),
            CASE_LIST: (directors, lambda s: ("GET", case_list, None, 200)),
            "case detail": (directors, lambda s: ("GET", reverse("cases:case_detail", args=[case.pk]), None, 200)),
            "weighing detail (weigher)": (
                weighers,
                lambda s: ("GET", reverse("weighing:weighing_detail", args=[weighing.pk]), None, 200),
            ),
            f"conference agenda, {args.agenda} items (chair)": (
                chairs,
                lambda s: ("GET", reverse("meetings:meeting_detail", args=[meeting.pk]), None, 200),
            ),
            "work queue (dashboard)": (directors, lambda s: ("GET", "/", None, 200)),
            "search (POST, one reference)": (
                directors,
                lambda s: ("POST", "/zoeken/", form({"csrfmiddlewaretoken": s.csrf, "q": case.reference}), 200),
            ),
            "council report page (POST, analyst)": (
                analysts,
                lambda s: ("POST", council_url, form({"csrfmiddlewaretoken": s.csrf, **report_form}), 200),
            ),
            "API case list": (director_api, lambda s: ("GET", "/api/v1/cases", None, 200)),
            "API case": (director_api, lambda s: ("GET", f"/api/v1/cases/{case.pk}", None, 200)),
            "API signal list": (intake_api, lambda s: ("GET", "/api/v1/signals", None, 200)),
            "API signal": (intake_api, lambda s: ("GET", f"/api/v1/signals/{signal.pk}", None, 200)),
        }
        list_request = pages[CASE_LIST][1]
        if args.pages:
            # Only the pages asked for (a name containing one of the words), the two references always.
            pages = {
                name: page
                for name, page in pages.items()
                if name in (LOGIN, TRIVIAL) or any(word.lower() in name.lower() for word in args.pages)
            }
        # Warm every worker on every page (templates, connections) before measuring.
        for _name, (sessions, make) in pages.items():
            closed_loop(port, sessions[: 2 * args.workers], make, 1.0)
        if quiet:
            closed_loop(quiet_port, directors[: 2 * args.workers], list_request, 2.0)
        if baseline:
            for _name, (sessions, make) in pages.items():
                closed_loop(base_port, sessions[: 2 * args.workers], make, 1.0)
        results: dict = {}
        overhead: dict = {}
        versus: dict = {}
        for clients in sorted(args.clients):
            for name, (sessions, make) in pages.items():
                if name.startswith("council") and clients > args.report_clients:
                    continue
                results[(name, clients)] = closed_loop(port, sessions[:clients], make, args.seconds)
                print(name, clients, brief(results[(name, clients)]), file=sys.stderr, flush=True)
            if baseline:
                # Baseline and this tree one after the other, page by page, twice (A B A B): under a
                # changing machine load the pair is comparable, the absolute figures are not.
                for name, (sessions, make) in pages.items():
                    if name.startswith("council"):
                        continue
                    runs: dict = {"baseline": [], "now": []}
                    for _round in range(2):
                        runs["baseline"].append(closed_loop(base_port, sessions[:clients], make, args.seconds / 2))
                        runs["now"].append(closed_loop(port, sessions[:clients], make, args.seconds / 2))
                    versus[(name, clients)] = {key: merge(value) for key, value in runs.items()}
                    print("versus", name, clients, versus[(name, clients)], file=sys.stderr, flush=True)
            if not quiet:
                continue
            # Logging overhead: the same page, with and without its log rows, one after the other.
            before = log_rows()
            without = closed_loop(quiet_port, directors[:clients], list_request, args.seconds)
            assert log_rows() == before, "the server without the processing log wrote log rows"
            before = log_rows()
            logged = closed_loop(port, directors[:clients], list_request, args.seconds)
            assert log_rows() > before, "the case list wrote no log rows"
            overhead[clients] = (logged, without)
            print("overhead", clients, brief(logged), brief(without), file=sys.stderr, flush=True)
    finally:
        for process in filter(None, (server, quiet, baseline)):
            process.terminate()
            process.wait(timeout=30)
    appends = {}
    if args.appends:
        for writers in (1, 4, 16):
            appends[writers] = append_throughput(users["case_director"], case, region.pk, writers, args.seconds)
            print("append", writers, appends[writers], file=sys.stderr, flush=True)
    return {"pages": results, "overhead": overhead, "appends": appends, "built": built, "versus": versus}


def merge(runs: list[dict]) -> dict:
    """Two closed-loop runs of the same page as one: their answers' p50/p95 and their rate."""
    latencies = sorted(x for r in runs for x in r["latencies"])
    return {
        "n": len(latencies),
        "errors": sum(r["errors"] for r in runs),
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "rps": sum(r["rps"] for r in runs) / len(runs),
    }  # no latencies: printed as is


def report(results: dict, args, load_at_start: str) -> str:
    pages = results["pages"]
    names = list(dict.fromkeys(name for name, _ in pages))
    worker = (
        f"{args.workers} gthread workers × {args.threads} threads"
        if args.threads > 1
        else f"{args.workers} sync workers"
    )
    lines = [
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000} (embedded), gunicorn {worker}, "
        f"DEBUG={settings.DEBUG}; {args.cases} cases in one region (built in {results['built']:.0f} s), "
        f"{args.agenda} on the conference agenda; {args.seconds:g} s per page and concurrency; load average "
        f"(1/5/15 min) at the start {load_at_start}, at the end {load_average()}",
        "",
        "| page | clients | requests | errors | p50 ms | p95 ms | req/s | p50 / login | p95 / login "
        "| p50 / trivial auth. | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in names:
        for clients in sorted(args.clients):
            r = pages.get((name, clients))
            if r is None:
                continue
            base = pages[(LOGIN, clients)]
            trivial = pages[(TRIVIAL, clients)]
            target = ""
            if name == CASE_LIST and clients == 16:
                target = f"p50 ≤ 50, p95 ≤ 150: {'met' if r['p50'] <= 50 and r['p95'] <= 150 else 'not met'}"
            if name == TRIVIAL:
                target = f"≤ 2× login: {'met' if r['p50'] <= 2 * base['p50'] else 'not met'}"
            lines.append(
                f"| {name} | {clients} | {r['n']} | {r['errors']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['rps']:.1f} "
                f"| {r['p50'] / base['p50']:.2f} | {r['p95'] / base['p95']:.2f} | {r['p50'] / trivial['p50']:.2f} "
                f"| {target} |"
            )
    lines += (
        []
        if not results["overhead"]
        else [
            "",
            "| logging overhead: case list | clients | p50 ms with log | p50 ms without | p95 with | p95 without "
            "| req/s with | req/s without | p50 overhead | target |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
    )
    for clients, (logged, without) in results["overhead"].items():
        extra = logged["p50"] / without["p50"] - 1
        lines.append(
            f"| | {clients} | {logged['p50']:.1f} | {without['p50']:.1f} | {logged['p95']:.1f} | {without['p95']:.1f} "
            f"| {logged['rps']:.1f} | {without['rps']:.1f} | {extra:+.0%} "
            f"| ≤ 10 %: {'met' if extra <= 0.10 else 'not met'} |"
        )
    versus = results.get("versus") or {}
    if versus:
        lines += [
            "",
            f"Baseline `{args.baseline_src}` ({args.baseline_workers or args.workers} workers × "
            f"{args.baseline_threads or args.threads} threads) against this tree, interleaved "
            f"(A B A B, {args.seconds / 2:g} s each):",
            "",
            "| page | clients | p50 ms baseline → now | p95 ms baseline → now | req/s baseline → now "
            "| p50 now ÷ baseline | p50 / login baseline → now |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for (name, clients), pair in versus.items():
            a, b = pair["baseline"], pair["now"]
            la, lb = versus[(LOGIN, clients)]["baseline"], versus[(LOGIN, clients)]["now"]
            lines.append(
                f"| {name} | {clients} | {a['p50']:.1f} → {b['p50']:.1f} | {a['p95']:.1f} → {b['p95']:.1f} "
                f"| {a['rps']:.1f} → {b['rps']:.1f} | {b['p50'] / a['p50']:.2f} "
                f"| {a['p50'] / la['p50']:.2f} → {b['p50'] / lb['p50']:.2f} |"
            )
    appends = results["appends"]
    if appends:
        one = appends[1]["per_s"]
        lines += ["", "| log writers | records | records/s | ÷ 1 writer | target |", "|---:|---:|---:|---:|---|"]
        for writers, a in appends.items():
            ratio = a["per_s"] / one
            target = f"≥ 4×: {'met' if ratio >= 4 else 'not met'}" if writers == 16 else ""
            lines.append(f"| {writers} | {a['records']} | {a['per_s']:.0f} | {ratio:.2f} | {target} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2 + 1))  # as `casustafel serve`
    parser.add_argument("--threads", type=int, default=1, help="> 1: gunicorn's gthread worker class")
    parser.add_argument(
        "--pages",
        nargs="+",
        default=[],
        help="only the pages whose name contains one of these words (the login page and the 404 always)",
    )
    parser.add_argument(
        "--baseline-src",
        default="",
        help="src folder of another tree (e.g. a worktree of an earlier commit): its server is measured "
        "interleaved with this one on the same database",
    )
    parser.add_argument("--baseline-workers", type=int, default=0, help="the baseline's workers (default: --workers)")
    parser.add_argument("--baseline-threads", type=int, default=0, help="the baseline's threads (default: --threads)")
    parser.add_argument("--agenda", type=int, default=20, help="cases on the conference agenda")
    parser.add_argument("--report-clients", type=int, default=16, help="the council report only up to this many")
    parser.add_argument("--no-appends", dest="appends", action="store_false", help="skip the log append throughput")
    parser.add_argument(
        "--no-log-overhead", dest="overhead", action="store_false", help="skip the server without the processing log"
    )
    args = parser.parse_args()

    load_at_start = load_average()
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        results = run(args)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(report(results, args, load_at_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
