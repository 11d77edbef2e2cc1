"""The sequencer's bulk path (ADR 0048, 0050): leaf hashes computed in PostgreSQL, subtrees of 256 leaves
hashed in one loop, leaves and nodes written by COPY — and not one hash different from the reference
path that computes everything in Python (Wet PGA art. 14: the log's tamper-evident structure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from casustafel.processing_log import chain, merkle, sequencer
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

pytestmark = pytest.mark.django_db

#: Values PostgreSQL's to_json renders as Python's json.dumps does (quotes, backslashes, control
#: characters) and values it does not (non-ASCII, DEL): the latter are hashed in Python.
ODD = ['quote " and \\ backslash', "line\nbreak\ttab\x01", "café", "del\x7f", "𝄞 astral"]


def _rows(user, spans: int) -> int:
    """``spans`` audit records with 1..7 rows each, some with odd characters, nulls where allowed."""
    activity = ProcessingActivity.objects.order_by("pk").first()
    start = datetime(2025, 3, 30, 23, 59, 59, 999_999, tzinfo=UTC)
    rows = 0
    for n in range(spans):
        odd = ODD[n % len(ODD)] if n % 7 == 3 else ""
        at = start + timedelta(minutes=n, microseconds=n)
        audit = AuditRecord.objects.create(
            timestamp=at,
            trace_id=f"{n:032x}",
            span_id=f"{n:016x}",
            user=user,
            organisation=user.organisation if n % 2 else None,
            role=(odd or user.role or "")[:30] if n % 11 == 3 else str(user.role or ""),
            via_api=n % 5 == 0,
        )
        entries = [
            ProcessingLogEntry(
                timestamp=at,
                trace_id=audit.trace_id,
                span_id=audit.span_id,
                audit_record=audit,
                action=Action.LIST if n % 3 else Action.READ,
                purpose=Purpose.INTAKE,
                activity=activity if n % 4 else None,
                status=Status.REFUSED if n % 13 == 0 else Status.OK,
                object_type=(odd or "signal")[:40],
                object_id=uuid.UUID(int=n * 8 + i),
                data_subject_id=uuid.UUID(int=n) if n % 6 else None,
            )
            for i in range(1 + n % 7)
        ]
        ProcessingLogEntry.objects.bulk_create(entries)
        rows += len(entries)
    return rows


def _tree(after_head: int) -> tuple[list, list, list]:
    leaves = [
        (i, e, bytes(h))
        for i, e, h in LogLeaf.objects.order_by("leaf_index").values_list("leaf_index", "entry_id", "leaf_hash")
    ]
    nodes = sorted((lv, i, bytes(h)) for lv, i, h in MerkleNode.objects.values_list("level", "index", "hash"))
    heads = list(TreeHead.objects.filter(id__gt=after_head).order_by("id").values_list("tree_size", "root_hash"))
    return leaves, nodes, heads


def _seal_rounds(limits, *, in_sql: bool) -> None:
    for limit in limits:
        sequencer.seal(limit, export_heads=False, in_sql=in_sql)
    while sequencer.seal(export_heads=False, in_sql=in_sql):
        pass


def test_sealing_in_sql_gives_the_same_leaves_nodes_and_roots_as_the_python_reference(region_a, case_a):
    """Art. 14 Wet PGA: the bulk path changes no hash — leaves, stored nodes and every head's root equal
    the reference path's over the same rows, in rounds that start on and off a 256-leaf boundary."""
    user = region_a.users["intake"]
    assert _rows(user, 400) > 1000
    # Some rows cannot be rendered by PostgreSQL as Python does: they take the Python fallback.
    with connection.cursor() as cursor:
        cursor.execute(sequencer._leaf_sql(), [0, 0, 10**9])
        hashed = cursor.fetchall()
    assert 0 < sum(h is None for _id, h in hashed) < len(hashed) // 4
    newest = TreeHead.objects.order_by("-id").values_list("id", flat=True).first() or 0
    limits = [5, 300, 251, 1000, 2]
    with transaction.atomic():
        _seal_rounds(limits, in_sql=False)
        reference = _tree(newest)
        transaction.set_rollback(True)
    assert not LogLeaf.objects.exists()
    _seal_rounds(limits, in_sql=True)
    leaves, nodes, heads = _tree(newest)
    assert len(leaves) == ProcessingLogEntry.objects.count() == len(reference[0])
    assert nodes and any(level > sequencer.STORED_LEVEL for level, _i, _h in nodes)
    assert len(heads) == len(limits) + 1
    assert (leaves, nodes, heads) == reference
    # And both equal the definition: leaf = SHA-256(0x00 || canonical v3 bytes), root = MTH.
    by_id = {e.pk: e for e in ProcessingLogEntry.objects.select_related("audit_record")}
    for _index, entry_id, leaf in leaves:
        entry = by_id[entry_id]
        assert leaf == merkle.leaf_hash(chain.leaf_bytes(entry, chain.hash_audit_record(entry.audit_record)))
    assert heads[-1][1] == merkle.root([leaf for _i, _e, leaf in leaves]).hex()


def test_appending_aligned_subtrees_at_once_stores_the_nodes_leaf_by_leaf_appending_does():
    hashes = [merkle.leaf_hash(str(i).encode()) for i in range(3000)]
    for start in (0, 1, 255, 256, 700):
        plain, fast = merkle.Frontier.of(hashes[:start]), merkle.Frontier.of(hashes[:start])
        plain_nodes, fast_nodes = [], []
        for h in hashes[start:]:
            plain.append(h, lambda *node, out=plain_nodes: out.append(node))
        sequencer._append(
            fast, hashes[start:], lambda *node, out=fast_nodes: node[0] >= sequencer.STORED_LEVEL and out.append(node)
        )
        stored = [node for node in plain_nodes if node[0] >= sequencer.STORED_LEVEL]
        assert fast_nodes == stored and fast.root() == plain.root() == merkle.root(hashes)
