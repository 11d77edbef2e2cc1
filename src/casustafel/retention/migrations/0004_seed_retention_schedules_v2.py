"""Art. 9 Wet PGA: seed version 2 of the national retention schedules (valid from 2025-07-01),
give existing legal holds a review date and name the rule on existing destruction items.

Idempotent: a version already present is left as it is. Records made before 1 July 2025
keep version 1: the version is chosen by the record's own date (ADR 0020), so nothing
about them changes here; their dates are recomputed from the data at every run.
"""

import json
from datetime import date
from pathlib import Path

from django.db import migrations
from django.db.models.functions import TruncDate

DATA = Path(__file__).resolve().parent.parent / "data" / "retention_schedules_v2.json"


def seed(apps, schema_editor):
    RetentionSchedule = apps.get_model("retention", "RetentionSchedule")
    spec = json.loads(DATA.read_text(encoding="utf-8"))
    for rule in spec["schedules"]:
        RetentionSchedule.objects.get_or_create(
            region=None,
            trigger=rule["trigger"],
            version=spec["version"],
            defaults={
                "valid_from": date.fromisoformat(spec["valid_from"]),
                "basis": rule["basis"],
                "period_days": rule["period_days"],
                "minor_period_days": rule["minor_period_days"],
                "review_interval_days": rule["review_interval_days"],
                "to_be_confirmed": rule["to_be_confirmed"],
                "source": rule["source"],
            },
        )


def backfill(apps, schema_editor):
    # A hold placed before review dates existed was never reviewed: it is due for review now.
    LegalHold = apps.get_model("retention", "LegalHold")
    LegalHold.objects.filter(review_date__isnull=True).update(review_date=TruncDate("placed_at"))
    # Items proposed before version 2 were computed from their trigger (version 1's rule).
    DestructionItem = apps.get_model("retention", "DestructionItem")
    DestructionItem.objects.filter(schedule__basis="trigger").update(rule="trigger")


class Migration(migrations.Migration):
    dependencies = [("retention", "0003_art9_last_processing_reviews")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
