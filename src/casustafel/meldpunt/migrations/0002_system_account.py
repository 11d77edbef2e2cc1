"""The meldpunt's own account: who the processing log names for a melding from the public.

Created here because the application role may not create accounts (access.rls.ACCOUNT_TABLES);
inactive and with an unusable password, so nobody can ever log in with it.
"""

from django.contrib.auth.hashers import make_password
from django.db import migrations

USERNAME = "meldpunt"


def create(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.get_or_create(
        username=USERNAME,
        defaults={
            "first_name": "Openbaar",
            "last_name": "meldpunt",
            "is_active": False,
            "password": make_password(None),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("accounts", "User").objects.filter(username=USERNAME, is_active=False).delete()


class Migration(migrations.Migration):
    dependencies = [("meldpunt", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
