"""Chain version 3 (ADR 0048): the Merkle tree tables and the conversion of existing chains.

Creates ``LogLeaf``, ``MerkleNode`` and ``TreeHead`` (append-only: the trigger functions of
0004 attached to them; the application role gets SELECT/INSERT only through ``rls``), then
converts: it verifies the existing version 2 chain first and refuses, naming the first
broken row, when it does not verify; then it seals every existing row as a leaf in id
order (their v2 hashes stay untouched), stores the complete subtrees of 256 leaves and
more and writes the first tree head. That head is unsigned: the signing key is the
sequencer's and is not read by migrations; the first sequencer run appends a signed head
of the same size (and exports it).
"""

from django.db import migrations, models
from django.utils import timezone

from casustafel.processing_log import chain, merkle

STORED_LEVEL = 8
BATCH = 5000
TABLES = ("processing_log_logleaf", "processing_log_merklenode", "processing_log_treehead")

INSTALL = "".join(
    f"""
CREATE TRIGGER processing_log_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION processing_log_refuse_change();
CREATE TRIGGER processing_log_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION processing_log_refuse_change();
CREATE TRIGGER processing_log_no_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION processing_log_refuse_truncate();
"""
    for table in TABLES
)
REMOVE = "".join(
    f"""
DROP TRIGGER IF EXISTS processing_log_no_truncate ON {table};
DROP TRIGGER IF EXISTS processing_log_no_delete ON {table};
DROP TRIGGER IF EXISTS processing_log_no_update ON {table};
"""
    for table in TABLES
)


class ChainBrokenError(RuntimeError):
    pass


def convert(apps, schema_editor):
    Entry = apps.get_model("processing_log", "ProcessingLogEntry")
    LogLeaf = apps.get_model("processing_log", "LogLeaf")
    MerkleNode = apps.get_model("processing_log", "MerkleNode")
    TreeHead = apps.get_model("processing_log", "TreeHead")
    audit_columns = tuple(f"audit_record__{name}" for name in chain.AUDIT_FIELDS)
    row_fields = tuple(name for name in chain.FIELDS if name != "audit_hash")
    rows = Entry.objects.order_by("id").values_list(
        "id", "prev_hash", "row_hash", "audit_record__record_hash", *audit_columns, *row_fields
    )
    audit_end = 4 + len(audit_columns)
    prev, frontier, leaves, nodes, audit_hashes = chain.GENESIS, merkle.Frontier(), [], [], {}

    def keep(level, index, value):
        if level >= STORED_LEVEL:
            nodes.append(MerkleNode(level=level, index=index, hash=value))

    def refuse(row_id, what):
        raise ChainBrokenError(
            f"Logboek NIET intact: {what} bij regel {row_id}. De omzetting naar ketenversie 3 is geweigerd; "
            "onderzoek het logboek (casustafel log verify met de vorige versie) voordat u opnieuw migreert."
        )

    for row in rows.iterator(chunk_size=BATCH):
        row_id, prev_hash, row_hash, stored_audit_hash = row[:4]
        values = dict(zip(row_fields, row[audit_end:], strict=True))
        audit_id = values["audit_record_id"]
        if audit_id not in audit_hashes:
            audit_hashes.clear()
            audit_hashes[audit_id] = chain.audit_hash(dict(zip(chain.AUDIT_FIELDS, row[4:audit_end], strict=True)))
        content_hash = audit_hashes[audit_id]
        if prev_hash != prev:
            refuse(row_id, "de keten is verbroken (de vorige hash klopt niet)")
        if content_hash != stored_audit_hash:
            refuse(row_id, "de verantwoordingsregel is gewijzigd")
        values["audit_hash"] = content_hash
        if chain.row_hash(prev_hash, values) != row_hash:
            refuse(row_id, "de regel is gewijzigd (de hash klopt niet)")
        prev = row_hash
        leaf = merkle.leaf_hash(chain.canonical_v3(row_id, values))
        leaves.append(LogLeaf(leaf_index=frontier.size, entry_id=row_id, leaf_hash=leaf))
        frontier.append(leaf, keep)
        if len(leaves) >= BATCH:
            LogLeaf.objects.bulk_create(leaves)
            leaves.clear()
    LogLeaf.objects.bulk_create(leaves)
    MerkleNode.objects.bulk_create(nodes, batch_size=BATCH)
    if frontier.size:
        TreeHead.objects.create(tree_size=frontier.size, root_hash=frontier.root().hex(), timestamp=timezone.now())


class Migration(migrations.Migration):

    dependencies = [("processing_log", "0011_import_action")]

    operations = [
        migrations.CreateModel(
            name='LogLeaf',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('leaf_index', models.BigIntegerField(unique=True, verbose_name='bladnummer')),
                ('entry_id', models.BigIntegerField(unique=True, verbose_name='logregel')),
                ('leaf_hash', models.BinaryField(max_length=32, verbose_name='bladhash')),
            ],
            options={
                'verbose_name': 'blad van de logboekboom',
                'verbose_name_plural': 'bladen van de logboekboom',
                'ordering': ['leaf_index'],
            },
        ),
        migrations.CreateModel(
            name='TreeHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tree_size', models.BigIntegerField(verbose_name='aantal bladen')),
                ('root_hash', models.CharField(max_length=64, verbose_name='wortelhash')),
                ('timestamp', models.DateTimeField(verbose_name='tijdstip')),
                ('signature', models.CharField(blank=True, default='', max_length=100, verbose_name='ondertekening')),
                ('key_id', models.CharField(blank=True, default='', max_length=16, verbose_name='sleutel')),
            ],
            options={
                'verbose_name': 'boomkop van het logboek',
                'verbose_name_plural': 'boomkoppen van het logboek',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='MerkleNode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(verbose_name='niveau')),
                ('index', models.BigIntegerField(verbose_name='positie')),
                ('hash', models.BinaryField(max_length=32, verbose_name='hash')),
            ],
            options={
                'verbose_name': 'knoop van de logboekboom',
                'verbose_name_plural': 'knopen van de logboekboom',
                'constraints': [models.UniqueConstraint(fields=('level', 'index'), name='merkle_node_unique_position')],
            },
        ),
        migrations.RunSQL(INSTALL, REMOVE),
        migrations.RunPython(convert, migrations.RunPython.noop),
    ]
