"""The actor lives in the linked audit record only (ADR 0015)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("processing_log", "0006_link_audit_records_and_rehash")]

    operations = [
        migrations.RemoveField(model_name="processinglogentry", name="user"),
        migrations.RemoveField(model_name="processinglogentry", name="organisation"),
        migrations.RemoveField(model_name="processinglogentry", name="via_api"),
        migrations.AlterField(
            model_name="processinglogentry",
            name="audit_record",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="entries",
                                    to="processing_log.auditrecord", verbose_name="verantwoordingsregel"),
        ),
    ]
