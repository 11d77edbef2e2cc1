import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_casetransfer_proposal_fields")]

    operations = [
        migrations.AlterField(
            model_name="casetransfer", name="subject",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="subjects.subject")),
    ]
