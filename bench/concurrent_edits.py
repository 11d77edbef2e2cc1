"""Benchmark/drill: concurrent edits of the same record lose no update (issue 15 item 5, ADR 0052).

In a throw-away database it runs ``--pairs`` pairs of simultaneous edits: in each pair two
threads (each its own database connection, real transactions) read the same case conference
— the version an edit form would carry — wait for each other, and both save a different
location through ``meetings.services.edit_meeting`` with the version they read. ``--lanes``
pairs run at the same time, each on its own meeting. After every pair the stored row is read
back and compared with what the two threads were told:

* lost update — both saves reported success (the first one's change is gone), or the stored
  location is not the one whose save succeeded;
* refused — ``StaleVersion`` (a page answers 409, the API 412).

With ``--without-versions`` the same run passes no version (the behaviour before ADR 0052)
as the control: every pair then loses an update.

    CASUSTAFEL_DATA_DIR=.state-bench .venv/bin/python bench/concurrent_edits.py [--pairs 1000] [--lanes 4]

The database (``bench_concurrent_edits`` in the embedded server of the data folder) is
created and migrated at the start and dropped at the end; nothing else is touched. Exit
status 1 when an update was lost (with versions).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casustafel.conf.settings")
os.environ.setdefault("CASUSTAFEL_DATA_DIR", ".state-bench")
os.environ.setdefault("CASUSTAFEL_TEST_DB_NAME", "bench_concurrent_edits")
os.environ.setdefault("CASUSTAFEL_DB_ROLE", "owner")  # creates and drops its own database, as the tests do
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.factories builds the region

import django

from casustafel.conf.database import ensure_database

ensure_database()
django.setup()

from django.conf import settings
from django.db import connection
from django.utils import timezone


def build(lanes: int):
    """A region with its process director and one planned meeting per lane."""
    from casustafel.access import rls
    from casustafel.meetings import services
    from tests.factories import build_region

    world = build_region("bench")
    rls.extend(world.region.pk)
    chair = world.users["process_director"]
    meetings = []
    for lane in range(lanes):
        day = timezone.localdate() + timedelta(days=7 + lane)
        start = timezone.make_aware(datetime.combine(day, clock(10, 0)))
        meetings.append(
            services.schedule_meeting(chair, starts_at=start, ends_at=start + timedelta(hours=1), location="Start")
        )
    return world.region, chair, meetings


def one_pair(region, chair, meeting_pk, n: int, with_versions: bool) -> dict:
    """Two threads read the meeting, then save a different location at the same moment."""
    from casustafel.access import rls
    from casustafel.core.concurrency import StaleVersion
    from casustafel.meetings import services
    from casustafel.meetings.models import Meeting

    barrier = threading.Barrier(2)
    told: list = [None, None]

    def edit(index: int) -> None:
        try:
            with rls.regions(region.pk):
                meeting = Meeting.objects.get(pk=meeting_pk)  # the edit form is rendered
                barrier.wait(30)
                location = f"Locatie {n}-{index}"
                try:
                    services.edit_meeting(
                        chair,
                        meeting=meeting,
                        starts_at=meeting.starts_at,
                        ends_at=meeting.ends_at,
                        location=location,
                        expected_version=meeting.version if with_versions else None,
                    )
                    told[index] = location
                except StaleVersion:
                    told[index] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with rls.regions(region.pk):
        stored = Meeting.objects.get(pk=meeting_pk).location
    saved = [t for t in told if t not in (None, "refused")]
    lost = len(saved) != 1 or stored != saved[0]
    return {"saved": len(saved), "refused": told.count("refused"), "errors": told.count(None), "lost": int(lost)}


def run(pairs: int, lanes: int, with_versions: bool) -> dict:
    region, chair, meetings = build(lanes)
    totals = {"saved": 0, "refused": 0, "errors": 0, "lost": 0}
    durations: list[float] = []
    lock = threading.Lock()
    counter = iter(range(pairs))

    def lane(meeting_pk) -> None:
        try:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                start = time.perf_counter()
                outcome = one_pair(region, chair, meeting_pk, n, with_versions)
                with lock:
                    durations.append(time.perf_counter() - start)
                    for key, value in outcome.items():
                        totals[key] += value
        finally:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=lane, args=(m.pk,)) for m in meetings]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    totals["seconds"] = time.perf_counter() - started
    totals["median_ms"] = statistics.median(durations) * 1000 if durations else 0.0
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=1000, help="pairs of simultaneous edits")
    parser.add_argument("--lanes", type=int, default=4, help="pairs at the same time (each on its own meeting)")
    parser.add_argument("--without-versions", action="store_true", help="control: no version passed")
    args = parser.parse_args()
    load_at_start = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = run(args.pairs, args.lanes, not args.without_versions)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(
        f"Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"DEBUG={settings.DEBUG}; {args.pairs} pairs, {args.lanes} at a time, "
        f"{'without versions (control)' if args.without_versions else 'with versions (ADR 0052)'}; "
        f"load average (1/5/15 min) at the start {load_at_start}, at the end "
        + " / ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print("| pairs | saved | refused (409/412) | lost updates | errors | median ms/pair | seconds |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.pairs} | {result['saved']} | {result['refused']} | {result['lost']} | {result['errors']} "
        f"| {result['median_ms']:.1f} | {result['seconds']:.1f} |"
    )
    return 1 if result["lost"] and not args.without_versions else 0


if __name__ == "__main__":
    sys.exit(main())
