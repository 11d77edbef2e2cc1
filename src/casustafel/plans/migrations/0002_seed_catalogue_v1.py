"""Seed version 1 of the intervention catalogue and interference rules from its data file."""

from django.db import migrations

from casustafel.plans import loader


def seed(apps, schema_editor):
    spec = loader.read_spec(loader.DATA_DIR / "catalogue_v1.json")
    loader.load(spec, apps.get_model("plans", "CatalogueVersion"), apps.get_model("plans", "CatalogueEntry"),
                apps.get_model("plans", "InterferenceRule"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
