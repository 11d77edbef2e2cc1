"""Seed version 1 of the national retention schedules from their data file."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "retention_schedules_v1.json"


def seed(apps, schema_editor):
    RetentionSchedule = apps.get_model("retention", "RetentionSchedule")
    spec = json.loads(DATA.read_text(encoding="utf-8"))
    for rule in spec["schedules"]:
        RetentionSchedule.objects.get_or_create(
            region=None, trigger=rule["trigger"], version=spec["version"],
            defaults={"valid_from": date.fromisoformat(spec["valid_from"]), "period_days": rule["period_days"],
                      "minor_period_days": rule["minor_period_days"], "to_be_confirmed": rule["to_be_confirmed"],
                      "source": rule["source"]},
        )


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
