"""The processing log as a tamper-evident structure (Wet PGA art. 14): register, span/status,
chain version 3 (Merkle tree, sequencer, signed and exported heads, proofs; ADR 0048),
append-only triggers, ``casustafel log head/verify/seal/keygen``, tampering and conversion."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from casustafel.cli import main
from casustafel.processing_log import chain, merkle, proofs, sequencer, signing
from casustafel.processing_log.models import (
    Action,
    AuditRecord,
    LogLeaf,
    MerkleNode,
    ProcessingActivity,
    ProcessingLogEntry,
    Purpose,
    Status,
    TreeHead,
)
from casustafel.processing_log.services import record
from casustafel.processing_log.verify import head, verify
from casustafel.signals.models import Signal

from .conftest import make_case
from .helpers import login

pytestmark = pytest.mark.django_db

TABLE = ProcessingLogEntry._meta.db_table
AUDIT_TABLE = AuditRecord._meta.db_table
LEAF_TABLE = LogLeaf._meta.db_table
NODE_TABLE = MerkleNode._meta.db_table
HEAD_TABLE = TreeHead._meta.db_table
HEX16 = re.compile(r"^[0-9a-f]{16}$")


@contextmanager
def triggers_disabled(table=TABLE):
    """Simulate an attacker with table rights: switch the append-only triggers off (superuser)."""
    with connection.cursor() as cursor:
        # ALTER TABLE needs the test transaction's deferred foreign-key checks done first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def truncate(tables):
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE needs the test transaction's deferred FK checks done
    sql(f"TRUNCATE {tables}")


@pytest.fixture
def logged(region_a, case_a):
    """A region's full flow in the log (dozens of chained rows)."""
    rows = list(ProcessingLogEntry.objects.order_by("id"))
    assert len(rows) > 10
    return rows


# ------------------------------------------------------------------ register and shape


def test_register_is_seeded_from_data_and_covers_every_purpose():
    codes = set(ProcessingActivity.objects.values_list("code", flat=True))
    assert codes == {p.value for p in Purpose}
    for activity in ProcessingActivity.objects.all():
        assert activity.version >= 1 and activity.name and activity.purpose and activity.legal_basis


def test_rows_carry_span_status_activity_and_python_timestamp(region_a, signal_a):
    intake = region_a.users["intake"]
    before = ProcessingLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a, signal_a.subject])
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])
    first, second, third = ProcessingLogEntry.objects.filter(id__gt=before).select_related("activity").order_by("id")
    assert HEX16.match(first.span_id) and first.span_id == second.span_id != third.span_id
    assert first.timestamp == second.timestamp and first.timestamp is not None
    assert {r.status for r in (first, second, third)} == {Status.OK}
    assert first.activity.code == "intake" and first.purpose == Purpose.INTAKE
    # one row per data subject per action, pseudonymous
    assert first.data_subject_id == second.data_subject_id == signal_a.subject_id


# ------------------------------------------------------------------ chain version 3 (ADR 0048)


def test_rows_are_written_without_a_chain_hash_and_sealed_into_the_tree(logged):
    """Wet PGA art. 14: every row becomes a leaf; leaf hash = SHA-256(0x00 || canonical v3 bytes)."""
    assert {(row.prev_hash, row.row_hash) for row in logged} == {("", "")}
    assert sequencer.unsealed_count() == len(logged)
    assert sequencer.seal() == len(logged)
    leaves = list(LogLeaf.objects.order_by("leaf_index"))
    assert [leaf.leaf_index for leaf in leaves] == list(range(len(logged)))
    assert [leaf.entry_id for leaf in leaves] == [row.pk for row in logged]
    for row, leaf in zip(logged, leaves, strict=True):
        audit = row.audit_record
        assert audit.record_hash == chain.hash_audit_record(audit)
        assert bytes(leaf.leaf_hash) == merkle.leaf_hash(chain.leaf_bytes(row, audit.record_hash))
    head = TreeHead.objects.get()
    assert head.tree_size == len(logged)
    assert head.root_hash == merkle.root([bytes(leaf.leaf_hash) for leaf in leaves]).hex()
    assert signing.verify(
        signing.public_key_raw(), head.tree_size, head.root_hash, chain._timestamp(head.timestamp), head.signature
    )
    assert sequencer.seal() == 0 and TreeHead.objects.count() == 1  # nothing new: no new head
    report = verify()
    assert report.intact and report.checked == len(logged) and report.unsealed == 0


def test_verify_computes_the_same_leaves_in_sql_as_the_sequencer_in_python(sealed):
    """The SQL canonical form (verify) and ``chain.canonical_v3`` (sequencer) give the same bytes."""
    from casustafel.processing_log.verify import _diagnose_sql

    with connection.cursor() as cursor:
        for index in range(len(sealed)):
            cursor.execute(_diagnose_sql(), [index])
            _index, entry_id, stored, present, audit_ok, computed, _audit = cursor.fetchone()
            assert entry_id == sealed[index].pk
            assert present and audit_ok and bytes(stored) == bytes(computed)


