"""Benchmark: two application nodes sharing one PostgreSQL, 200 simulated users (issue 15 item 4).

In a dedicated, throw-away database (as ``bench/load.py``) it builds one region of ``--cases``
cases through the normal services and ``--users`` professionals (participants of the
reclassering, which takes part in every case), each with a real password and a TOTP device.
It starts two application nodes — two gunicorn servers as ``casustafel serve`` runs them,
``--workers`` sync workers each, on two loopback ports, both connected to the one embedded
PostgreSQL — and then simulates the users:

* each logs in once through the login page (user name, password and the current TOTP code of
  their own device; CSRF as a browser does it), on node A or B, at most two logins per worker
  at a time (a password hash costs a worker most of a second; a TOTP code lives a minute);
* once all are logged in, for ``--seconds``, a realistic mix with think time (uniform ``--think`` seconds between
  requests): the work queue (the dashboard), the case list, a case's detail page, a search
  (POST of a case reference), and writes — open a case's journal and add an update carrying a
  unique marker (POST, answered with a redirect);
* every request goes to the other node than the one before, so each session must be valid on
  both (sessions live in PostgreSQL; the CSRF token is the same on both).

Afterwards it counts, in the database, the journal entries carrying this run's markers: every
write acknowledged with 2xx/3xx must be there ("no lost writes"). It reports requests, error
rate (target < 0.1 %), p50/p95 per node and per page, the login phase, and the writes.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/two_nodes.py [--seconds 60] [--users 200]

The load generator (threads, ``http.client``) shares the machine's cores with both nodes and
PostgreSQL; it is bounded (think time), so the figures are latencies under a steady load, not
a saturation test (that is ``bench/load.py``).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.conf import settings
from django.db import connection, connections
from django.test.utils import setup_test_environment, teardown_test_environment
from django.urls import reverse

from list_pages import add_cases, build_world, load_average  # sets up Django
from load import form, free_port, with_database

#: The mix after logging in: page → weight.
MIX = {"work queue": 20, "case list": 25, "case detail": 25, "search": 10, "journal (GET + POST)": 20}
PASSWORD = "bench-wachtwoord-lang-genoeg-2026"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LEGAL_BASIS = re.compile(r'<select name="legal_basis"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')


def add_users(region, orgs, n: int) -> list:
    """``n`` participants of the reclassering, with a password (the server's own hasher) and TOTP."""
    from casustafel.accounts.models import Role, User
    from casustafel.accounts.selectors import confidentiality_text_in_force
    from casustafel.accounts.services import acknowledge_confidentiality, designate, ensure_totp_device

    template = User(username="template")
    template.set_password(PASSWORD)  # hashed once; every user gets the same hash
    version = confidentiality_text_in_force().version
    users = []
    for i in range(n):
        user = User(
            username=f"knooppunt.{i:03d}",
            organisation=orgs["reclassering"],
            role=Role.PARTICIPANT,
            first_name="Bench",
            last_name=f"Gebruiker {i}",
            password=template.password,
        )
        user.save()
        ensure_totp_device(user)
        acknowledge_confidentiality(user, version=version)  # art. 17
        designate(  # art. 13; the reclassering is a private participant: art. 12 lid 3
            None,
            user=user,
            purpose="processing",
            valid_from=date(2025, 7, 1),
            designated_by="Bench",
            no_commercial_tasks=True,
        )
        users.append(user)
    return users


def authenticator(user):
    """What the user's authenticator app holds: a TOTP generator for their device's secret."""
    from casustafel.accounts.models import AuthenticatorDevice

    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    generator = device.totp()
    return lambda: f"{generator.token():0{device.digits}d}"


def start_node(port: int, workers: int, db_name: str, name: str) -> subprocess.Popen:
    """One application node: gunicorn with the project's config, as ``casustafel serve`` runs it."""
    env = dict(os.environ)
    env.pop("CASUSTAFEL_DB_ROLE", None)  # the application role, as deployed
    for key in ("DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_MAINTENANCE_URL"):
        if env.get(key):
            env[key] = with_database(env[key], db_name)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent / "src") + os.pathsep + env.get("PYTHONPATH", "")
    log = open(Path(settings.DATA_DIR) / f"bench-two-nodes-{name}.log", "wb")  # noqa: SIM115 (lives with the node)
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "casustafel.wsgi:application"]
        + ["--config", "python:casustafel.conf.gunicorn_config", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/inloggen/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"node on port {port} did not answer within 90 s")


