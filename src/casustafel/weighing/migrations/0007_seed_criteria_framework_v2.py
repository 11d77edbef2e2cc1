"""Seed version 2 of the criteria framework: the objective criteria of art. 5 lid 3 Wet PGA.

Version 2 becomes the active national framework; version 1 stays for the weighings that
were made under it (each weighing keeps the framework it was opened with).
"""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "criteria_framework_v2.json"


def seed(apps, schema_editor):
    CriteriaFramework = apps.get_model("weighing", "CriteriaFramework")
    Criterion = apps.get_model("weighing", "Criterion")
    spec = json.loads(DATA.read_text(encoding="utf-8"))
    framework, created = CriteriaFramework.objects.get_or_create(
        region=None,
        version=spec["version"],
        defaults={
            "name": spec["name"],
            "source": spec["source"],
            "valid_from": date.fromisoformat(spec["valid_from"]),
            "is_active": True,
        },
    )
    if created:
        Criterion.objects.bulk_create(
            Criterion(framework=framework, code=c["code"], label=c["label"], guidance=c["guidance"], order=i)
            for i, c in enumerate(spec["criteria"], start=1)
        )
    CriteriaFramework.objects.filter(region=None, version__lt=spec["version"]).update(is_active=False)


def unseed(apps, schema_editor):
    CriteriaFramework = apps.get_model("weighing", "CriteriaFramework")
    CriteriaFramework.objects.filter(region=None, version=1).update(is_active=True)
    CriteriaFramework.objects.filter(region=None, version=2).update(is_active=False)


class Migration(migrations.Migration):
    dependencies = [("weighing", "0006_decision_confirmation")]
    operations = [migrations.RunPython(seed, unseed)]
