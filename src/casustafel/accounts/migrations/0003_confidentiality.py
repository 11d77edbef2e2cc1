"""Wet PGA art. 17: the confidentiality text as data (version 1 from ``data/``) and the
acknowledgements of it; the account administration's flag for a duty of secrecy from
office, profession or statute. Existing accounts start without that flag: they acknowledge
at their next login until the administration sets it (ADR 0027)."""

import json
from datetime import date
from pathlib import Path

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data" / "confidentiality_v1.json"


def seed(apps, schema_editor):
    ConfidentialityText = apps.get_model("accounts", "ConfidentialityText")
    spec = json.loads(DATA.read_text(encoding="utf-8"))
    ConfidentialityText.objects.get_or_create(
        version=spec["version"],
        defaults={
            "valid_from": date.fromisoformat(spec["valid_from"]),
            "renew_after_days": spec["renew_after_days"],
            "title": spec["title"],
            "text": "\n\n".join(spec["text"]),
            "source": spec["source"],
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_authenticator_device'),
    ]

    operations = [
        migrations.CreateModel(
            name='ConfidentialityText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(unique=True, verbose_name='versie')),
                ('valid_from', models.DateField(verbose_name='geldig vanaf')),
                ('title', models.CharField(max_length=200, verbose_name='titel')),
                ('text', models.TextField(verbose_name='tekst')),
                ('renew_after_days', models.PositiveIntegerField(default=365, verbose_name='opnieuw erkennen na (dagen)')),
                ('source', models.TextField(blank=True, verbose_name='herkomst')),
            ],
            options={
                'verbose_name': 'geheimhoudingstekst',
                'verbose_name_plural': 'geheimhoudingsteksten',
                'ordering': ['-valid_from', '-version'],
            },
        ),
        migrations.AddField(
            model_name='user',
            name='has_other_secrecy_duty',
            field=models.BooleanField(default=False, help_text='Aan als voor deze medewerker al een geheimhoudingsplicht geldt; anders erkent hij art. 17.', verbose_name='geheimhoudingsplicht uit ambt, beroep of wettelijk voorschrift'),
        ),
        migrations.CreateModel(
            name='ConfidentialityAcknowledgement',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('acknowledged_at', models.DateTimeField(verbose_name='erkend op')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='confidentiality_acknowledgements', to=settings.AUTH_USER_MODEL, verbose_name='gebruiker')),
                ('text', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='acknowledgements', to='accounts.confidentialitytext', verbose_name='tekst')),
            ],
            options={
                'verbose_name': 'erkenning geheimhoudingsplicht',
                'verbose_name_plural': 'erkenningen geheimhoudingsplicht',
                'ordering': ['-acknowledged_at'],
                'indexes': [models.Index(fields=['user', 'text', '-acknowledged_at'], name='confidentiality_ack_lookup')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