def test_canonical_form_is_fixed():
    """Changing the serialisation would silently invalidate every stored hash."""
    from datetime import UTC, datetime

    when = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    audit = dict(
        timestamp=when,
        trace_id="t" * 32,
        span_id="s" * 16,
        user_id=7,
        organisation_id="00000000-0000-0000-0000-00000000000a",
        role="intake_officer",
        via_api=True,
    )
    assert chain.canonical_audit(audit) == (
        '["2026-01-02T03:04:05.000006Z","' + "t" * 32 + '","' + "s" * 16 + '",7,'
        '"00000000-0000-0000-0000-00000000000a","intake_officer",true]'
    )
    values = dict(
        timestamp=when,
        trace_id="t" * 32,
        span_id="s" * 16,
        audit_record_id=9,
        audit_hash="a" * 64,
        action="read",
        purpose="intake",
        activity_id=1,
        status="ok",
        object_type="signal",
        object_id="00000000-0000-0000-0000-000000000001",
        data_subject_id=None,
    )
    assert chain.canonical(values) == (
        '["2026-01-02T03:04:05.000006Z","' + "t" * 32 + '","' + "s" * 16 + '",9,"' + "a" * 64 + '","read",'
        '"intake",1,"ok","signal","00000000-0000-0000-0000-000000000001",null]'
    )
    assert chain.canonical_v3(42, values) == ("[42," + chain.canonical(values)[1:]).encode()
    assert chain.VERSION == 3
    assert signing.head_text(3, "ab" * 32, "2026-01-02T03:04:05.000006Z") == (
        b"casustafel-log-v3\n3\n" + b"ab" * 32 + b"\n2026-01-02T03:04:05.000006Z"
    )
    # Version 1 (ADR 0008) stays as it was: migrations 0003 and 0006 verify and convert with it.
    v1 = dict(
        timestamp=when,
        trace_id="t" * 32,
        span_id="s" * 16,
        user_id=7,
        organisation_id=None,
        action="read",
        purpose="intake",
        activity_id=1,
        status="ok",
        object_type="signal",
        object_id="00000000-0000-0000-0000-000000000001",
        data_subject_id=None,
        via_api=False,
    )
    assert chain.canonical_v1(v1) == (
        '["2026-01-02T03:04:05.000006Z","' + "t" * 32 + '","' + "s" * 16 + '",7,null,"read","intake",1,"ok",'
        '"signal","00000000-0000-0000-0000-000000000001",null,false]'
    )


def test_record_takes_no_global_lock(region_a, signal_a):
    """Chain version 3: an append holds no advisory lock until its commit (ADR 0048)."""
    with transaction.atomic():
        record(region_a.users["intake"], action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
            assert cursor.fetchone()[0] == 0


def test_sealing_in_small_rounds_gives_the_same_tree_and_restarts_where_it_stopped(logged):
    """A sequencer stopped after any round continues: the same leaves, the same root."""
    rounds = 0
    while sequencer.seal(limit=3):
        rounds += 1
    assert rounds == -(-len(logged) // 3)
    leaves = [bytes(h) for h in LogLeaf.objects.order_by("leaf_index").values_list("leaf_hash", flat=True)]
    assert TreeHead.objects.order_by("-id").first().root_hash == merkle.root(leaves).hex()
    assert [h.tree_size for h in TreeHead.objects.order_by("id")][-1] == len(logged)
    assert verify().intact


def test_heads_are_exported_as_json_lines_with_signature(logged, settings):
    sequencer.seal(limit=5)
    sequencer.seal()
    lines = [json.loads(line) for line in Path(settings.CASUSTAFEL_LOG_HEAD_EXPORT).read_text().splitlines()]
    assert [line["tree_size"] for line in lines] == [5, len(logged)]
    newest = TreeHead.objects.order_by("-id").first()
    assert lines[-1] == sequencer.head_record(newest) and lines[-1]["version"] == 3


# ------------------------------------------------------------------ proofs (RFC 9162)


@pytest.fixture
def big_log(region_a, signal_a):
    """600 rows sealed in three rounds: complete subtrees of 256 leaves are stored."""
    intake = region_a.users["intake"]
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a] * 300)
    sequencer.seal()
    record(intake, action=Action.LIST, purpose=Purpose.INTAKE, objects=[signal_a] * 300)
    sequencer.seal(limit=200)
    sequencer.seal()
    return [bytes(h) for h in LogLeaf.objects.order_by("leaf_index").values_list("leaf_hash", flat=True)]


def test_complete_subtrees_are_stored_and_proofs_match_the_reference(big_log):
    size = len(big_log)
    assert set(MerkleNode.objects.values_list("level", "index")) == {(8, 0), (8, 1), (9, 0)}
    reference = merkle.ListTree(big_log)
    stored = sequencer.StoredTree()
    for index in (0, 1, 255, 256, 511, 512, size - 1):
        assert merkle.inclusion_path(index, size, stored.mth) == merkle.inclusion_path(index, size, reference.mth)
    for old in (1, 256, 300, 500, size):
        assert sequencer.consistency_proof(old, size) == merkle.consistency_proof(old, size, reference.mth)


def test_inclusion_proof_of_an_entry_verifies_and_fails_when_altered(big_log):
    """Wet PGA art. 14: a data subject's entry is provably in the signed log."""
    entry_id = LogLeaf.objects.get(leaf_index=400).entry_id
    proof = proofs.inclusion_proof(entry_id)
    head = proof["tree_head"]
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    leaf = bytes.fromhex(proof["leaf_hash"])
    root = bytes.fromhex(head["root_hash"])
    assert proof["leaf_index"] == 400 and head["tree_size"] == len(big_log)
    assert merkle.verify_inclusion(400, head["tree_size"], leaf, path, root)
    assert signing.verify(
        signing.public_key_raw(), head["tree_size"], head["root_hash"], head["timestamp"], head["signature"]
    )
    assert not merkle.verify_inclusion(401, head["tree_size"], leaf, path, root)
    assert not merkle.verify_inclusion(400, head["tree_size"], leaf, [path[0][::-1], *path[1:]], root)
    assert not merkle.verify_inclusion(400, head["tree_size"], bytes(32), path, root)
    assert not signing.verify(
        signing.public_key_raw(), head["tree_size"] - 1, head["root_hash"], head["timestamp"], head["signature"]
    )


