"""Inclusion and consistency proofs from the stored tree, in one query (ADR 0048).

A proof asks ``mth(start, end)`` for O(log n) subtrees. Each is answered from a stored
complete subtree (``MerkleNode``, level ≥ ``STORED_LEVEL``) or from at most 2^STORED_LEVEL
leaf hashes. A dry run of the proof records the subtrees it needs; ONE statement then reads
the leaf hashes (one index range scan of ``leaf_index`` per merged range, normally one or
two) and the stored nodes (by ``(level, index)`` through the unique index) together, and
the proof is built from memory (``sequencer.StoredTree`` answers ``mth``).
"""

from __future__ import annotations

from django.db import connection

from . import merkle
from .models import LogLeaf, MerkleNode, TreeHead
from .sequencer import StoredTree, _bytes, head_record, latest_head


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def fetch(ranges) -> StoredTree:
    """A ``StoredTree`` holding every node and leaf the subtrees ``ranges`` need, read in one query."""
    tree = StoredTree()
    nodes: list[tuple[int, int]] = []
    leaves: list[tuple[int, int]] = []
    for start, end in ranges:
        tree._pieces(start, end, nodes, leaves)
    parts, params = [], []
    for start, end in _merged(leaves):
        parts.append(
            f"(SELECT -1, leaf_index, leaf_hash FROM {LogLeaf._meta.db_table} "
            "WHERE leaf_index >= %s AND leaf_index < %s)"
        )
        params += [start, end]
    if nodes:
        node_table = MerkleNode._meta.db_table
        parts.append(
            f'(SELECT n.level::int, n."index", n.hash FROM {node_table} n '
            'JOIN unnest(%s::int[], %s::bigint[]) AS w (level, i) ON n.level = w.level AND n."index" = w.i)'
        )
        params += [[level for level, _ in nodes], [index for _, index in nodes]]
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for level, index, value in cursor.fetchall():
                if level < 0:
                    tree._leaves[index] = _bytes(value)
                else:
                    tree._nodes[(level, index)] = _bytes(value)
    return tree


def _prefetched(build) -> StoredTree:
    ranges: list[tuple[int, int]] = []
    build(lambda start, end: ranges.append((start, end)) or b"")
    return fetch(ranges)


def proof_path(index: int, size: int) -> list[bytes]:
    """The inclusion proof (audit path) of leaf ``index`` in the tree of ``size`` leaves (one query)."""
    tree = _prefetched(lambda mth: merkle.inclusion_path(index, size, mth))
    return merkle.inclusion_path(index, size, tree.mth)


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) from the stored tree (one query)."""
    tree = _prefetched(lambda mth: merkle.consistency_proof(old_size, new_size, mth))
    return merkle.consistency_proof(old_size, new_size, tree.mth)


def inclusion_proof(entry_id: int, head: TreeHead | None = None) -> dict | None:
    """The inclusion proof of log row ``entry_id`` against ``head`` (default: the newest signed head);
    None while the row is not sealed into that head. Three queries: the head, the leaf, the path."""
    head = head or latest_head()
    leaf = LogLeaf.objects.filter(entry_id=entry_id).values_list("leaf_index", "leaf_hash").first()
    if head is None or leaf is None or leaf[0] >= head.tree_size:
        return None
    path = proof_path(leaf[0], head.tree_size)
    return {
        "entry_id": entry_id,
        "leaf_index": leaf[0],
        "leaf_hash": _bytes(leaf[1]).hex(),
        "audit_path": [h.hex() for h in path],
        "tree_head": head_record(head),
        "algorithm": "RFC 9162 §2.1.3 (SHA-256, blad 0x00, knoop 0x01); ondertekening Ed25519 over "
        "'casustafel-log-v3\\n<tree_size>\\n<root_hash>\\n<timestamp>'",
    }
