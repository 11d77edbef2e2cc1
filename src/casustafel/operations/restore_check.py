"""The checks after a restore, in a process connected to the restored database (ADR 0047).

Reads the manifest as JSON on stdin; prints one JSON line: ``ok``, ``failures``, the log
check and a row count per table (the smoke query per domain table).
"""

from __future__ import annotations

import json
import sys
from io import StringIO

import django
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder


def run_checks(manifest: dict) -> dict:
    from casustafel.processing_log.models import ProcessingLogEntry  # noqa: PLC0415 - after django.setup()
    from casustafel.processing_log.verify import head, verify  # noqa: PLC0415 - models, after django.setup()

    failures = []
    try:  # `migrate --check`: exits non-zero when a migration is unapplied
        call_command("migrate", check_unapplied=True, plan=True, verbosity=0, stdout=StringIO())
    except SystemExit:
        failures.append("niet alle migraties zijn toegepast")
    applied = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
    if applied != manifest["migrations"]:
        failures.append("de migratiestand verschilt van het manifest")
    # Against the restored tree itself: the head export holds heads newer than this backup.
    report = verify(against_export=False)
    if not report.intact:
        failures.append(f"het logboek verifieert niet: {report.message}")
    last = head()
    log = manifest["processing_log"]
    restored = (last.hash, last.tree_size) if last else (None, 0)
    count = ProcessingLogEntry.objects.count()
    if restored != (log["head_hash"], log.get("tree_size", 0)) or count != log["count"]:
        failures.append("kop of aantal van het logboek verschilt van het manifest")
    counts = {}
    existing = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model.__module__.startswith("casustafel.") and model._meta.managed:
            if model._meta.db_table not in existing:
                failures.append(f"tabel {model._meta.db_table} ontbreekt")
                continue
            counts[model._meta.db_table] = model._base_manager.count()
    # Rows in the log: the sealed ones verified, the unsealed ones (the last seconds before the backup) counted.
    checked = report.checked + report.unsealed
    return {"ok": not failures, "failures": failures, "log_checked": checked, "tables": counts}


def main() -> int:
    manifest = json.loads(sys.stdin.read())
    django.setup()
    from casustafel.access import rls  # noqa: PLC0415 - after django.setup()

    rls.enter_system_scope()
    checks = run_checks(manifest)
    print(json.dumps(checks))
    return 0 if checks["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