def test_consistency_proof_between_two_heads_verifies_and_fails_when_altered(big_log):
    heads = list(TreeHead.objects.order_by("id"))
    old, new = heads[0], heads[-1]
    proof = sequencer.consistency_proof(old.tree_size, new.tree_size)
    old_root, new_root = bytes.fromhex(old.root_hash), bytes.fromhex(new.root_hash)
    assert merkle.verify_consistency(old.tree_size, new.tree_size, old_root, new_root, proof)
    assert not merkle.verify_consistency(old.tree_size, new.tree_size, new_root, new_root, proof)
    assert not merkle.verify_consistency(old.tree_size, new.tree_size, old_root, new_root, [bytes(32), *proof[1:]])


def test_merkle_tree_matches_the_rfc_6962_reference_vectors():
    """The certificate-transparency reference tree of 8 leaves (roots of every prefix)."""
    data = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        bytes(range(0x50, 0x58)),
        bytes(range(0x60, 0x70)),
    ]
    roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    leaves = [merkle.leaf_hash(d) for d in data]
    assert [merkle.root(leaves[:n]).hex() for n in range(1, 9)] == roots
    assert merkle.root([]) == merkle.EMPTY_ROOT


def _naive_root(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = merkle.split(len(leaves))
    return merkle.node_hash(_naive_root(leaves[:k]), _naive_root(leaves[k:]))


def test_every_proof_up_to_64_leaves_verifies_against_the_naive_definition():
    leaves = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(64)]
    tree = merkle.ListTree(leaves)
    for size in range(1, 65):
        root = _naive_root(leaves[:size])
        assert merkle.root(leaves[:size]) == root
        for index in range(size):
            path = merkle.inclusion_path(index, size, tree.mth)
            assert merkle.verify_inclusion(index, size, leaves[index], path, root)
            if path:
                assert not merkle.verify_inclusion(index, size, leaves[index], path[:-1], root)
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(old, size, tree.mth)
            old_root = _naive_root(leaves[:old])
            assert merkle.verify_consistency(old, size, old_root, root, proof)
            if proof:
                assert not merkle.verify_consistency(old, size, old_root, root, [bytes(32), *proof[1:]])
                assert not merkle.verify_consistency(old, size, old_root, root, proof[:-1])


# ------------------------------------------------------------------ append-only


@pytest.mark.parametrize(
    "attempt",
    [
        lambda row: ProcessingLogEntry.objects.filter(pk=row.pk).update(action="list"),
        lambda row: ProcessingLogEntry.objects.filter(pk=row.pk).delete(),
        lambda row: row.save(),
        lambda row: sql(f"UPDATE {TABLE} SET action = 'list' WHERE id = %s", [row.pk]),
        lambda row: sql(f"DELETE FROM {TABLE} WHERE id = %s", [row.pk]),
        lambda row: truncate(TABLE),
    ],
    ids=["orm-update", "orm-delete", "orm-save", "sql-update", "sql-delete", "sql-truncate"],
)
def test_the_database_refuses_changes_to_the_log(logged, attempt):
    row = logged[3]
    with pytest.raises(DatabaseError, match="alleen aan te vullen"), transaction.atomic():
        attempt(row)
    assert ProcessingLogEntry.objects.count() == len(logged)
    assert ProcessingLogEntry.objects.get(pk=row.pk).row_hash == row.row_hash
    assert verify().intact


def test_only_a_reset_of_the_whole_database_may_empty_the_log(logged):
    """The test runner's flush empties every table at once (users included): that passes."""
    with transaction.atomic():
        truncate(f"{TABLE}, accounts_user CASCADE")
        assert not ProcessingLogEntry.objects.exists()
        transaction.set_rollback(True)
    assert ProcessingLogEntry.objects.count() == len(logged)


# ------------------------------------------------------------------ tampering (Wet PGA art. 14)


@pytest.fixture
def sealed(logged):
    """The region's flow sealed into a signed, exported tree head."""
    assert sequencer.seal() == len(logged)
    assert verify().intact
    return logged


