"""Benchmark: Casustafel at national scale, against an existing dataset (issue 15 item 3).

Unlike the other benchmarks it builds nothing: it runs against the data folder of a
``casustafel demo --scale national`` run (``--data-dir``, default ``/work/national-data``;
the embedded server of that folder starts for the run and stops after it), in-process, as
the **application role** under row-level security, each step in the scope the application
itself uses (a user's request: ``rls.enter_request``; the retention command: every region).
In one run it measures:

1. **a data subject's processing history as the privacy officer (FG) sees it** — the
   logbook page (``processing_log.views.logbook``) POSTed with a purpose (Wet PGA art. 14
   lid 2) and the person's BSN: ``selectors.search`` (the consultation recorded with its
   purpose), the first page of 50 rows with the paginator's count, ``selectors.describe`` and
   the template — for ``--samples`` random persons with a BSN, each by an FG of the person's
   region; p50 / p95 (target: p95 ≤ 50 ms at 20 M entries);
2. **an inclusion proof** for ``--samples`` random leaves of the newest signed tree head:
   ``proofs.inclusion_proof`` (the proof itself, the function the download calls; each one
   checked against the head's root with ``merkle.verify_inclusion``, untimed) and the FG's proof download
   (``processing_log.views.entry_proof``: the visibility check, the consultation recorded,
   the proof, the JSON) for the leaves whose row an FG can see; p50 / p95 (target ≤ 10 ms at 20 M);
3. **``casustafel log verify``** — ``verify.verify()`` as the command calls it (against the
   latest exported head) over the whole log: rows/s and MB/s of canonical bytes, against raw
   ``hashlib.sha256`` over the same bytes (0x00 || canonical leaf bytes, the canonical forms
   built by PostgreSQL with ``chain.sql_*`` as in ``bench/processing_log_chain.py``, streamed
   in chunks so that it also works at 20 M; only the hashing is timed; target ≥ 50 %);
4. **a retention run** — ``retention.services.propose_runs()`` as ``casustafel retention run``
   calls it (every region in scope), over the persons the dataset keeps past their retention
   date, inside a transaction that is ROLLED BACK: the proposed runs are counted, then undone;
5. **the national council report** — ``reporting.council.selectors.council_report`` for the
   nation scope over the widest period a report may cover (the last 20 quarters), as an
   analyst, as the page's POST does it: the figures computed (the selector) and the page rendered
   from them, timed apart; ``--report-repeat`` rounds, median.

Views are called with ``RequestFactory`` requests (no test client: ``force_login`` would write
a session and ``last_login``); the middleware's gates (session, second factor, designation) are
therefore not in the figures — the selectors, the log writes and the templates are.

The dataset is not changed, except the processing-log entries the reads themselves write, as the
application writes them (a consultation of the log: one ``LogConsultation`` and its log rows; a
council report: one row per region); they stay unsealed until a sequencer runs. Their number is
printed. The retention proposals are rolled back.

    .venv/bin/python bench/national_scale.py [--data-dir /work/national-data] [--samples 200] \
        [--report-repeat 2] [--json results.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import time
import warnings
from datetime import date
from pathlib import Path

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--data-dir", default="/work/national-data", help="data folder of a national demo run")
PARSER.add_argument("--samples", type=int, default=200, help="persons and leaves sampled (items 1 and 2)")
PARSER.add_argument("--report-repeat", type=int, default=2, help="rounds of the national report (item 5)")
PARSER.add_argument("--seed", type=int, default=15, help="seed of the samples")
PARSER.add_argument(
    "--skip",
    nargs="*",
    default=[],
    choices=["history", "proof", "verify", "retention", "report"],
    help="steps left out",
)
PARSER.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
ARGS = PARSER.parse_args()

os.environ["CASUSTAFEL_DATA_DIR"] = str(Path(ARGS.data_dir).resolve())
os.environ["DJANGO_SETTINGS_MODULE"] = "casustafel.conf.settings"
os.environ["CASUSTAFEL_DB_ROLE"] = "app"  # the application role, under row-level security, as deployed
warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")

from casustafel.cli import setup_django

setup_django()  # starts the data folder's embedded server (stopped again when this process exits)

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casustafel.access import rls

FACTORY = RequestFactory()
#: The purpose of every consultation of the log here (Wet PGA art. 14 lid 2).
PURPOSE = "lawfulness_check"


def percentiles(times: list[float]) -> tuple[float, float]:
    """(p50, p95) in ms of ``times`` in seconds (p95 as in bench/processing_log_chain.py)."""
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def log_count() -> int:
    from casustafel.processing_log.models import ProcessingLogEntry

    return ProcessingLogEntry.objects.count()


def data_size() -> dict:
    from casustafel.accounts.models import Region, User
    from casustafel.cases.models import Case
    from casustafel.processing_log.models import TreeHead
    from casustafel.signals.models import Signal
    from casustafel.subjects.models import Subject

    with rls.all_regions():
        size = {
            "regions": Region.objects.count(),
            "users": User.objects.count(),
            "persons": Subject.objects.count(),
            "signals": Signal.objects.count(),
            "cases": Case.objects.count(),
        }
    head = TreeHead.objects.exclude(signature="").order_by("-id").values_list("tree_size", flat=True).first()
    size["log_entries"] = log_count()
    size["tree_size"] = head or 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size["database_bytes"] = cursor.fetchone()[0]
    return size


def privacy_officers() -> dict:
    """One FG (privacy officer) per region: region id → user."""
    from casustafel.accounts.models import Role, User

    officers: dict = {}
    for user in User.objects.select_related("organisation").filter(role=Role.PRIVACY_OFFICER, is_active=True):
        officers.setdefault(user.organisation.region_id, user)
    return officers


#: One session per user, kept in memory: what the templates read from it (the menu's work count, counted at
#: most every two minutes per session) behaves as in a real session, and nothing is written to the database.
SESSIONS: dict = {}


def as_user(user, view, request, *args):
    """Call ``view`` as ``user`` in the database scope of their request (rls.ScopeMiddleware's work)."""
    request.user = user
    request.session = SESSIONS.setdefault(user.pk, {})
    rls.enter_request(user)
    try:
        return view(request, *args)
    finally:
        rls.leave_request()


# ------------------------------------------------------------------ 1. a data subject's history


def history(samples: int, rng: random.Random) -> dict:
    from casustafel.core import identity
    from casustafel.processing_log import views
    from casustafel.processing_log.models import ProcessingLogEntry
    from casustafel.subjects.models import Subject

    officers = privacy_officers()
    with rls.all_regions():
        persons = list(
            Subject.objects.exclude(bsn_encrypted="")
            .filter(region_id__in=list(officers))
            .order_by("pk")
            .values_list("pk", "region_id", "bsn_encrypted")
        )
    chosen = rng.sample(persons, min(samples, len(persons)))

    def page(region_id, bsn):
        request = FACTORY.post("/logboek/", {"purpose": PURPOSE, "bsn": bsn})
        response = as_user(officers[region_id], views.logbook, request)
        assert response.status_code == 200, response.status_code
        return response

    first = chosen[0]
    page(first[1], identity.decrypt(first[2]))  # warm-up (templates, connection), not counted
    with CaptureQueriesContext(connection) as queries:
        page(first[1], identity.decrypt(first[2]))
    times = []
    for _pk, region_id, encrypted in chosen:
        bsn = identity.decrypt(encrypted)  # the FG types the BSN: not part of the page's time
        begin = time.perf_counter()
        page(region_id, bsn)
        times.append(time.perf_counter() - begin)
    ids = [pk for pk, _region, _bsn in chosen]
    entries = sorted(
        ProcessingLogEntry.objects.filter(data_subject_id__in=ids)
        .values("data_subject_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    p50, p95 = percentiles(times)
    return {
        "samples": len(times),
        "p50_ms": p50,
        "p95_ms": p95,
        "queries": len(queries.captured_queries),
        "entries_per_person_median": statistics.median(entries) if entries else 0,
        "entries_per_person_max": max(entries, default=0),
    }


# ------------------------------------------------------------------ 2. inclusion proofs


def proofs(samples: int, rng: random.Random) -> dict:
    from casustafel.processing_log import merkle, views
    from casustafel.processing_log.models import LogLeaf, ProcessingLogEntry
    from casustafel.processing_log.proofs import inclusion_proof, latest_head  # what selectors.entry_proof calls
    from casustafel.subjects.models import Subject

    head = latest_head()
    assert head is not None, "no signed tree head: run the sequencer first (casustafel log seal --once)"
    root = bytes.fromhex(head.root_hash)
    indexes = rng.sample(range(head.tree_size), min(samples, head.tree_size))
    entry_ids = dict(LogLeaf.objects.filter(leaf_index__in=indexes).values_list("leaf_index", "entry_id"))
    inclusion_proof(entry_ids[indexes[0]], head)  # warm-up
    times = []
    for index in indexes:
        begin = time.perf_counter()
        proof = inclusion_proof(entry_ids[index], head)
        times.append(time.perf_counter() - begin)
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        assert merkle.verify_inclusion(index, head.tree_size, bytes.fromhex(proof["leaf_hash"]), path, root), index
    result = {"samples": len(times), "tree_size": head.tree_size, "path_length_max": 0}
    result["p50_ms"], result["p95_ms"] = percentiles(times)
    result["path_length_max"] = max(len(inclusion_proof(entry_ids[i], head)["audit_path"]) for i in indexes[:5])

    # The FG's download: an FG who can see the row (the actor's organisation or the data subject is of their region).
    officers = privacy_officers()
    rows = ProcessingLogEntry.objects.filter(id__in=list(entry_ids.values())).values_list(
        "id", "audit_record__organisation__region_id", "data_subject_id"
    )
    subjects = {row[2] for row in rows if row[2]}
    with rls.all_regions():
        subject_regions = dict(Subject.objects.filter(pk__in=subjects).values_list("pk", "region_id"))
    visible = []
    for entry_id, org_region, subject_id in rows:
        region = org_region if org_region in officers else subject_regions.get(subject_id)
        if region in officers:
            visible.append((entry_id, officers[region]))
    visible.sort()
    rng.shuffle(visible)

    def download(entry_id, user):
        request = FACTORY.get(f"/logboek/bewijs/{entry_id}/", {"doel": PURPOSE})
        response = as_user(user, views.entry_proof, request, entry_id)
        assert response.status_code == 200, response.status_code
        return response

    if visible:
        download(*visible[0])  # warm-up
    times = []
    for entry_id, user in visible:
        begin = time.perf_counter()
        download(entry_id, user)
        times.append(time.perf_counter() - begin)
    result["download_samples"] = len(times)
    if times:
        result["download_p50_ms"], result["download_p95_ms"] = percentiles(times)
    return result


# ------------------------------------------------------------------ 3. log verify against hashlib


def hashlib_baseline() -> tuple[float, int, int]:
    """(seconds of hashing only, leaves, bytes): sha256(0x00 || canonical bytes) over every sealed leaf,
    the bytes built by PostgreSQL and streamed in chunks (their transfer is not timed)."""
    from casustafel.processing_log import chain
    from casustafel.processing_log.models import AuditRecord, LogLeaf, ProcessingLogEntry

    audit = f"encode(sha256(convert_to({chain.sql_audit_canonical('a')}, 'UTF8')), 'hex')"
    sha256 = hashlib.sha256
    hashed, leaves, size = 0.0, 0, 0
    with transaction.atomic():
        with connection.cursor() as setup:
            setup.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        cursor = connection.chunked_cursor()
        cursor.cursor.itersize = 20_000
        cursor.execute(
            f"SELECT convert_to({chain.sql_leaf_canonical('e', audit)}, 'UTF8'), l.leaf_hash "
            f"FROM {LogLeaf._meta.db_table} l JOIN {ProcessingLogEntry._meta.db_table} e ON e.id = l.entry_id "
            f"JOIN {AuditRecord._meta.db_table} a ON a.id = e.audit_record_id ORDER BY l.leaf_index"
        )
        while rows := cursor.fetchmany(20_000):
            data = [bytes(row[0]) for row in rows]
            # the same bytes as the tree's: the chunk's first leaf hashes to its stored hash (untimed)
            assert sha256(b"\x00" + data[0]).digest() == bytes(rows[0][1]), leaves
            begin = time.perf_counter()
            for item in data:
                sha256(b"\x00" + item).digest()
            hashed += time.perf_counter() - begin
            leaves += len(data)
            size += sum(len(item) for item in data)
        cursor.close()
    return hashed, leaves, size


def verify_log() -> dict:
    from casustafel.processing_log.verify import verify

    begin = time.perf_counter()
    report = verify()  # as `casustafel log verify` calls it: against the latest exported head
    seconds = time.perf_counter() - begin
    assert report.intact, report.message
    hashed, leaves, size = hashlib_baseline()
    assert leaves == report.checked, (leaves, report.checked)
    return {
        "rows": report.checked,
        "unsealed": report.unsealed,
        "seconds": seconds,
        "rows_per_s": report.checked / seconds,
        "mb": size / 1e6,
        "mb_per_s": size / 1e6 / seconds,
        "hashlib_seconds": hashed,
        "hashlib_mb_per_s": size / 1e6 / hashed,
        "ratio": hashed / seconds,
        "message": report.message,
    }


# ------------------------------------------------------------------ 4. retention run (rolled back)


def retention() -> dict:
    from casustafel.retention.models import DestructionItem, DestructionRun
    from casustafel.retention.services import propose_runs

    with rls.all_regions():  # the command's scope (retention.cli: rls.enter_system_scope)
        runs_before = DestructionRun.objects.count()
        with transaction.atomic():
            begin = time.perf_counter()
            runs = propose_runs()
            seconds = time.perf_counter() - begin
            items = DestructionItem.objects.filter(run__in=runs)
            result = {
                "seconds": seconds,
                "runs": len(runs),
                "due_records": items.count(),
                "due_persons": items.values("subject_id").distinct().count(),
            }
            transaction.set_rollback(True)  # leave the dataset as it was
        assert DestructionRun.objects.count() == runs_before
    result["ms_per_record"] = seconds * 1000 / result["due_records"] if result["due_records"] else 0.0
    return result


# ------------------------------------------------------------------ 5. the national council report


def national_report(repeat: int) -> dict:
    """The council report page's work (``reporting.council.views.council_report_page``, POST, format "pagina"):
    the form validated once, then per round the figures computed and the page rendered, timed apart."""
    from django.shortcuts import render

    from casustafel.accounts.models import Role, User
    from casustafel.reporting.council.forms import CouncilReportForm
    from casustafel.reporting.council.selectors import council_report
    from casustafel.reporting.periods import MAX_YEARS, quarter_choices
    from casustafel.reporting.scope import NATION, scopes_for

    analyst = (
        User.objects.select_related("organisation__region").filter(role=Role.ANALYST, is_active=True).order_by("pk")
    ).first()
    quarters = [code for code, _label in quarter_choices(timezone.localdate())]  # newest first
    first, last = quarters[min(len(quarters), 4 * MAX_YEARS) - 1], quarters[0]  # the widest period allowed
    data = {"scope": NATION, "first": first, "last": last, "format": "pagina"}
    request = FACTORY.post("/rapportage/", data)
    request.user, request.session = analyst, SESSIONS.setdefault(analyst.pk, {})
    computed, rendered = [], []
    queries, size = 0, 0
    rls.enter_request(analyst)
    try:
        form = CouncilReportForm(data, scopes=scopes_for(analyst))
        assert form.is_valid(), form.errors
        for round_ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                report = council_report(analyst, scope=form.cleaned_data["scope"], period=form.cleaned_data["period"])
                computed.append(time.perf_counter() - begin)
            if round_ == 0:
                queries = len(captured.captured_queries)
            begin = time.perf_counter()
            response = render(request, "reporting/council/report.html", {"report": report, "form": form})
            rendered.append(time.perf_counter() - begin)
            size = len(response.content)
    finally:
        rls.leave_request()
    return {
        "period": f"{first} – {last}",
        "rounds": repeat,
        "queries": queries,
        "compute_ms": statistics.median(computed) * 1000,
        "render_ms": statistics.median(rendered) * 1000,
        "page_bytes": size,
    }


# ------------------------------------------------------------------ report


def table(size: dict, results: dict) -> str:
    millions = f"{size['log_entries'] / 1e6:.2f} M"
    rows = []

    def met(value: float, limit: float, above: bool = False) -> str:
        ok = value >= limit if above else value <= limit
        return ("met" if ok else "NOT met") + f" at {millions} (target at 20 M)"

    if "history" in results:
        h = results["history"]
        rows.append(
            f"| data subject's history, FG's logbook page (BSN search, first 50 rows) | {h['samples']} persons; "
            f"median {h['entries_per_person_median']:.0f}, max {h['entries_per_person_max']} entries per person; "
            f"{h['queries']} queries | p50 {h['p50_ms']:.1f} ms, p95 {h['p95_ms']:.1f} ms | p95 ≤ 50 ms | "
            f"{met(h['p95_ms'], 50)} |"
        )
    if "proof" in results:
        p = results["proof"]
        rows.append(
            f"| inclusion proof (`proofs.inclusion_proof`) | {p['samples']} random leaves of {p['tree_size']:,} | "
            f"p50 {p['p50_ms']:.2f} ms, p95 {p['p95_ms']:.2f} ms | ≤ 10 ms | {met(p['p95_ms'], 10)} |"
        )
        if p.get("download_samples"):
            rows.append(
                f"| FG's proof download (`/logboek/bewijs/<id>/`: check, consultation logged, proof, JSON) | "
                f"{p['download_samples']} of those leaves | p50 {p['download_p50_ms']:.2f} ms, "
                f"p95 {p['download_p95_ms']:.2f} ms | ≤ 10 ms | {met(p['download_p95_ms'], 10)} |"
            )
    if "verify" in results:
        v = results["verify"]
        rows.append(
            f"| `casustafel log verify` (against the exported head) | {v['rows']:,} rows, {v['mb']:.0f} MB canonical | "
            f"{v['seconds']:.1f} s = {v['rows_per_s']:,.0f} rows/s, {v['mb_per_s']:.1f} MB/s; hashlib "
            f"{v['hashlib_mb_per_s']:.0f} MB/s; ratio {v['ratio']:.3f} | ratio ≥ 0.50 | {met(v['ratio'], 0.5, True)} |"
        )
    if "retention" in results:
        r = results["retention"]
        rows.append(
            f"| retention run, proposal (`propose_runs`, rolled back) | {r['due_records']:,} due records of "
            f"{r['due_persons']:,} persons in {r['runs']} runs | {r['seconds']:.2f} s = {r['ms_per_record']:.2f} ms "
            "per due record | (10,000 due records; no time target) | — |"
        )
    if "report" in results:
        n = results["report"]
        rows.append(
            f"| national council report, nation scope, {n['period']}, analyst | every region; median of "
            f"{n['rounds']}; {n['queries']:,} queries | compute {n['compute_ms'] / 1000:,.1f} s; render the page "
            f"({n['page_bytes'] / 1000:.0f} kB) {n['render_ms']:,.0f} ms | (no time target) | — |"
        )
    return "\n".join(["| measurement | sample | figure | target | met |", "|---|---|---|---|---|", *rows])


def main() -> int:
    rng = random.Random(ARGS.seed)
    load_at_start = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    started = time.perf_counter()
    size = data_size()
    results: dict = {}
    # verify first: it checks the sealed log as the dataset holds it, before the reads below add rows.
    steps = (
        ("verify", verify_log),
        ("retention", retention),
        ("report", lambda: national_report(ARGS.report_repeat)),
        ("proof", lambda: proofs(ARGS.samples, rng)),
        ("history", lambda: history(ARGS.samples, rng)),
    )
    for name, step in steps:
        if name in ARGS.skip:
            continue
        begin = time.perf_counter()
        results[name] = step()
        print(f"{name}: {time.perf_counter() - begin:.1f} s", file=sys.stderr, flush=True)
    written = log_count() - size["log_entries"]
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"PostgreSQL {connection.pg_version // 10000} (embedded), DEBUG={settings.DEBUG}; load average "
        f"(1/5/15 min) at the start {load_at_start}, at the end " + " / ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    data = (
        f"{settings.DATA_DIR}: {size['regions']} regions, {size['users']:,} users, {size['persons']:,} persons, "
        f"{size['signals']:,} signals, {size['cases']:,} cases, {size['log_entries']:,} log entries "
        f"(tree head {size['tree_size']:,} leaves), database {size['database_bytes'] / 1e9:.2f} GB"
    )
    print(f"Machine: {machine}")
    print(f"Data: {data}")
    print(f"Run {date.today()}, {time.perf_counter() - started:.0f} s; seed {ARGS.seed}\n")
    print(table(size, results))
    print(
        f"\nThe run's own reads wrote {written:,} processing-log entries (unsealed until a sequencer runs); "
        "the retention proposals were rolled back."
    )
    if ARGS.json:
        Path(ARGS.json).write_text(
            json.dumps({"machine": machine, "data": size, "results": results, "log_entries_written": written}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
