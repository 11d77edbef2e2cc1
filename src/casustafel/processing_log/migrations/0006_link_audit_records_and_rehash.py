"""Chain version 2 (ADR 0015): one audit record per (trace, span, user, organisation,
via API) group of existing log rows, then the whole chain re-hashed in id order.

The version 1 chain is verified first: re-hashing a tampered log would launder the
tampering, so a broken chain stops the migration (repair or explain it first). Runs as
the table owner: the log's append-only triggers are switched off for the re-hash and on
again in the same transaction. The role of pre-existing records is the user's role at
migration time (the role at the moment of acting was not kept before).
"""

from django.db import migrations

TABLE = "processing_log_processinglogentry"
CHUNK = 2000


def verify_v1(Entry):
    from casustafel.processing_log import chain

    prev = chain.GENESIS
    for entry in Entry.objects.order_by("id").iterator(chunk_size=CHUNK):
        if entry.prev_hash != prev or chain.hash_entry_v1(entry.prev_hash, entry) != entry.row_hash:
            raise RuntimeError(
                f"Logboek NIET intact bij regel {entry.pk} (keten versie 1); de omzetting naar versie 2 "
                "is gestopt. Controleer het logboek met 'casustafel log verify' op de vorige versie.")
        prev = entry.row_hash


def link_and_rehash(apps, schema_editor):
    from casustafel.processing_log import chain

    Entry = apps.get_model("processing_log", "ProcessingLogEntry")
    AuditRecord = apps.get_model("processing_log", "AuditRecord")
    User = apps.get_model("accounts", "User")
    if not Entry.objects.exists():
        return
    verify_v1(Entry)
    roles = dict(User.objects.values_list("pk", "role"))
    schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    audits: dict[tuple, object] = {}
    prev, batch = chain.GENESIS, []
    for entry in Entry.objects.order_by("id").iterator(chunk_size=CHUNK):
        key = (entry.trace_id, entry.span_id, entry.user_id, entry.organisation_id, entry.via_api)
        audit = audits.get(key)
        if audit is None:
            audit = AuditRecord(timestamp=entry.timestamp, trace_id=entry.trace_id, span_id=entry.span_id,
                                user_id=entry.user_id, organisation_id=entry.organisation_id,
                                role=roles.get(entry.user_id) or "", via_api=entry.via_api)
            audit.record_hash = chain.hash_audit_record(audit)
            audit.save(force_insert=True)
            audits[key] = audit
        entry.audit_record_id = audit.pk
        entry.prev_hash = prev
        entry.row_hash = prev = chain.hash_entry(prev, entry, audit.record_hash)
        batch.append(entry)
        if len(batch) >= CHUNK:
            Entry.objects.bulk_update(batch, ["audit_record", "prev_hash", "row_hash"])
            batch = []
    if batch:
        Entry.objects.bulk_update(batch, ["audit_record", "prev_hash", "row_hash"])
    # ALTER TABLE refuses while deferred foreign-key checks of this transaction are pending.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


class Migration(migrations.Migration):

    dependencies = [("processing_log", "0005_audit_record"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(link_and_rehash, migrations.RunPython.noop)]
