"""Benchmark: the real server under load at 1, 16 and 64 clients, and processing-log append throughput.

In a dedicated, throw-away database it builds one region of ``--cases`` cases through the
normal services (``bench/list_pages.py``: signal → weighing → inclusion → case), starts the
real server — gunicorn with ``casustafel.conf.gunicorn_config`` as ``casustafel serve`` does,
``--workers`` workers, on a loopback port, plain HTTP (the embedded database is not a
deployment, so no TLS redirect and no ``Secure`` cookies) — and gives every simulated client
a session of its own (a logged-in, second-factor-verified session as the login view leaves
it, made with Django's ``force_login``; one user per role, so several sessions per user).

A closed-loop load generator (threads, one ``http.client`` connection each, the next request
as soon as the answer is read) then requests for ``--seconds`` each, at every concurrency of
``--clients`` (latencies of every answer; throughput counts the answers within the window):

* the login page (GET, anonymous) — the baseline every ratio is taken against;
* a trivial authenticated request: a 404 under the application (middleware, session, second
  factor, no view, no log row);
* the case list, one case's detail page, the work queue (the dashboard ``/``) — case director;
* search (POST of one case's reference, with CSRF) — case director;
* the council report page (POST, the analyst) — at one client only.

Then the processing-log append throughput: 1, 4 and 16 threads, each with its own database
connection, calling ``processing_log.services.record`` (a read of one case) for ``--seconds``.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/load.py [--cases 2000] [--seconds 5]

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings
from django.db import connection, connections
from django.test.utils import setup_test_environment, teardown_test_environment
from django.urls import reverse

from list_pages import add_cases, build_world, load_average, login
from national_report import add_analyst


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_database(url: str, name: str) -> str:
    from urllib.parse import urlparse, urlunparse

    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def start_server(port: int, workers: int, db_name: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("CASUSTAFEL_DB_ROLE", None)  # the server runs as the application role, as deployed
    for key in ("DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_MAINTENANCE_URL"):
        if env.get(key):
            env[key] = with_database(env[key], db_name)
    src = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    log = open(Path(settings.DATA_DIR) / "bench-load-gunicorn.log", "wb")  # noqa: SIM115 (lives with the server)
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

    def __init__(self, port: int, user=None):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        if user is not None:
            self.cookies[settings.SESSION_COOKIE_NAME] = login(user).cookies[settings.SESSION_COOKIE_NAME].value

    def headers(self, post: bool = False) -> dict:
        headers = {}
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
    }


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


def run(args) -> dict:
    from casustafel.cases.models import Case

    begin = time.perf_counter()
    region, orgs, users = build_world("load")
    add_cases(region, orgs, users, 0, args.cases)
    analyst = add_analyst(region, orgs)
    built = time.perf_counter() - begin
    print(f"{args.cases} cases built in {built:.1f} s", file=sys.stderr, flush=True)
    case = Case.objects.filter(region=region).order_by("reference").first()
    port = free_port()
    server = start_server(port, args.workers, connection.settings_dict["NAME"])
    try:
        most = max(args.clients)
        anonymous = [Session(port) for _ in range(most)]
        directors = [Session(port, users["case_director"]) for _ in range(most)]
        for s in directors:
            s.fetch_csrf(reverse("search:search"))
        council = Session(port, analyst)
        council.fetch_csrf(reverse("reporting:council_report"))
        from django.utils import timezone

        from casustafel.reporting.scope import Scope

        today = timezone.localdate()
        council_body = form(
            {
                "csrfmiddlewaretoken": council.csrf,
                "scope": Scope.region(region).code,
                "first": f"{today.year}-K1",
                "last": f"{today.year}-K{(today.month - 1) // 3 + 1}",
                "policy_text": "",
                "format": "pagina",
            }
        )
        detail_url = reverse("cases:case_detail", args=[case.pk])
        pages = {
            "login page (anonymous)": (anonymous, lambda s: ("GET", "/inloggen/", None, 200)),
            "trivial authenticated (404)": (directors, lambda s: ("GET", "/bench-bestaat-niet/", None, 404)),
            "case list": (directors, lambda s: ("GET", reverse("cases:case_list"), None, 200)),
            "case detail": (directors, lambda s: ("GET", detail_url, None, 200)),
            "work queue (dashboard)": (directors, lambda s: ("GET", "/", None, 200)),
            "search (POST, one reference)": (
                directors,
                lambda s: ("POST", "/zoeken/", form({"csrfmiddlewaretoken": s.csrf, "q": case.reference}), 200),
            ),
        }
        # Warm every worker on every page (templates, connections) before measuring.
        for _name, (sessions, make) in pages.items():
            closed_loop(port, sessions[:4], make, 1.0)
        results: dict = {}
        for clients in sorted(args.clients):
            for name, (sessions, make) in pages.items():
                results[(name, clients)] = closed_loop(port, sessions[:clients], make, args.seconds)
                print(name, clients, results[(name, clients)], file=sys.stderr, flush=True)
            if clients == 1:
                results[("council report page (analyst)", 1)] = closed_loop(
                    port,
                    [council],
                    lambda s: ("POST", reverse("reporting:council_report"), council_body, 200),
                    args.seconds,
                )
                print("council", results[("council report page (analyst)", 1)], file=sys.stderr, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    appends = {}
    for writers in (1, 4, 16):
        appends[writers] = append_throughput(users["case_director"], case, region.pk, writers, args.seconds)
        print("append", writers, appends[writers], file=sys.stderr, flush=True)
    return {"pages": results, "appends": appends, "built": built}


def report(results: dict, args, load_at_start: str) -> str:
    pages = results["pages"]
    names = list(dict.fromkeys(name for name, _ in pages))
    lines = [
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000} (embedded), gunicorn {args.workers} sync workers, "
        f"DEBUG={settings.DEBUG}; {args.cases} cases in one region (built in {results['built']:.0f} s); "
        f"{args.seconds:g} s per page and concurrency; load average (1/5/15 min) at the start {load_at_start}, "
        f"at the end {load_average()}",
        "",
        "| page | clients | requests | errors | p50 ms | p95 ms | req/s | p50 / login | p95 / login | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in names:
        for clients in sorted(args.clients):
            r = pages.get((name, clients))
            if r is None:
                continue
            base = pages[("login page (anonymous)", clients)]
            target = ""
            if name == "case list" and clients == 16:
                target = f"p50 ≤ 50, p95 ≤ 150: {'met' if r['p50'] <= 50 and r['p95'] <= 150 else 'not met'}"
            if name.startswith("trivial"):
                target = f"≤ 2× login: {'met' if r['p50'] <= 2 * base['p50'] else 'not met'}"
            lines.append(
                f"| {name} | {clients} | {r['n']} | {r['errors']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['rps']:.1f} "
                f"| {r['p50'] / base['p50']:.2f} | {r['p95'] / base['p95']:.2f} | {target} |"
            )
    appends = results["appends"]
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
    parser.add_argument("--workers", type=int, default=2)
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
