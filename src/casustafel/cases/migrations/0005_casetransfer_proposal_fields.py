import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    from casustafel.access.rls import migration_scope_all_regions

    migration_scope_all_regions(schema_editor)
    transfer_model = apps.get_model("cases", "CaseTransfer")
    for transfer in transfer_model.objects.using(schema_editor.connection.alias).select_related("case__subject"):
        transfer.subject_id = transfer.case.subject_id
        transfer.case_reference = transfer.case.reference
        transfer.municipality = transfer.case.subject.municipality
        transfer.save(update_fields=["subject", "case_reference", "municipality"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_casetransfer"),
        ("subjects", "0002_crossregionrequest"),
    ]

    operations = [
        migrations.AddField(
            model_name="casetransfer", name="subject",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="subjects.subject")),
        migrations.AddField(
            model_name="casetransfer", name="case_reference",
            field=models.CharField(default="", max_length=20, verbose_name="kenmerk"), preserve_default=False),
        migrations.AddField(
            model_name="casetransfer", name="municipality",
            field=models.CharField(blank=True, max_length=100, verbose_name="woongemeente")),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
