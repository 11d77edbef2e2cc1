"""Crash drill (issue 15 item 5, ADR 0054): SIGKILL the server and crash PostgreSQL under a write load.

A PostgreSQL cluster of its own in a temporary folder (the embedded server's binaries),
migrated from nothing, with one intake officer and an API token. Per run: gunicorn starts
(``--workers``), ``--clients`` threads register signals through the API back to back for
``--seconds`` (every 201 answer is an acknowledged write, identified by its Idempotency-Key),
one worker is killed with SIGKILL mid-load (the master starts another), and at the end
PostgreSQL is stopped with ``pg_ctl stop -m immediate`` while gunicorn (master and workers)
gets SIGKILL. PostgreSQL restarts (crash recovery) and the checks of
``casustafel.operations.drill`` run: every write acknowledged in any run so far is present,
no half-written signal, case or log record (``INVARIANTS``), the processing log verifies and
its create entries equal the signals and persons.

    .venv/bin/python bench/crash_drill.py [--runs 50] [--clients 4] [--seconds 3]

Nothing else is touched: the cluster lives and dies in its own folder (``--keep`` keeps it).
Exit status 1 when any run found a problem.
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from casustafel.operations.drill import crash_drill


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the cluster folder for inspection")
    args = parser.parse_args()

    # SIGTERM unwinds like Ctrl-C, so the cluster is stopped and the folder removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    directory = Path(tempfile.mkdtemp(prefix="casustafel-crash-")) / "drill"
    if not args.keep:
        # At exit, after the embedded server's own exit handler (registered later, so run earlier).
        atexit.register(shutil.rmtree, directory.parent, ignore_errors=True)
    print(
        f"crash drill: {args.runs} runs, {args.clients} clients, {args.seconds:.1f} s of load per run, "
        f"{args.workers} gunicorn workers; {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}; folder {directory}",
        flush=True,
    )

    def progress(run) -> None:
        status = "ok" if not run.problems else "PROBLEM: " + "; ".join(run.problems)
        print(
            f"run {run.number:3d}: {run.acknowledged:4d} acknowledged, {run.refused:3d} refused/unanswered, "
            f"{run.workers_killed} worker killed, missing {run.missing}, half-written {run.violations}, "
            f"log {'verified' if run.log_intact else 'BROKEN'} ({run.log_checked} entries), "
            f"creates {'=' if run.creates_match else '≠'} rows, {run.seconds:.1f} s — {status}",
            flush=True,
        )

    began = time.monotonic()
    result = crash_drill(
        runs=args.runs,
        clients=args.clients,
        seconds=args.seconds,
        workers=args.workers,
        directory=directory,
        progress=progress,
    )
    print(
        f"\n{len(result.runs)} runs in {time.monotonic() - began:.0f} s: {result.acknowledged} writes acknowledged, "
        f"lost {result.lost}, half-written {result.half_written}, log verified in "
        f"{sum(run.log_intact for run in result.runs)}/{len(result.runs)} runs — "
        f"{'PASSED' if result.ok else 'FAILED'}"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
