"""``casustafel backup --out FILE``, ``casustafel restore FILE [--into-fresh-cluster DIR | --database URL]
[--replay-destruction]`` and ``casustafel drill restore``.

ADR 0047, ADR 0054. Messages are Dutch; exit status 2 on a refusal (nothing changed).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _maintenance_url() -> str:
    from casustafel.conf.database import database_urls

    urls = database_urls()
    url = urls.maintenance or urls.owner
    if not url:
        raise SystemExit("casustafel: DATABASE_MAINTENANCE_URL is niet gezet.")
    return url


def cmd_backup(args) -> int:
    from casustafel.cli import _setup as setup

    setup()
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from casustafel.processing_log.models import ProcessingLogEntry

    from .backup import BackupError, backup, with_database

    migrations = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
    try:
        manifest = backup(
            url=with_database(_maintenance_url(), connection.settings_dict["NAME"]),
            out=Path(args.out),
            log_table=ProcessingLogEntry._meta.db_table,
            migrations=migrations,
        )
    except BackupError as exc:
        print(f"casustafel: {exc}", file=sys.stderr)
        return 2
    log = manifest["processing_log"]
    print(
        f"Back-up geschreven en gecontroleerd: {args.out} (sha256 {manifest['sha256'][:16]}…, "
        f"logboek: {log['count']} regels, kop {log['head_hash'] or '-'})"
    )
    return 0


def cmd_restore(args) -> int:
    from casustafel.conf.database import database_urls

    from .backup import BackupError, FreshCluster, journal_path, preflight, prepare_cluster, restore

    dump = Path(args.file)
    journal = Path(args.destruction_journal) if args.destruction_journal else journal_path()
    cluster = None
    try:
        preflight(dump, journal, replay=args.replay_destruction)  # refuse before starting or touching anything
        if args.database:
            target = args.database
        else:
            directory = Path(args.into_fresh_cluster or tempfile.mkdtemp(prefix="casustafel-drill-"))
            cluster = FreshCluster(directory)
            target = prepare_cluster(cluster.start(), "casustafel")
        # Without DATABASE_URL the checks run with this data folder's development keys, as the embedded server does.
        urls = database_urls()
        os.environ.setdefault("CASUSTAFEL_EMBEDDED_DATABASE", "true" if urls.app is None or urls.embedded else "false")
        result = restore(dump=dump, target_url=target, journal=journal, replay=args.replay_destruction)
    except BackupError as exc:
        print(f"casustafel: {exc}", file=sys.stderr)
        return 2
    finally:
        if cluster is not None:
            cluster.stop()
    tables = result.checks["tables"]
    print(
        f"Hersteld en gecontroleerd in {result.seconds:.1f} s: migraties actueel, logboek intact "
        f"({result.checks['log_checked']} regels, kop en aantal gelijk aan het manifest), "
        f"{len(tables)} tabellen bevraagd ({sum(tables.values())} rijen)."
    )
    for run in result.replayed:
        print(
            f"Vernietigingsronde {run['reference']} opnieuw uitgevoerd: {run['persons_destroyed']} personen "
            "(opnieuw) vernietigd, gelogd; het logboek verifieert."
        )
    return 0


def cmd_drill_restore(args) -> int:
    from casustafel.cli import _setup as setup

    setup()
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    from casustafel.processing_log.models import ProcessingLogEntry

    from .backup import BackupError, journal_path, with_database
    from .drill import restore_drill

    migrations = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
    directory = Path(args.dir or tempfile.mkdtemp(prefix="casustafel-drill-"))
    try:
        report = restore_drill(
            source_url=with_database(_maintenance_url(), connection.settings_dict["NAME"]),
            log_table=ProcessingLogEntry._meta.db_table,
            migrations=migrations,
            directory=directory,
            journal=journal_path(),
        )
    except BackupError as exc:
        print(f"casustafel: {exc}", file=sys.stderr)
        return 2
    seconds = report["seconds"]
    print(
        f"Hersteloefening geslaagd in {seconds['total']:.1f} s: back-up {seconds['backup']:.1f} s "
        f"({report['dump_bytes'] / 1e6:.1f} MB), nieuw cluster {seconds['cluster']:.1f} s, herstel "
        f"{seconds['restore']:.1f} s, controles {seconds['checks']:.1f} s (migraties, logboek "
        f"{report['log_checked']} regels, {report['tables']} tabellen, {report['rows']} rijen), rooktest "
        f"{seconds['smoke']:.1f} s (ingelogd, casuslijst {report['smoke']['status']})."
    )
    return 0


def register(sub) -> None:
    backup = sub.add_parser("backup", help="back-up maken (pg_dump, met gecontroleerd manifest)")
    backup.add_argument("--out", required=True, metavar="BESTAND")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="back-up herstellen in een lege database en controleren")
    restore.add_argument("file", metavar="BESTAND")
    target = restore.add_mutually_exclusive_group()
    target.add_argument("--into-fresh-cluster", metavar="MAP", help="oefening: nieuw cluster in deze (lege) map")
    target.add_argument("--database", metavar="URL", help="lege database (superuser- of BYPASSRLS-rol)")
    restore.add_argument(
        "--destruction-journal",
        metavar="BESTAND",
        help="logbestand van uitgevoerde vernietigingsrondes (standaard: destruction-journal.jsonl in de datamap)",
    )
    restore.add_argument(
        "--replay-destruction",
        action="store_true",
        help="vernietigingsrondes uit het logbestand die nieuwer zijn dan de back-up na het herstel opnieuw "
        "uitvoeren (art. 9 Wet PGA)",
    )
    restore.set_defaults(func=cmd_restore)
    drill = sub.add_parser("drill", help="oefeningen: herstel (back-up, nieuw cluster, controles, rooktest)")
    drills = drill.add_subparsers(dest="drill", required=True)
    restore_drill = drills.add_parser("restore", help="hersteloefening met gemeten hersteltijd")
    restore_drill.add_argument("--dir", metavar="MAP", help="lege werkmap (standaard: een tijdelijke map)")
    restore_drill.set_defaults(func=cmd_drill_restore)