def test_modified_row_is_detected(sealed, capsys):
    """Wet PGA art. 14: a changed log row no longer matches its leaf."""
    target = sealed[len(sealed) // 2]
    with triggers_disabled():
        sql(f"UPDATE {TABLE} SET object_type = 'subject' WHERE id = %s", [target.pk])
    report = verify()
    assert not report.intact and report.broken_id == target.pk
    assert main(["log", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"regel {target.pk} of zijn verantwoordingsregel is gewijzigd" in err and "NIET intact" in err


def test_modified_row_with_a_recomputed_leaf_is_detected_by_the_root(sealed):
    """Wet PGA art. 14: recomputing the leaf changes the root the signed, exported head fixes."""
    target = sealed[4]
    with triggers_disabled():
        ProcessingLogEntry.objects.filter(pk=target.pk).update(action=Action.LIST)
    forged = ProcessingLogEntry.objects.select_related("audit_record").get(pk=target.pk)
    with triggers_disabled(LEAF_TABLE):
        LogLeaf.objects.filter(entry_id=target.pk).update(
            leaf_hash=merkle.leaf_hash(chain.leaf_bytes(forged, forged.audit_record.record_hash))
        )
    report = verify()
    assert not report.intact and "wortelhash van de nieuwste boomkop klopt niet" in report.message


def test_changed_leaf_is_detected(sealed):
    with triggers_disabled(LEAF_TABLE):
        LogLeaf.objects.filter(leaf_index=3).update(leaf_hash=bytes(32))
    report = verify()
    assert not report.intact and report.broken_id == sealed[3].pk and "bladhash van blad 3" in report.message


def test_changed_node_is_detected(big_log):
    assert verify().intact
    with triggers_disabled(NODE_TABLE):
        MerkleNode.objects.filter(level=8, index=1).update(hash=bytes(32))
    report = verify()
    assert not report.intact and "knoop 8/1 van de boom is gewijzigd" in report.message


def test_row_deleted_in_the_middle_is_detected(sealed, capsys):
    victim = sealed[6]
    with triggers_disabled():
        sql(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
    report = verify()
    assert not report.intact and report.broken_id == victim.pk
    assert main(["log", "verify"]) == 1
    assert f"regel {victim.pk} (blad 6) is verwijderd" in capsys.readouterr().err


def test_row_and_its_leaf_deleted_is_detected(sealed):
    victim = sealed[6]
    with triggers_disabled(), triggers_disabled(LEAF_TABLE):
        sql(f"DELETE FROM {LEAF_TABLE} WHERE entry_id = %s", [victim.pk])
        sql(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
    report = verify()
    assert not report.intact and "blad 6 ontbreekt" in report.message


def test_deleted_tail_resealed_is_detected_against_the_exported_head(sealed, capsys, settings):
    """Wet PGA art. 14: removing the newest rows and sealing the rest again (even with the key)
    gives a valid-looking tree, but not the one the exported head fixes."""
    assert main(["log", "head"]) == 0
    size, root = capsys.readouterr().out.split()
    assert (int(size), root) == (len(sealed), TreeHead.objects.get().root_hash)

    # The log grows after the export: still intact, also against the kept root.
    record(sealed[-1].user, action=Action.READ, purpose=Purpose.INTAKE, objects=[Signal.objects.first()])
    sequencer.seal()
    assert main(["log", "verify", "--head", root]) == 0
    assert "Logboek intact" in capsys.readouterr().out

    tail = [row.pk for row in sealed[-3:]] + [ProcessingLogEntry.objects.order_by("-id").first().pk]
    with triggers_disabled(), triggers_disabled(LEAF_TABLE), triggers_disabled(HEAD_TABLE):
        sql(f"DELETE FROM {LEAF_TABLE} WHERE entry_id = ANY(%s)", [tail])
        sql(f"DELETE FROM {TABLE} WHERE id = ANY(%s)", [tail])
        sql(f"DELETE FROM {HEAD_TABLE}")
    forge_head()  # the attacker recomputes the root and even signs it (stored, not exported)
    report = verify(against_export=False)
    assert report.intact  # consistent in itself: only the exported head shows the loss
    report = verify()
    assert not report.intact and "regels aan het eind zijn verwijderd" in report.message
    assert main(["log", "verify"]) == 1
    assert "NIET intact" in capsys.readouterr().err


def forge_head():
    """What an attacker with database rights and the signing key can do: a fresh, signed head."""
    from django.utils import timezone

    leaves = [bytes(h) for h in LogLeaf.objects.order_by("leaf_index").values_list("leaf_hash", flat=True)]
    root, now = merkle.root(leaves).hex(), timezone.now()
    signature, key_id = signing.sign(signing.load_signing_key(), len(leaves), root, chain._timestamp(now))
    TreeHead.objects.create(tree_size=len(leaves), root_hash=root, timestamp=now, signature=signature, key_id=key_id)


def test_replaced_tail_of_equal_size_is_detected_against_the_exported_head(sealed):
    """Wet PGA art. 14: the newest row swapped for another, the tree rebuilt and signed again."""
    victim = sealed[-1]
    with triggers_disabled(), triggers_disabled(LEAF_TABLE), triggers_disabled(HEAD_TABLE):
        sql(f"DELETE FROM {LEAF_TABLE} WHERE entry_id = %s", [victim.pk])
        sql(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
        sql(f"DELETE FROM {HEAD_TABLE}")
    record(sealed[0].user, action=Action.READ, purpose=Purpose.INTAKE, objects=[Signal.objects.first()])
    forged = ProcessingLogEntry.objects.select_related("audit_record").order_by("-id").first()
    LogLeaf.objects.create(
        leaf_index=len(sealed) - 1,
        entry_id=forged.pk,
        leaf_hash=merkle.leaf_hash(chain.leaf_bytes(forged, forged.audit_record.record_hash)),
    )
    forge_head()
    assert verify(against_export=False).intact
    report = verify()
    assert not report.intact and "opnieuw verzegeld" in report.message


def test_exported_head_with_a_forged_signature_is_refused(sealed, settings):
    path = Path(settings.CASUSTAFEL_LOG_HEAD_EXPORT)
    line = json.loads(path.read_text().splitlines()[-1])
    path.write_text(path.read_text() + json.dumps({**line, "signature": line["signature"][::-1]}) + "\n")
    report = verify()
    assert not report.intact and "ondertekening van de laatst geëxporteerde boomkop" in report.message


def test_missing_export_is_reported(sealed, settings):
    Path(settings.CASUSTAFEL_LOG_HEAD_EXPORT).unlink()
    report = verify()
    assert not report.intact and "geen geëxporteerde boomkop" in report.message


def test_verify_on_an_intact_log_exits_zero_and_reports_unsealed_rows(sealed, capsys):
    record(sealed[0].user, action=Action.READ, purpose=Purpose.INTAKE, objects=[Signal.objects.first()])
    root = TreeHead.objects.get().root_hash
    assert main(["log", "verify", "--head", root]) == 0
    out = capsys.readouterr().out
    assert f"{len(sealed)} regels gecontroleerd" in out and root in out and "1 regels wachten" in out


def test_unknown_kept_head_is_refused(sealed, capsys):
    assert main(["log", "verify", "--head", "ab" * 32]) == 1
    assert "kop-hash komt niet (meer) voor" in capsys.readouterr().err


def test_empty_log_verifies_and_has_no_head(db, capsys):
    assert not ProcessingLogEntry.objects.exists()
    assert main(["log", "head"]) == 0 and "leeg" in capsys.readouterr().out
    assert main(["log", "verify"]) == 0


def test_seal_command_seals_and_verify_checks(logged, capsys):
    assert main(["log", "seal", "--once"]) == 0
    assert f"{len(logged)} regel(s) verzegeld" in capsys.readouterr().out
    assert main(["log", "verify"]) == 0


# ------------------------------------------------------------------ keys (ADR 0048)


def test_the_web_settings_hold_no_signing_key(sealed):
    """The private key is read by the sequencer only; settings name its file, never its bytes."""
    from django.conf import settings

    raw = Path(settings.CASUSTAFEL_LOG_SIGNING_KEY_FILE).read_text().strip()
    assert oct(Path(settings.CASUSTAFEL_LOG_SIGNING_KEY_FILE).stat().st_mode & 0o777) == "0o600"
    for name in dir(settings):
        if name.isupper():
            assert raw not in repr(getattr(settings, name)), name


def test_keygen_writes_a_private_key_0600_and_prints_the_public_key(tmp_path, capsys):
    path = tmp_path / "sleutel"
    assert main(["log", "keygen", "--file", str(path)]) == 0
    out = capsys.readouterr().out
    assert oct(path.stat().st_mode & 0o777) == "0o600" and "CASUSTAFEL_LOG_PUBLIC_KEY=" in out
    assert path.read_text().strip() not in out
    assert main(["log", "keygen", "--file", str(path)]) == 1


# ------------------------------------------------------------------ conversion (migration 0012)


def _v2_rows(actor, signal, count):
    """Rows as chain version 2 wrote them (prev_hash/row_hash chained from the last row)."""
    from django.utils import timezone

    from casustafel.processing_log.services import activity_id

    last = ProcessingLogEntry.objects.order_by("-id").values_list("row_hash", flat=True).first()
    prev = last or chain.GENESIS
    now = timezone.now()
    audit = AuditRecord(
        timestamp=now,
        trace_id="t" * 32,
        span_id="s" * 16,
        user_id=actor.pk,
        organisation_id=actor.organisation_id,
        role=actor.role,
        via_api=False,
    )
    audit.record_hash = chain.hash_audit_record(audit)
    audit.save(force_insert=True)
    rows = []
    for _ in range(count):
        row = ProcessingLogEntry(
            timestamp=now,
            trace_id="t" * 32,
            span_id="s" * 16,
            audit_record=audit,
            action=Action.READ,
            purpose=Purpose.INTAKE,
            activity_id=activity_id("intake"),
            object_type="signal",
            object_id=signal.pk,
            data_subject_id=signal.subject_id,
            prev_hash=prev,
        )
        row.row_hash = prev = chain.hash_entry(prev, row, audit.record_hash)
        rows.append(row)
    return ProcessingLogEntry.objects.bulk_create(rows)


def _conversion():
    import importlib

    return importlib.import_module("casustafel.processing_log.migrations.0012_chain_v3")


def test_conversion_verifies_a_v2_chain_and_seals_it(region_a, signal_a):
    """Migration 0012: existing version 2 rows become leaves in id order, their hashes untouched."""
    from django.apps import apps

    with triggers_disabled():  # an installation before version 3: only v2 rows
        truncate_rows = list(ProcessingLogEntry.objects.values_list("id", flat=True))
        sql(f"DELETE FROM {TABLE} WHERE id = ANY(%s)", [truncate_rows])
    rows = _v2_rows(region_a.users["intake"], signal_a, 300)
    _conversion().convert(apps, None)
    leaves = list(LogLeaf.objects.order_by("leaf_index"))
    assert [leaf.entry_id for leaf in leaves] == [row.pk for row in rows]
    head = TreeHead.objects.get()
    assert (head.tree_size, head.signature) == (300, "")  # signed by the first sequencer run
    assert MerkleNode.objects.filter(level=8).count() == 1
    assert ProcessingLogEntry.objects.get(pk=rows[5].pk).row_hash == rows[5].row_hash
    assert sequencer.seal() == 0  # nothing new, but the head gets signed and exported
    newest = TreeHead.objects.order_by("-id").first()
    assert (newest.tree_size, newest.root_hash) == (300, head.root_hash) and newest.signature
    record(region_a.users["intake"], action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])
    assert sequencer.seal() == 1
    assert verify().intact


def test_conversion_refuses_a_broken_v2_chain(region_a, signal_a):
    from django.apps import apps

    with triggers_disabled():
        sql(f"DELETE FROM {TABLE}")
    rows = _v2_rows(region_a.users["intake"], signal_a, 5)
    with triggers_disabled():
        sql(f"UPDATE {TABLE} SET action = 'list' WHERE id = %s", [rows[2].pk])
    with pytest.raises(RuntimeError, match=f"NIET intact: de regel is gewijzigd .* bij regel {rows[2].pk}"):
        with transaction.atomic():
            _conversion().convert(apps, None)
    assert not LogLeaf.objects.exists() and not TreeHead.objects.exists()


# ------------------------------------------------------------------ refused reads


def _after(before_id):
    return list(ProcessingLogEntry.objects.filter(id__gt=before_id).order_by("id"))


def test_refused_web_reads_of_weighing_and_case_are_logged(client, world, region_a):
    case = make_case(region_a)
    weighing_id = Signal.objects.get(subject=case.subject).weighing_id
    outsider = world["b"].users["weigher_politie"]
    login(client, outsider)
    for route, pk, object_type in (
        ("weighing:weighing_detail", weighing_id, "weighing"),
        ("cases:case_detail", case.pk, "case"),
    ):
        before = head()[0]
        assert client.get(reverse(route, args=[pk])).status_code == 404
        (row,) = _after(before)
        assert (row.status, row.object_type, row.object_id, row.data_subject_id, row.audit_record.user_id) == (
            Status.REFUSED,
            object_type,
            pk,
            None,
            outsider.pk,
        )
    assert verify().intact


def test_refused_api_read_of_a_case_is_logged(client, world, case_a):
    from casustafel.accounts.services import create_api_token

    outsider = world["b"].users["case_director"]
    token = create_api_token(outsider)
    before = head()[0]
    response = client.get(f"/api/v1/cases/{case_a.pk}", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 404
    (row,) = _after(before)
    assert (row.status, row.object_type, row.object_id, row.audit_record.via_api) == (
        Status.REFUSED,
        "case",
        case_a.pk,
        True,
    )


def test_unknown_id_is_not_found_and_not_logged(client, region_a, signal_a):
    import uuid

    login(client, region_a.users["intake"])
    before = head()[0]
    assert client.get(reverse("signals:signal_detail", args=[uuid.uuid4()])).status_code == 404
    assert _after(before) == []


# ------------------------------------------------------------------ linked audit record (ADR 0015)


def test_log_rows_hold_no_actor_columns_and_both_tables_are_append_only():
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, TABLE)}
        audit_columns = {c.name for c in connection.introspection.get_table_description(cursor, AUDIT_TABLE)}
    assert "audit_record_id" in columns and not columns & {"user_id", "organisation_id", "via_api", "role"}
    assert {
        "user_id",
        "organisation_id",
        "role",
        "via_api",
        "trace_id",
        "span_id",
        "timestamp",
        "record_hash",
    } <= audit_columns
    assert ProcessingLogEntry.append_only is True and AuditRecord.append_only is True


def test_one_audit_record_per_record_call_with_actor_organisation_and_role(region_a, signal_a):
    intake, weigher = region_a.users["intake"], region_a.users["weigher_gemeente"]
    before_row, before_audit = head()[0], AuditRecord.objects.order_by("-id").values_list("id", flat=True)[0]
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a, signal_a.subject])
    record(weigher, action=Action.READ, purpose=Purpose.WEIGHING, objects=[signal_a], via_api=True)
    record(
        intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[]
    )  # nothing processed: no rows, no audit record
    audits = list(AuditRecord.objects.filter(id__gt=before_audit).order_by("id"))
    assert [(a.user_id, a.organisation_id, a.role, a.via_api) for a in audits] == [
        (intake.pk, intake.organisation_id, intake.role, False),
        (weigher.pk, weigher.organisation_id, weigher.role, True),
    ]
    rows = _after(before_row)
    assert [r.audit_record_id for r in rows] == [audits[0].pk, audits[0].pk, audits[1].pk]
    for row in rows:
        audit = row.audit_record
        assert (row.timestamp, row.trace_id, row.span_id) == (audit.timestamp, audit.trace_id, audit.span_id)
        assert audit.record_hash == chain.hash_audit_record(audit)
    assert audits[0].span_id != audits[1].span_id
    assert verify().intact


def test_role_is_the_one_held_when_acting(region_a, signal_a):
    from casustafel.accounts.models import Role

    intake = region_a.users["intake"]
    before = head()[0]
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])
    old_role = intake.role
    intake.role = Role.ANALYST
    intake.save(update_fields=["role"])
    (row,) = _after(before)
    assert row.audit_record.role == old_role != intake.role
    assert verify().intact


