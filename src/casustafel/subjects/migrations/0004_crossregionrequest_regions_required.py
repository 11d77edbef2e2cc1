import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("subjects", "0003_crossregionrequest_regions")]

    operations = [
        migrations.AlterField(
            model_name="crossregionrequest", name="from_region",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="accounts.region")),
        migrations.AlterField(
            model_name="crossregionrequest", name="to_region",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="accounts.region")),
    ]
