import django.db.models.deletion
from django.db import migrations, models


def fill_regions(apps, schema_editor):
    from casustafel.access.rls import migration_scope_all_regions

    migration_scope_all_regions(schema_editor)
    request_model = apps.get_model("subjects", "CrossRegionRequest")
    for request in request_model.objects.using(schema_editor.connection.alias).select_related(
            "subject", "to_subject"):
        request.from_region_id = request.subject.region_id
        request.to_region_id = request.to_subject.region_id
        request.save(update_fields=["from_region", "to_region"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("subjects", "0002_crossregionrequest"),
    ]

    operations = [
        migrations.AddField(
            model_name="crossregionrequest", name="from_region",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="accounts.region")),
        migrations.AddField(
            model_name="crossregionrequest", name="to_region",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="accounts.region")),
        migrations.RunPython(fill_regions, migrations.RunPython.noop),
    ]