@pytest.mark.parametrize(
    "attempt",
    [
        lambda audit: AuditRecord.objects.filter(pk=audit.pk).update(via_api=True),
        lambda audit: AuditRecord.objects.filter(pk=audit.pk).delete(),
        lambda audit: audit.save(),
        lambda audit: sql(f"UPDATE {AUDIT_TABLE} SET role = 'mayor' WHERE id = %s", [audit.pk]),
        lambda audit: sql(f"DELETE FROM {AUDIT_TABLE} WHERE id = %s", [audit.pk]),
        lambda audit: truncate(f"{AUDIT_TABLE} CASCADE"),
    ],
    ids=["orm-update", "orm-delete", "orm-save", "sql-update", "sql-delete", "sql-truncate"],
)
def test_the_database_refuses_changes_to_audit_records(logged, attempt):
    """The triggers refuse; an ORM delete is stopped even earlier by the log rows' PROTECT link."""
    from django.db.models import ProtectedError

    audit = logged[3].audit_record
    with pytest.raises((DatabaseError, ProtectedError), match=r"alleen aan te vullen|protected foreign keys"):
        with transaction.atomic():
            attempt(audit)
    assert AuditRecord.objects.get(pk=audit.pk).record_hash == audit.record_hash
    assert ProcessingLogEntry.objects.count() == len(logged)
    assert verify().intact


