"""Benchmark: partner systems (issue 14 items 2 and 3, ADR 0045).

In a dedicated, throw-away database (created at the start, dropped at the end) it builds one
region with a gemeente and a partner client, then measures through the whole Django stack (the
Django test client: middleware, client-credentials authentication, the intake services, the
processing log):

* ``--count`` aanmeldingen POST /api/v1/referrals, each with a new Idempotency-Key: median and
  95th percentile, against the login page (GET /inloggen/) in the same run;
* the same count of replays (same key, same body: the stored answer);
* webhook delivery: ``--events`` closed-case events queued for one subscription, delivered by
  ``webhooks.deliver_due`` to a local receiver (http.server) that answers 200: deliveries per second.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/partners.py [--count 100] [--events 200]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import threading
import time
import uuid
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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

BODY = {
    "subject": {
        "given_names": "Bench",
        "family_name": "Persoon",
        "date_of_birth": "2001-02-03",
        "gender": "man",
        "municipality": "Bench",
    },
    "source_type": "politie",
    "phenomenon": "rechts_extremistisch",
    "facts": "Deelt gewelddadige teksten in een besloten groep (fictief, benchmark).",
    "legal_basis": "wet-pga",
}


class Ok(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _timed(fn):
    start = time.perf_counter()
    response = fn()
    return time.perf_counter() - start, response.status_code


def _summary(times):
    times = sorted(times)
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def run(count: int, events: int) -> str:
    from casustafel.access import rls
    from casustafel.accounts.models import Organisation, Region
    from casustafel.partners import services, webhooks
    from casustafel.partners.models import EventType

    region = Region.objects.create(code="bench", name="Regio Bench (fictief)")
    rls.extend(region.pk)
    gemeente = Organisation.objects.create(region=region, kind="gemeente", name="Gemeente Bench")
    issued = services.create_client(
        organisation=gemeente, name="Bench", scopes=["aanmelding:schrijven", "webhooks:beheren"]
    )
    token = base64.b64encode(f"{issued.client.client_id}:{issued.secret}".encode()).decode()
    client = Client(HTTP_AUTHORIZATION=f"Basic {token}")

    def submit(key, i):
        body = {**BODY, "subject": {**BODY["subject"], "family_name": f"Persoon{i}"}}
        return client.post("/api/v1/referrals", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)

    login = Client()
    for i in range(3):  # warm up outside the measurement
        submit(f"warm-{i}", -i - 1)
        login.get("/inloggen/")
    keys = [str(uuid.uuid4()) for _ in range(count)]
    created = [_timed(lambda k=k, i=i: submit(k, i)) for i, k in enumerate(keys)]
    replays = [_timed(lambda k=k, i=i: submit(k, i)) for i, k in enumerate(keys)]
    pages = [_timed(lambda: login.get("/inloggen/")) for _ in range(count)]
    errors = sum(1 for _t, s in created if s != 201) + sum(1 for _t, s in replays if s != 201)
    new_p50, new_p95 = _summary([t for t, _s in created])
    replay_p50, replay_p95 = _summary([t for t, _s in replays])
    login_p50, _p95 = _summary([t for t, _s in pages])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    webhooks.subscribe(client=issued.client, url=url, event_types=[EventType.CASE_CLOSED])
    queue_start = time.perf_counter()
    for i in range(events):
        webhooks.enqueue(
            EventType.CASE_CLOSED, organisation_ids=[gemeente.pk], source_key=f"bench:{i}", case=uuid.uuid4()
        )
    queued = time.perf_counter() - queue_start
    start = time.perf_counter()
    delivered = 0
    while delivered < events:
        got = webhooks.deliver_due(limit=100)
        if not got:
            break
        delivered += got
    elapsed = time.perf_counter() - start
    server.shutdown()
    server.server_close()
    return "\n".join(
        [
            f"partner API: {count} aanmeldingen POST /api/v1/referrals (new key each), then {count} replays",
            f"  errors: {errors}",
            f"  new aanmelding: median {new_p50 * 1000:.1f} ms, p95 {new_p95 * 1000:.1f} ms"
            f" -> aanmelding/login = {new_p50 / login_p50:.1f}x",
            f"  replay (stored answer): median {replay_p50 * 1000:.1f} ms, p95 {replay_p95 * 1000:.1f} ms"
            f" -> replay/login = {replay_p50 / login_p50:.1f}x",
            f"  login page GET: median {login_p50 * 1000:.1f} ms",
            f"webhooks: {events} events queued in {queued * 1000:.0f} ms ({events / queued:.0f}/s);"
            f" {delivered} delivered to a local receiver in {elapsed:.2f}s ({delivered / elapsed:.0f}/s, one worker)",
            f"  load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "bench_casustafel_partners"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        report = run(args.count, args.events)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
