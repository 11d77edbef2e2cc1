"""Register of processing activities version 2 (Wet PGA, valid from 2025-07-01; version 1 stays
for the rows written under it), and the consultation of the log with its purpose (Wet PGA
art. 14 lid 2), append-only like the log (the trigger functions of 0004 attached to it)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from casustafel.processing_log import register

TABLE = "processing_log_logconsultation"

INSTALL = f"""
CREATE TRIGGER processing_log_consultation_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION processing_log_refuse_change();
CREATE TRIGGER processing_log_consultation_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION processing_log_refuse_change();
CREATE TRIGGER processing_log_consultation_no_truncate AFTER TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION processing_log_refuse_truncate();
"""

REMOVE = f"""
DROP TRIGGER IF EXISTS processing_log_consultation_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS processing_log_consultation_no_delete ON {TABLE};
DROP TRIGGER IF EXISTS processing_log_consultation_no_update ON {TABLE};
"""


def seed_register_v2(apps, schema_editor):
    spec = register.read_spec(register.DATA_DIR / "processing_activities_v2.json")
    register.load(spec, apps.get_model("processing_log", "ProcessingActivity"))


class Migration(migrations.Migration):
    dependencies = [
        ("processing_log", "0008_log_vocabulary_export_share_destroy_retention"),
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="processingactivity",
            name="valid_from",
            field=models.DateField(blank=True, null=True, verbose_name="geldig vanaf"),
        ),
        migrations.AddField(
            model_name="processingactivity",
            name="legal_basis_codes",
            field=models.JSONField(blank=True, default=list, verbose_name="codes grondslagen"),
        ),
        migrations.AddField(
            model_name="processingactivity",
            name="pending_amvb",
            field=models.JSONField(blank=True, default=list, verbose_name="te bevestigen bij de AMvB"),
        ),
        migrations.RunPython(seed_register_v2, migrations.RunPython.noop),
        migrations.CreateModel(
            name="LogConsultation",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("timestamp", models.DateTimeField(verbose_name="tijdstip")),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("lawfulness_check", "Controle van de rechtmatigheid van de gegevensverwerking"),
                            ("internal_control", "Interne controle"),
                            (
                                "integrity_security",
                                "Waarborging van de integriteit en de beveiliging van de persoonsgegevens",
                            ),
                            ("court_proceedings", "Gerechtelijke procedure"),
                        ],
                        max_length=30,
                        verbose_name="doel van de raadpleging",
                    ),
                ),
                ("date_from", models.DateField(blank=True, null=True, verbose_name="vanaf")),
                ("date_to", models.DateField(blank=True, null=True, verbose_name="tot en met")),
                ("criteria", models.JSONField(blank=True, default=list, verbose_name="zoekvelden")),
                (
                    "organisation",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                        verbose_name="organisatie",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="gebruiker",
                    ),
                ),
            ],
            options={
                "verbose_name": "raadpleging van het logboek",
                "verbose_name_plural": "raadplegingen van het logboek",
                "ordering": ["-timestamp"],
            },
        ),
        migrations.RunSQL(INSTALL, REMOVE),
    ]