def _first_row_of(audit_id, logged):
    return next(row for row in logged if row.audit_record_id == audit_id)


def test_audit_record_with_a_changed_user_is_detected(world, sealed, capsys):
    target = sealed[len(sealed) // 2]
    other = world["b"].users["intake"]
    assert other.pk != target.audit_record.user_id
    with triggers_disabled(AUDIT_TABLE):
        sql(f"UPDATE {AUDIT_TABLE} SET user_id = %s WHERE id = %s", [other.pk, target.audit_record_id])
    first = _first_row_of(target.audit_record_id, sealed)
    report = verify()
    assert not report.intact and report.broken_id == first.pk
    assert main(["log", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"verantwoordingsregel {target.audit_record_id} bij regel {first.pk} is gewijzigd" in err


def test_audit_record_changed_with_a_recomputed_hash_is_detected(sealed):
    target = sealed[4]
    with triggers_disabled(AUDIT_TABLE):
        AuditRecord.objects.filter(pk=target.audit_record_id).update(organisation=None)
        forged = AuditRecord.objects.get(pk=target.audit_record_id)
        AuditRecord.objects.filter(pk=forged.pk).update(record_hash=chain.hash_audit_record(forged))
    report = verify()
    assert not report.intact and report.broken_id == _first_row_of(target.audit_record_id, sealed).pk
    assert "of zijn verantwoordingsregel is gewijzigd" in report.message


def test_row_relinked_to_another_audit_record_is_detected(sealed):
    target = next(row for row in sealed[1:] if row.audit_record_id != sealed[0].audit_record_id)
    with triggers_disabled():
        ProcessingLogEntry.objects.filter(pk=target.pk).update(audit_record_id=sealed[0].audit_record_id)
    report = verify()
    assert not report.intact and report.broken_id == target.pk


# ------------------------------------------------------------------ the FG's inclusion proof (ADR 0048)


def test_privacy_officer_downloads_an_entrys_inclusion_proof_and_the_read_is_logged(client, region_a, case_a):
    """Wet PGA art. 14: the FG shows a data subject that an entry is in the signed log; the
    consultation names its purpose and is itself logged (art. 14 lid 2)."""
    from casustafel.processing_log.models import LogConsultation

    entry = ProcessingLogEntry.objects.filter(data_subject_id=case_a.subject_id).order_by("id").first()
    officer = region_a.users["privacy_officer"]
    login(client, officer)
    url = reverse("processing_log:entry_proof", args=[entry.pk])
    before = LogConsultation.objects.count()
    assert client.get(url).status_code == 400  # no purpose: nothing read, nothing recorded
    assert LogConsultation.objects.count() == before
    assert client.get(url, {"doel": "internal_control"}).status_code == 409  # not sealed yet
    sequencer.seal()
    response = client.get(url, {"doel": "internal_control"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    proof = response.json()
    head = proof["tree_head"]
    assert proof["entry_id"] == entry.pk
    assert merkle.verify_inclusion(
        proof["leaf_index"],
        head["tree_size"],
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(h) for h in proof["audit_path"]],
        bytes.fromhex(head["root_hash"]),
    )
    consultation = LogConsultation.objects.order_by("-timestamp").first()
    assert (consultation.user_id, consultation.purpose, consultation.criteria) == (
        officer.pk,
        "internal_control",
        ["inclusion_proof"],
    )
    assert ProcessingLogEntry.objects.filter(object_id=consultation.pk, purpose=Purpose.PRIVACY_SUPERVISION).exists()


def test_the_fg_log_page_links_each_row_to_its_proof(client, region_a, case_a):
    login(client, region_a.users["privacy_officer"])
    html = client.get(reverse("processing_log:logbook"), {"purpose": "internal_control"}).content.decode()
    assert "/logboek/bewijs/" in html and "doel=internal_control" in html


# ------------------------------------------------------------------ concurrency (ADR 0048)


def _writer(actor, obj, count, errors):
    from django.db import connections

    try:
        for _ in range(count):
            record(actor, action=Action.READ, purpose=Purpose.INTAKE, objects=[obj, obj])
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_from_threads_leave_no_fork_and_no_gap(region_a, signal_a):
    """Wet PGA art. 14: eight writers append at once (no global lock) while the sequencer seals;
    every row becomes exactly one leaf, leaf indexes have no gap, every head extends the last."""
    import threading

    intake, errors = region_a.users["intake"], []
    before = ProcessingLogEntry.objects.count()
    threads = [threading.Thread(target=_writer, args=(intake, signal_a, 10, errors)) for _ in range(8)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        sequencer.seal()
    for thread in threads:
        thread.join()
    sequencer.seal(full=True)
    assert errors == []
    rows = set(ProcessingLogEntry.objects.values_list("id", flat=True))
    assert len(rows) == before + 8 * 10 * 2
    leaves = list(LogLeaf.objects.order_by("leaf_index").values_list("leaf_index", "entry_id"))
    assert [index for index, _ in leaves] == list(range(len(rows)))
    assert {entry_id for _, entry_id in leaves} == rows
    heads = list(TreeHead.objects.order_by("id"))
    for old, new in zip(heads, heads[1:], strict=False):
        assert old.tree_size < new.tree_size
        proof = sequencer.consistency_proof(old.tree_size, new.tree_size)
        assert merkle.verify_consistency(
            old.tree_size, new.tree_size, bytes.fromhex(old.root_hash), bytes.fromhex(new.root_hash), proof
        )
    assert verify().intact


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_committed_late_with_a_lower_id_gets_a_later_leaf(region_a, signal_a):
    """The sequencer seals what is committed, in id order; a transaction that commits late
    has its (lower) row id sealed in a later round, nothing is skipped."""
    import threading

    from django.db import connections

    intake = region_a.users["intake"]
    started, release = threading.Event(), threading.Event()

    def slow():
        try:
            with transaction.atomic():
                record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])
                started.set()
                release.wait(10)
        finally:
            connections.close_all()

    sequencer.seal()
    thread = threading.Thread(target=slow)
    thread.start()
    assert started.wait(10)
    record(intake, action=Action.READ, purpose=Purpose.INTAKE, objects=[signal_a])  # commits first
    assert sequencer.seal() == 1
    release.set()
    thread.join()
    assert sequencer.seal() == 1
    late, early = ProcessingLogEntry.objects.order_by("-id")[1], ProcessingLogEntry.objects.order_by("-id")[0]
    assert late.pk < early.pk
    assert LogLeaf.objects.get(entry_id=late.pk).leaf_index == LogLeaf.objects.get(entry_id=early.pk).leaf_index + 1
    assert verify().intact


# ------------------------------------------------------------------ verify in PostgreSQL, proofs in one query


def test_verify_reports_the_first_of_several_changed_rows_found_by_the_sql_comparison(sealed):
    """Wet PGA art. 14: PostgreSQL compares every leaf with its row and returns only the first
    mismatch; verify names that row (by leaf order), however many rows were changed."""
    first, later = sealed[2], sealed[-2]
    with triggers_disabled():
        sql(f"UPDATE {TABLE} SET status = %s WHERE id = ANY(%s)", [Status.REFUSED, [later.pk, first.pk]])
    report = verify()
    assert not report.intact and report.broken_id == first.pk and report.checked == 2
    assert f"regel {first.pk} of zijn verantwoordingsregel is gewijzigd" in report.message


def test_verify_judges_text_outside_printable_ascii_by_the_python_canonical_form(sealed, logged):
    """PostgreSQL's ``to_json`` leaves non-ASCII unescaped, Python's JSON (the definition of the leaf
    bytes) escapes it: such a row is not reported as changed, but changing it still is (art. 14)."""
    target = logged[-1]
    record(target.user, action=Action.READ, purpose=Purpose.INTAKE, objects=[Signal.objects.first()])
    odd = ProcessingLogEntry.objects.order_by("-id").first()
    with triggers_disabled(), triggers_disabled(AUDIT_TABLE):
        sql(f"UPDATE {TABLE} SET object_type = 'bijlage€' WHERE id = %s", [odd.pk])
        sql(f"UPDATE {AUDIT_TABLE} SET role = 'rôle' WHERE id = %s", [odd.audit_record_id])
        audit = AuditRecord.objects.get(pk=odd.audit_record_id)
        AuditRecord.objects.filter(pk=audit.pk).update(record_hash=chain.hash_audit_record(audit))
    assert sequencer.seal() == 1
    report = verify()
    assert report.intact, report.message
    with triggers_disabled():
        sql(f"UPDATE {TABLE} SET object_type = 'bijlage¥' WHERE id = %s", [odd.pk])
    report = verify()
    assert not report.intact and report.broken_id == odd.pk


def test_verify_reads_one_snapshot_and_streams_every_leaf(big_log):
    """The leaf hashes stream in blocks of 256 (binary COPY) and give the stored root, also for a
    tree whose last block is partial (600 and more leaves: two full blocks and the rest)."""
    from casustafel.processing_log.verify import _leaf_blocks

    with connection.cursor() as cursor:
        blocks = list(_leaf_blocks(cursor, len(big_log)))
    assert [len(block) for block in blocks] == [256, 256, len(big_log) - 512]
    assert [h for block in blocks for h in block] == big_log
    report = verify()
    assert report.intact and report.root_hash == merkle.root(big_log).hex()


def test_proofs_read_leaves_and_nodes_in_one_query(big_log):
    """ADR 0048: an inclusion or consistency proof reads the stored tree in one statement and equals
    the proof over the full list of leaves."""
    from django.test.utils import CaptureQueriesContext

    size, reference = len(big_log), merkle.ListTree(big_log)
    for index in (0, 255, 256, 400, 511, 512, size - 1):
        with CaptureQueriesContext(connection) as captured:
            path = proofs.proof_path(index, size)
        assert len(captured) == 1
        assert path == merkle.inclusion_path(index, size, reference.mth)
    for old in (1, 256, 300, 512, size):
        with CaptureQueriesContext(connection) as captured:
            proof = proofs.consistency_proof(old, size)
        assert len(captured) <= 1
        assert proof == merkle.consistency_proof(old, size, reference.mth)
    entry_id = LogLeaf.objects.get(leaf_index=400).entry_id
    proof = proofs.inclusion_proof(entry_id)
    assert [bytes.fromhex(h) for h in proof["audit_path"]] == merkle.inclusion_path(400, size, reference.mth)


def test_verify_quotes_plain_text_directly_and_escapes_everything_else_as_the_canonical_form(logged):
    """The leaf check quotes text of printable ASCII directly and hands every other row to the exact
    canonical form: rows with a quote, backslash, control character, DEL or non-ASCII verify as intact,
    and changing one of them afterwards is still found (art. 14)."""
    from casustafel.processing_log.verify import _leaf_canonical_sql

    odd_values = ['a"b', "a\\b", "a\nb", "a\x7fb", "bijlage€", 'x\\"']
    targets = logged[1 : 1 + len(odd_values)]
    with triggers_disabled():
        for row, value in zip(targets, odd_values, strict=True):
            sql(f"UPDATE {TABLE} SET object_type = %s WHERE id = %s", [value, row.pk])
    assert sequencer.seal() == len(logged)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE {_leaf_canonical_sql()} IS DISTINCT FROM "
            f"{chain.sql_leaf_canonical('e', 'a.record_hash')}) FROM {TABLE} e JOIN {AUDIT_TABLE} a "
            "ON a.id = e.audit_record_id"
        )
        assert cursor.fetchone()[0] == 0
    report = verify()
    assert report.intact, report.message
    with triggers_disabled():
        sql(f"UPDATE {TABLE} SET object_type = %s WHERE id = %s", ['a\\"b', targets[0].pk])
    report = verify()
    assert not report.intact and report.broken_id == targets[0].pk
