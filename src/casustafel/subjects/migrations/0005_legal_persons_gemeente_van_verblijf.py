import django.db.models.deletion
from django.db import migrations, models


def link_gemeente_van_verblijf(apps, schema_editor):
    """Wet PGA art. 1: the gemeente van verblijf of existing persons is their recorded
    municipality; link the region's gemeente organisation of that name where there is one."""
    from casustafel.access.rls import migration_scope_all_regions

    migration_scope_all_regions(schema_editor)
    alias = schema_editor.connection.alias
    subject_model = apps.get_model("subjects", "Subject")
    organisation_model = apps.get_model("accounts", "Organisation")
    gemeenten = {}
    for organisation in organisation_model.objects.using(alias).filter(kind="gemeente"):
        name = organisation.name.casefold()
        gemeenten[(organisation.region_id, name)] = organisation.pk
        gemeenten[(organisation.region_id, name.removeprefix("gemeente "))] = organisation.pk
    for subject in subject_model.objects.using(alias).all():
        organisation_id = gemeenten.get((subject.region_id, subject.municipality.strip().casefold()))
        if organisation_id is not None:
            subject.municipality_organisation_id = organisation_id
            subject.save(update_fields=["municipality_organisation"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_authenticator_device'),
        ('subjects', '0004_crossregionrequest_regions_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='subject',
            name='establishment_place',
            field=models.CharField(blank=True, max_length=100, verbose_name='plaats van vestiging'),
        ),
        migrations.AddField(
            model_name='subject',
            name='kind',
            field=models.CharField(choices=[('natural_person', 'Natuurlijk persoon'), ('legal_person', 'Rechtspersoon / organisatie')], default='natural_person', max_length=20, verbose_name='soort betrokkene'),
        ),
        migrations.AddField(
            model_name='subject',
            name='kvk_index',
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name='subject',
            name='kvk_number',
            field=models.CharField(blank=True, max_length=8, verbose_name='KvK-nummer'),
        ),
        migrations.AddField(
            model_name='subject',
            name='legal_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='naam organisatie'),
        ),
        migrations.AddField(
            model_name='subject',
            name='municipality_organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation', verbose_name='gemeente van verblijf (organisatie)'),
        ),
        migrations.AddField(
            model_name='subject',
            name='rsin',
            field=models.CharField(blank=True, max_length=9, verbose_name='RSIN'),
        ),
        migrations.AddField(
            model_name='subject',
            name='rsin_index',
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='subject',
            name='date_of_birth',
            field=models.DateField(blank=True, null=True, verbose_name='geboortedatum'),
        ),
        migrations.AlterField(
            model_name='subject',
            name='family_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='achternaam'),
        ),
        migrations.AlterField(
            model_name='subject',
            name='gender',
            field=models.CharField(blank=True, choices=[('man', 'Man'), ('vrouw', 'Vrouw'), ('anders', 'Anders / niet vastgelegd')], max_length=10, verbose_name='geslacht'),
        ),
        migrations.AlterField(
            model_name='subject',
            name='given_names',
            field=models.CharField(blank=True, max_length=200, verbose_name='voornamen'),
        ),
        migrations.AlterField(
            model_name='subject',
            name='municipality',
            field=models.CharField(help_text='Waar de betrokkene verblijft of het laatst verbleef; voor een rechtspersoon: waar die gevestigd is.', max_length=100, verbose_name='gemeente van verblijf'),
        ),
        migrations.AddConstraint(
            model_name='subject',
            constraint=models.UniqueConstraint(condition=models.Q(('kvk_index', ''), _negated=True), fields=('region', 'kvk_index'), name='subject_unique_kvk_per_region'),
        ),
        migrations.AddConstraint(
            model_name='subject',
            constraint=models.UniqueConstraint(condition=models.Q(('rsin_index', ''), _negated=True), fields=('region', 'rsin_index'), name='subject_unique_rsin_per_region'),
        ),
        migrations.AddConstraint(
            model_name='subject',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('date_of_birth__isnull', False), ('kind', 'natural_person'), ('kvk_index', ''), ('legal_name', ''), ('rsin_index', '')), models.Q(('bsn_index', ''), ('date_of_birth__isnull', True), ('kind', 'legal_person'), models.Q(('legal_name', ''), _negated=True)), _connector='OR'), name='subject_kind_fields'),
        ),
        migrations.RunPython(link_gemeente_van_verblijf, migrations.RunPython.noop),
    ]
