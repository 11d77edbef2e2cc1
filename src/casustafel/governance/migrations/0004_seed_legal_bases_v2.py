"""Seed version 2 of the legal bases: the Wet PGA (in force since 1 July 2025), with the
art. 4 data categories and the art. 8 special categories. Idempotent; version 1 stays for
the records made under it."""

from django.db import migrations

from casustafel.governance import loader


def seed(apps, schema_editor):
    spec = loader.read_spec(loader.DATA_DIR / "legal_bases_v2.json")
    loader.load(spec, apps.get_model("governance", "LegalBasisSet"), apps.get_model("governance", "LegalBasis"))


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_wet_pga_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