class Browser:
    """One simulated user's browser: cookies, the current CSRF token, a connection per node."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.conns = {port: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports}

    def send(self, port: int, method: str, path: str, data: dict | None = None) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if method == "POST":
            body = form({"csrfmiddlewaretoken": self.csrf, **(data or {})})
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"http://127.0.0.1:{port}",
                    "Referer": f"http://127.0.0.1:{port}{path}",
                }
            )
        conn = self.conns[port]
        begin = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            html = response.read().decode(errors="replace")
        except (OSError, http.client.HTTPException):
            conn.close()
            return 0, "", (time.perf_counter() - begin) * 1000
        elapsed = (time.perf_counter() - begin) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.partition(";")[0]
        if response.getheader("Connection", "").lower() == "close":
            conn.close()  # gunicorn's sync workers close; http.client reconnects on the next request
        token = TOKEN.search(html)
        if token:
            self.csrf = token.group(1)
        return response.status, html, elapsed

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


class Window(threading.Barrier):
    """The measured period: it starts when every simulated user has logged in (or failed to)."""

    def __init__(self, users: int, seconds: float):
        self.stop_at = float("inf")
        self.seconds = seconds
        self.started = time.monotonic()
        self.opened_after = float("nan")  # seconds the login wave took
        super().__init__(users, action=self._open)

    def _open(self) -> None:
        self.stop_at = time.monotonic() + self.seconds
        self.opened_after = time.monotonic() - self.started
        print(f"all logged in; measuring for {self.seconds:g} s", file=sys.stderr, flush=True)


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[int, str, float, bool]] = []  # (port, page, ms, ok)
        self.unexpected: dict[tuple[str, int], int] = defaultdict(int)
        self.logins: list[float] = []
        self.failed_logins = 0
        self.acknowledged: set[str] = set()
        self.nodes_per_user: dict[int, set[int]] = defaultdict(set)

    def add(self, user: int, port: int, page: str, status: int, ms: float, expected: tuple[int, ...]) -> bool:
        ok = status in expected
        with self.lock:
            self.samples.append((port, page, ms, ok))
            self.nodes_per_user[user].add(port)
            if not ok:
                self.unexpected[(page, status)] += 1
        return ok


def simulate(i: int, user, code, ports: list[int], cases: list, args, marker: str, results: Results, clock):
    rng = random.Random(i)
    browser = Browser(ports)
    port = ports[i % 2]
    gate, window = clock
    try:
        try:
            with gate:  # a bounded morning wave: the code is read just before it is sent, as a user does
                status, _html, first = browser.send(port, "GET", "/inloggen/")
                status, _html, second = browser.send(
                    port, "POST", "/inloggen/", {"username": user.username, "password": PASSWORD, "otp_token": code()}
                )
        except Exception:  # noqa: BLE001 - counted as a refused login; the others must not wait for it
            status = 0
        logged_in = status == 302
        with results.lock:
            if logged_in:
                results.logins.append(first + second)
            else:
                results.failed_logins += 1
        if logged_in:
            browser.send(port, "GET", "/")  # lands on the dashboard (a fresh CSRF token)
        window.wait(timeout=900)  # everyone is logged in: the measured period starts
        if not logged_in:
            return
        stop_at = window.stop_at
        turn, writes = i, 0
        pages, weights = list(MIX), list(MIX.values())
        while time.monotonic() < stop_at:
            time.sleep(rng.uniform(*args.think))
            if time.monotonic() >= stop_at:
                break
            case_id, reference = rng.choice(cases)
            page = rng.choices(pages, weights)[0]
            turn += 1
            port = ports[turn % 2]  # every request to the other node
            if page == "work queue":
                status, _html, ms = browser.send(port, "GET", "/")
                results.add(i, port, page, status, ms, (200,))
            elif page == "case list":
                status, _html, ms = browser.send(port, "GET", reverse("cases:case_list"))
                results.add(i, port, page, status, ms, (200,))
            elif page == "case detail":
                status, _html, ms = browser.send(port, "GET", reverse("cases:case_detail", args=[case_id]))
                results.add(i, port, page, status, ms, (200,))
            elif page == "search":
                status, _html, ms = browser.send(port, "POST", "/zoeken/", {"q": reference})
                results.add(i, port, page, status, ms, (200,))
            else:
                path = reverse("journal:journal", args=[case_id])
                status, html, ms = browser.send(port, "GET", path)
                if not results.add(i, port, "journal page", status, ms, (200,)):
                    continue
                bases = LEGAL_BASIS.search(html)
                basis = OPTION.findall(bases.group(1))[0] if bases else ""
                writes += 1
                text = f"{marker}-{i}-{writes} Afspraak nagekomen (fictief)."
                turn += 1
                port = ports[turn % 2]  # the form read on one node, posted to the other
                status, _html, ms = browser.send(
                    port,
                    "POST",
                    path,
                    {
                        "text": text,
                        "legal_basis": basis,
                        "data_category": "plan_of_action",
                        "classification": "ordinary",
                        "visibility": "all_participants",
                    },
                )
                if results.add(i, port, "journal update (POST)", status, ms, (302,)) and 200 <= status < 400:
                    with results.lock:
                        results.acknowledged.add(text)
    finally:
        browser.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(args) -> dict:
    from casustafel.cases.models import Case
    from casustafel.journal.models import JournalEntry

    begin = time.perf_counter()
    region, orgs, _people = build_world("nodes")
    add_cases(region, orgs, _people, 0, args.cases)
    users = add_users(region, orgs, args.users)
    built = time.perf_counter() - begin
    print(f"{args.cases} cases and {args.users} users built in {built:.1f} s", file=sys.stderr, flush=True)
    cases = list(Case.objects.filter(region=region).values_list("pk", "reference"))
    db_name = connection.settings_dict["NAME"]
    ports = [free_port(), free_port()]
    while ports[0] == ports[1]:
        ports[1] = free_port()
    nodes = [start_node(port, args.workers, db_name, name) for port, name in zip(ports, "AB", strict=True)]
    marker = f"KNOOP-{uuid.uuid4().hex[:10]}"
    results = Results()
    try:
        for port in ports:
            wait_until_up(port)
        print(f"nodes up on {ports}; logging in {args.users} users", file=sys.stderr, flush=True)
        codes = [authenticator(user) for user in users]  # each user's app; a code is read at login
        # Logins: at most one per worker at a time (a password hash costs a worker about a second, and
        # a TOTP code is only valid for a minute); the mix runs for --seconds once all are in.
        gate = threading.BoundedSemaphore(2 * args.workers)
        window = Window(len(users), args.seconds)
        threads = []
        for i, user in enumerate(users):
            clock = (gate, window)
            threads.append(
                threading.Thread(target=simulate, args=(i, user, codes[i], ports, cases, args, marker, results, clock))
            )
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(timeout=30)
    found = set(JournalEntry.objects.filter(text__startswith=f"{marker}-").values_list("text", flat=True))
    return {
        "results": results,
        "found": found,
        "built": built,
        "ports": ports,
        "cases": len(cases),
        "login_wave": window.opened_after,
    }


def report(outcome: dict, args, load_at_start: str) -> str:
    results: Results = outcome["results"]
    ports = outcome["ports"]
    samples = results.samples
    n = len(samples)
    errors = sum(1 for *_rest, ok in samples if not ok)
    rate = 100 * errors / n if n else float("nan")
    acknowledged, found = results.acknowledged, outcome["found"]
    lost = acknowledged - found
    both = sum(1 for seen in results.nodes_per_user.values() if len(seen) == 2)
    lines = [
        f"Machine: {platform.platform()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000} (embedded, one server for both nodes), 2 nodes × "
        f"{args.workers} gunicorn sync workers, DEBUG={settings.DEBUG}; {outcome['cases']} cases in one region, "
        f"{args.users} users (built in {outcome['built']:.0f} s); {args.seconds:g} s of load after the logins, "
        f"think time {args.think[0]:g}–{args.think[1]:g} s; load average (1/5/15 min) at the start "
        f"{load_at_start}, at the end {load_average()}",
        "",
        f"Logins (password + TOTP, CSRF): {len(results.logins)} ok, {results.failed_logins} refused; "
        f"p50 {statistics.median(results.logins) if results.logins else float('nan'):.0f} ms, "
        f"p95 {percentile(results.logins, 0.95):.0f} ms (GET + POST of the login page; at most "
        f"{2 * args.workers} at a time; all in after {outcome['login_wave']:.0f} s)",
        f"Requests after login: {n}, errors {errors} ({rate:.3f} %; target < 0.1 %: "
        f"{'met' if n and rate < 0.1 else 'not met'}); {n / args.seconds:.1f} req/s; "
        f"{both} of {len(results.nodes_per_user)} users were served by both nodes",
        f"Writes (journal updates): {len(acknowledged)} acknowledged (302), {len(found)} with this run's marker in "
        f"the database, lost {len(lost)} (target 0: {'met' if not lost else 'not met'})",
        "",
        "| node | requests | errors | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, port in zip("AB", ports, strict=True):
        mine = [ms for p, _page, ms, ok in samples if p == port and ok]
        bad = sum(1 for p, *_rest, ok in samples if p == port and not ok)
        lines.append(
            f"| {name} (:{port}) | {len(mine) + bad} | {bad} | {statistics.median(mine) if mine else float('nan'):.1f} "
            f"| {percentile(mine, 0.95):.1f} |"
        )
    lines += ["", "| page | requests | errors | p50 ms | p95 ms |", "|---|---:|---:|---:|---:|"]
    for page in dict.fromkeys(page for _p, page, _ms, _ok in samples):
        mine = [ms for _p, pg, ms, ok in samples if pg == page and ok]
        bad = sum(1 for _p, pg, _ms, ok in samples if pg == page and not ok)
        lines.append(
            f"| {page} | {len(mine) + bad} | {bad} | {statistics.median(mine) if mine else float('nan'):.1f} "
            f"| {percentile(mine, 0.95):.1f} |"
        )
    if results.unexpected:
        lines += [
            "",
            "Unexpected answers (page, status → count): "
            + ", ".join(f"{page} {status} → {count}" for (page, status), count in sorted(results.unexpected.items())),
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--think", type=float, nargs=2, default=[5.0, 15.0], metavar=("MIN", "MAX"))
    args = parser.parse_args()

    load_at_start = load_average()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        outcome = run(args)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(report(outcome, args, load_at_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
