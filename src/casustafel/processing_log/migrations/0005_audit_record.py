"""The linked audit record (verantwoordingsregel, ADR 0015): the table, append-only like
the log (the trigger functions of 0004 attached to it), and a nullable link from each log
row; 0006 fills the link and re-hashes the chain, 0007 drops the inline actor columns."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "processing_log_auditrecord"

INSTALL = f"""
CREATE TRIGGER processing_log_audit_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION processing_log_refuse_change();
CREATE TRIGGER processing_log_audit_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION processing_log_refuse_change();
CREATE TRIGGER processing_log_audit_no_truncate AFTER TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION processing_log_refuse_truncate();
"""

REMOVE = f"""
DROP TRIGGER IF EXISTS processing_log_audit_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS processing_log_audit_no_delete ON {TABLE};
DROP TRIGGER IF EXISTS processing_log_audit_no_update ON {TABLE};
"""


class Migration(migrations.Migration):

    dependencies = [
        ("processing_log", "0004_append_only_triggers"),
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("timestamp", models.DateTimeField(verbose_name="tijdstip")),
                ("trace_id", models.CharField(max_length=32, verbose_name="trace-id")),
                ("span_id", models.CharField(db_index=True, max_length=16, verbose_name="span-id")),
                ("role", models.CharField(blank=True, max_length=30, verbose_name="rol")),
                ("via_api", models.BooleanField(default=False, verbose_name="via API")),
                ("record_hash", models.CharField(default="", max_length=64, verbose_name="hash")),
                ("organisation", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="+", to="accounts.organisation",
                                                   verbose_name="organisatie")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                           to=settings.AUTH_USER_MODEL, verbose_name="gebruiker")),
            ],
            options={
                "verbose_name": "verantwoordingsregel",
                "verbose_name_plural": "verantwoordingsregels",
                "ordering": ["id"],
            },
        ),
        migrations.RunSQL(INSTALL, REMOVE),
        migrations.AddField(
            model_name="processinglogentry",
            name="audit_record",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="entries",
                                    to="processing_log.auditrecord", verbose_name="verantwoordingsregel"),
        ),
    ]
