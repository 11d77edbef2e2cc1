from django.db import migrations, models


def existing_signals_are_referrals(apps, schema_editor):
    """Wet PGA art. 5 lid 1: every signal so far was registered by a participant, so it is an
    aanmelding by its registering organisation (the field default), addressed to that
    organisation's side of the three: politie, OM, else the burgemeester."""
    from casustafel.access.rls import migration_scope_all_regions

    migration_scope_all_regions(schema_editor)
    signal_model = apps.get_model("signals", "Signal")
    signals = signal_model.objects.using(schema_editor.connection.alias)
    for kind, addressee in (("politie", "police"), ("om", "prosecution")):
        signals.filter(registered_by_organisation__kind=kind).update(addressed_to=addressee)


class Migration(migrations.Migration):

    dependencies = [
        ('signals', '0003_signal_idempotency_fingerprint'),
    ]

    operations = [
        migrations.AddField(
            model_name='signal',
            name='addressed_to',
            field=models.CharField(choices=[('police', 'Politie'), ('prosecution', 'Openbaar Ministerie'), ('mayor', 'Burgemeester van de gemeente van verblijf')], default='mayor', max_length=12, verbose_name='gericht aan'),
        ),
        migrations.AddField(
            model_name='signal',
            name='intake_route',
            field=models.CharField(choices=[('referral', 'Aanmelding door een deelnemer (art. 5 lid 1)'), ('report', 'Melding (art. 5 lid 2)')], default='referral', max_length=10, verbose_name='soort binnenkomst'),
        ),
        migrations.AddField(
            model_name='signal',
            name='reporter_contact',
            field=models.CharField(blank=True, max_length=300, verbose_name='contactgegevens melder'),
        ),
        migrations.AddField(
            model_name='signal',
            name='reporter_kind',
            field=models.CharField(blank=True, choices=[('citizen', 'Burger'), ('professional', 'Professional'), ('anonymous', 'Anoniem')], max_length=12, verbose_name='soort melder'),
        ),
        migrations.AddField(
            model_name='signal',
            name='reporter_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='naam melder'),
        ),
        migrations.RunPython(existing_signals_are_referrals, migrations.RunPython.noop),
    ]
