"""The processing activity "accountability" (verantwoording): compiling the aggregated figures of
the art. 18 Wet PGA annual report and the other reports (issue 13). Added to both versions of the
register, so a row keeps the rule that every purpose exists in each version."""

from django.db import migrations, models

from casustafel.processing_log import register


def add_accountability(apps, schema_editor):
    activity_model = apps.get_model("processing_log", "ProcessingActivity")
    for version in (1, 2):
        spec = register.read_spec(register.DATA_DIR / f"processing_activities_v{version}.json")
        spec["activities"] = [a for a in spec["activities"] if a["code"] == "accountability"]
        register.load(spec, activity_model)


class Migration(migrations.Migration):
    dependencies = [("processing_log", "0009_register_v2_and_log_consultation")]

    operations = [
        migrations.AlterField(
            model_name="processinglogentry",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("intake", "Registratie en voorbereiding van signalen"),
                    ("known_person_check", "Controle op bekende persoon"),
                    ("weighing", "Integrale weging door de weegploeg"),
                    ("case_management", "Uitvoering persoonsgerichte aanpak (casus)"),
                    ("privacy_supervision", "Toezicht op de verwerking door de FG"),
                    ("retention", "Bewaren en vernietigen"),
                    ("accountability", "Verantwoording (jaarverslag en rapportages)"),
                ],
                max_length=40,
                verbose_name="verwerkingsactiviteit",
            ),
        ),
        migrations.RunPython(add_accountability, migrations.RunPython.noop),
    ]
