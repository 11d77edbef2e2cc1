"""Seed version 1 of the legal bases (grondslagen) from its data file."""

from django.db import migrations

from casustafel.governance import loader


def seed(apps, schema_editor):
    spec = loader.read_spec(loader.DATA_DIR / "legal_bases_v1.json")
    loader.load(spec, apps.get_model("governance", "LegalBasisSet"), apps.get_model("governance", "LegalBasis"))


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
