"""The second factor's secret encrypted at rest (ADR 0018).

Devices of django-otp's TOTP plugin (``otp_totp_totpdevice``, secret in plain hex) move
to ``accounts.AuthenticatorDevice`` with the secret encrypted under the newest key; the
plugin's table is then dropped and its migration records removed, so no plain secret is
left behind and the plugin could be installed again from scratch. A database created
after this change never had the plugin's table: nothing to move.
"""

import casustafel.accounts.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


LEGACY_TABLE = "otp_totp_totpdevice"
COLUMNS = ("id", "user_id", "name", "confirmed", "key", "step", "t0", "digits", "tolerance", "drift", "last_t")


def encrypt_legacy_secrets(apps, schema_editor):
    from casustafel.core import identity

    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    AuthenticatorDevice = apps.get_model("accounts", "AuthenticatorDevice")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {LEGACY_TABLE} ORDER BY id")
        rows = [dict(zip(COLUMNS, row)) for row in cursor.fetchall()]
    AuthenticatorDevice.objects.bulk_create(
        AuthenticatorDevice(
            user_id=row["user_id"],
            name=row["name"],
            confirmed=row["confirmed"],
            key_encrypted=identity.encrypt(row["key"]),
            step=row["step"],
            t0=row["t0"],
            digits=row["digits"],
            tolerance=row["tolerance"],
            drift=row["drift"],
            last_t=row["last_t"],
        )
        for row in rows
    )
    schema_editor.execute(f"DROP TABLE {LEGACY_TABLE}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'otp_totp'")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuthenticatorDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key_encrypted', models.TextField(default=casustafel.accounts.models.new_encrypted_secret, verbose_name='geheime sleutel (versleuteld)')),
                ('step', models.PositiveSmallIntegerField(default=30, verbose_name='tijdstap in seconden')),
                ('t0', models.BigIntegerField(default=0, verbose_name='begintijd (Unix-tijd)')),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6, verbose_name='aantal cijfers')),
                ('tolerance', models.PositiveSmallIntegerField(default=1, verbose_name='toegestane tijdstappen ernaast')),
                ('drift', models.SmallIntegerField(default=0, verbose_name='afwijking van de klok in tijdstappen')),
                ('last_t', models.BigIntegerField(default=-1, verbose_name='laatst geaccepteerde tijdstap')),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'authenticator-app',
                'abstract': False,
            },
        ),
        # Irreversible on purpose: going back would mean writing the secrets in plain text again.
        migrations.RunPython(encrypt_legacy_secrets),
    ]
