"""Benchmark: the public meldpunt (issue 14 item 1, ADR 0044) under a burst of submissions.

In a dedicated, throw-away database (migrated at the start, dropped at the end) it builds one
region with a gemeente and fires ``--rate`` melding submissions per second for ``--seconds``
seconds, each from a different address, through the whole Django stack (middleware, CSP, rate
limit, form, scrypt of the secret code, the processing log) with the Django test client — one
client per worker process (forked, as gunicorn's workers are), requests paced on a fixed schedule. Casustafel
trusts no forwarding header (ADR 0044), so the address is ``REMOTE_ADDR`` in the WSGI environ.
CSRF is not checked by the test client.

It reports errors (any answer but 200), the achieved rate, the median and 95th percentile of the
submission time, and as a ratio the median of the login page (GET /inloggen/) and of the public
form (GET /melden/<regio>/), each requested as often, measured in the same run.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/meldpunt.py [--rate 50] [--seconds 4] [--workers 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import warnings
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casustafel.conf.settings")
os.environ.setdefault("CASUSTAFEL_DB_ROLE", "owner")  # creates and drops its own database, as the tests do
os.environ.setdefault("CASUSTAFEL_DATA_DIR", ".state-bench")
warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")

import django

from casustafel.conf.database import ensure_database

ensure_database()
django.setup()

from django.db import connection, connections
from django.test import Client
from django.test.utils import setup_test_environment, teardown_test_environment

FORM = "application/x-www-form-urlencoded"


def build_region():
    from casustafel.accounts.models import Organisation, Region

    region = Region.objects.create(code="bench", name="Regio Bench (fictief)")
    gemeente = Organisation.objects.create(region=region, kind="gemeente", name="Gemeente Bench")
    return region, gemeente


def _timed(fn):
    start = time.perf_counter()
    response = fn()
    return time.perf_counter() - start, response.status_code


def burst(region, gemeente, *, rate: int, seconds: int, workers: int, first: int = 0):
    total = rate * seconds
    body = {
        "gemeente": str(gemeente.pk),
        "what": "Zorgen over een buurtgenoot die geweld verheerlijkt (fictief, benchmark).",
        "about_name": "",
        "about_age": "",
        "about_place": "",
        "about_other": "",
        "relation": "citizen",
        "contact": "anonymous",
        "reporter_name": "",
        "reporter_contact": "",
        "website": "",
    }
    path = f"/melden/{region.code}/"
    encoded = urlencode(body)
    start = time.perf_counter() + 0.2

    def worker(k: int, out) -> None:
        connections.close_all()  # a forked process opens its own connection
        client = Client()
        timings = []
        for i in range(k, total, workers):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            n = first + i
            address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
            timings.append(
                _timed(lambda address=address: client.post(path, encoded, content_type=FORM, REMOTE_ADDR=address))
            )
        connections.close_all()  # before the database is dropped
        out.put(timings)

    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    processes = [context.Process(target=worker, args=(k, out)) for k in range(workers)]
    for process in processes:
        process.start()
    results = [timing for _ in processes for timing in out.get()]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - start
    return results, elapsed


def gets(path: str, count: int):
    client = Client()
    return [_timed(lambda: client.get(path, REMOTE_ADDR="10.255.0.1")) for _ in range(count)]


def run(rate: int, seconds: int, workers: int) -> str:
    from casustafel.access import rls
    from casustafel.meldpunt.models import PublicReport

    region, gemeente = build_region()
    rls.extend(region.pk)  # the benchmark itself counts what was stored
    # Warm up (templates, URL resolver, the first connection) outside the measurement.
    gets("/inloggen/", 3)
    gets(f"/melden/{region.code}/", 3)
    serial, serial_elapsed = burst(region, gemeente, rate=rate, seconds=1, workers=1, first=10**6)
    serial_median = statistics.median(sorted(t for t, _s in serial))
    results, elapsed = burst(region, gemeente, rate=rate, seconds=seconds, workers=workers)
    times = sorted(t for t, _status in results)
    errors = sum(1 for _t, status in results if status != 200)
    count = len(results)
    login = [t for t, _s in gets("/inloggen/", count)]
    form = [t for t, _s in gets(f"/melden/{region.code}/", count)]
    with rls.regions(region.pk):  # a fresh connection after the workers forked: scope it again
        stored = PublicReport.objects.count() - len(serial)
    p50, p95 = statistics.median(times), times[int(0.95 * (count - 1))]
    login_median, form_median = statistics.median(login), statistics.median(form)
    load = os.getloadavg()[0]
    return "\n".join(
        [
            f"meldpunt burst: {count} submissions at {rate}/s planned over {seconds}s, {workers} worker processes",
            f"  errors: {errors}; stored: {stored}; achieved rate: {count / elapsed:.1f}/s over {elapsed:.2f}s",
            f"  submission in the burst: median {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms",
            f"  one worker, {len(serial)} submissions in {serial_elapsed:.2f}s: median {serial_median * 1000:.1f} ms"
            f" -> serial submission/login = {serial_median / login_median:.1f}x",
            f"  login page GET: median {login_median * 1000:.1f} ms -> submission/login = {p50 / login_median:.1f}x",
            f"  meldpunt form GET: median {form_median * 1000:.1f} ms"
            f" -> form/login = {form_median / login_median:.1f}x",
            f"  load average (1 min) at the end: {load:.2f} on {os.cpu_count()} cores",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        report = run(args.rate, args.seconds, args.workers)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
