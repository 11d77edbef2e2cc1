"""Seed version 1 of the criteria framework (wegingskader) from its data file."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "criteria_framework_v1.json"


def seed(apps, schema_editor):
    CriteriaFramework = apps.get_model("weighing", "CriteriaFramework")
    Criterion = apps.get_model("weighing", "Criterion")
    spec = json.loads(DATA.read_text(encoding="utf-8"))
    framework, created = CriteriaFramework.objects.get_or_create(
        region=None, version=spec["version"],
        defaults={"name": spec["name"], "source": spec["source"],
                  "valid_from": date.fromisoformat(spec["valid_from"]), "is_active": True},
    )
    if created:
        Criterion.objects.bulk_create(
            Criterion(framework=framework, code=c["code"], label=c["label"], guidance=c["guidance"], order=i)
            for i, c in enumerate(spec["criteria"], start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("weighing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
