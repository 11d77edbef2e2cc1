"""Seed the register of processing activities from data/processing_activities.json and
chain the rows written before the chain existed (in id order, from the genesis hash)."""

import json
import secrets
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "processing_activities_v1.json"


def seed_register(apps, schema_editor):
    ProcessingActivity = apps.get_model("processing_log", "ProcessingActivity")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for item in data["activities"]:
        ProcessingActivity.objects.update_or_create(
            code=item["code"], version=data["version"],
            defaults={"name": item["name"], "purpose": item["purpose"], "legal_basis": item["legal_basis"]})


def chain_existing_rows(apps, schema_editor):
    from casustafel.processing_log import chain

    ProcessingActivity = apps.get_model("processing_log", "ProcessingActivity")
    Entry = apps.get_model("processing_log", "ProcessingLogEntry")
    activities = {a.code: a.pk for a in ProcessingActivity.objects.order_by("code", "version")}
    prev = chain.GENESIS
    for entry in Entry.objects.order_by("id").iterator(chunk_size=2000):
        entry.span_id = entry.span_id or secrets.token_hex(8)
        entry.activity_id = activities.get(entry.purpose)
        entry.prev_hash = prev
        entry.row_hash = chain.hash_entry_v1(prev, entry)
        prev = entry.row_hash
        entry.save(update_fields=["span_id", "activity", "prev_hash", "row_hash"])


class Migration(migrations.Migration):

    dependencies = [("processing_log", "0002_register_chain_fields")]

    operations = [
        migrations.RunPython(seed_register, migrations.RunPython.noop),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]
