"""The sequencer: seals committed log rows into the Merkle tree and signs a new tree head (ADR 0048).

Requests write their log rows in their own transaction, without a global lock (``services``).
``seal()`` — one sequencer at a time (a transaction-scoped advisory lock; a second caller
returns 0 at once), restartable at any moment because everything it writes is in one
transaction — reads the committed rows that have no leaf yet in id order, appends one
``LogLeaf`` per row (leaf index n, n+1, ...), the complete subtrees of 256 leaves and more
(``MerkleNode``) and a signed ``TreeHead``; after the commit it appends the head to the
export file (``CASUSTAFEL_LOG_HEAD_EXPORT``, O_APPEND). A row whose transaction commits
late with a lower id simply gets a later leaf index.

``StoredTree`` answers ``mth(start, end)`` for proofs from the stored nodes and at most a few
hundred leaf hashes, so an inclusion proof stays cheap at tens of millions of rows.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import chain, merkle, signing
from .models import LogLeaf, MerkleNode, ProcessingLogEntry, TreeHead

log = logging.getLogger(__name__)

#: pg_advisory_xact_lock key of the sequencer ("LOGSEQ3").
SEQUENCER_LOCK = 0x4C4F4753455133
#: Complete subtrees from this level up are stored (2^8 = 256 leaves).
STORED_LEVEL = 8
#: How far below the newest sealed row id a round looks for rows that committed late
#: (``seal(full=True)`` and every sequencer start look at all rows).
LATE_WINDOW = 100_000


def _bytes(value) -> bytes:
    return bytes(value) if not isinstance(value, bytes) else value


class StoredTree:
    """``mth(start, end)`` over the sealed leaves, from stored complete subtrees and leaf hashes.

    ``prefetch(ranges)`` reads every node and leaf the given subtrees need in two queries
    (a proof asks for O(log n) subtrees); without it each piece is one query.
    """

    def __init__(self):
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._leaves: dict[int, bytes] = {}

    def _pieces(self, start: int, end: int, nodes: list, leaves: list) -> None:
        size = end - start
        if size <= 1 << STORED_LEVEL:
            if size == 1 << STORED_LEVEL and start % size == 0:
                nodes.append((STORED_LEVEL, start >> STORED_LEVEL))
            else:
                leaves.append((start, end))
        elif size & (size - 1) == 0 and start % size == 0:
            nodes.append((size.bit_length() - 1, start // size))
        else:
            k = merkle.split(size)
            self._pieces(start, start + k, nodes, leaves)
            self._pieces(start + k, end, nodes, leaves)

    def prefetch(self, ranges) -> None:
        nodes: list[tuple[int, int]] = []
        leaves: list[tuple[int, int]] = []
        for start, end in ranges:
            self._pieces(start, end, nodes, leaves)
        if nodes:
            condition = Q()
            for level, index in nodes:
                condition |= Q(level=level, index=index)
            for level, index, value in MerkleNode.objects.filter(condition).values_list("level", "index", "hash"):
                self._nodes[(level, index)] = _bytes(value)
        if leaves:
            condition = Q()
            for start, end in leaves:
                condition |= Q(leaf_index__gte=start, leaf_index__lt=end)
            for index, value in LogLeaf.objects.filter(condition).values_list("leaf_index", "leaf_hash"):
                self._leaves[index] = _bytes(value)

    def leaves(self, start: int, end: int) -> list[bytes]:
        if all(i in self._leaves for i in range(start, end)):
            return [self._leaves[i] for i in range(start, end)]
        hashes = list(
            LogLeaf.objects.filter(leaf_index__gte=start, leaf_index__lt=end)
            .order_by("leaf_index")
            .values_list("leaf_hash", flat=True)
        )
        if len(hashes) != end - start:
            raise LookupError(f"bladen {start}..{end - 1} ontbreken")
        return [_bytes(h) for h in hashes]

    def node(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._nodes:
            found = MerkleNode.objects.filter(level=level, index=index).values_list("hash", flat=True).first()
            if found is None:
                raise LookupError(f"knoop {level}/{index} ontbreekt")
            self._nodes[key] = _bytes(found)
        return self._nodes[key]

    def mth(self, start: int, end: int) -> bytes:
        size = end - start
        if size <= 1 << STORED_LEVEL:
            if size == 1 << STORED_LEVEL and start % size == 0:
                return self.node(STORED_LEVEL, start >> STORED_LEVEL)
            return merkle.root(self.leaves(start, end))
        if size & (size - 1) == 0 and start % size == 0:
            return self.node(size.bit_length() - 1, start // size)
        k = merkle.split(size)
        return merkle.node_hash(self.mth(start, start + k), self.mth(start + k, end))

    def frontier(self, size: int) -> merkle.Frontier:
        """The right edge of the tree of ``size`` leaves, to append to."""
        self.prefetch((start, start + (1 << level)) for level, start in merkle.Frontier.shape(size))
        subtrees = []
        for level, start in merkle.Frontier.shape(size):
            subtrees.append((level, self.mth(start, start + (1 << level))))
        return merkle.Frontier(size, subtrees)


@dataclass(frozen=True)
class Sealed:
    leaves: int
    head: TreeHead | None


_AUDIT_COLUMNS = tuple(f"audit_record__{name}" for name in chain.AUDIT_FIELDS)
_ROW_FIELDS = tuple(name for name in chain.FIELDS if name != "audit_hash")


def _unsealed(floor: int, limit: int) -> list[tuple]:
    """(id, *audit record fields, *row fields) of committed rows without a leaf, in id order."""
    sealed = LogLeaf.objects.filter(entry_id=OuterRef("id"))
    return list(
        ProcessingLogEntry.objects.filter(id__gt=floor)
        .exclude(Exists(sealed))
        .order_by("id")
        .values_list("id", *_AUDIT_COLUMNS, *_ROW_FIELDS)[:limit]
    )


def head_record(head: TreeHead) -> dict:
    return {
        "version": chain.VERSION,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": chain._timestamp(head.timestamp),
        "signature": head.signature,
        "key_id": head.key_id,
    }


def export(head: TreeHead, path: Path | None = None) -> None:
    """Append ``head`` as one JSON line to the export (O_APPEND, fsync)."""
    path = Path(path or settings.CASUSTAFEL_LOG_HEAD_EXPORT)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(head_record(head), separators=(",", ":")) + "\n").encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def seal(limit: int = 50_000, *, full: bool = False, key=None, export_heads: bool = True) -> int:
    """Seal up to ``limit`` committed unsealed rows; returns how many were sealed."""
    return seal_round(limit, full=full, key=key, export_heads=export_heads).leaves


def seal_round(limit: int = 50_000, *, full: bool = False, key=None, export_heads: bool = True) -> Sealed:
    key = key or signing.load_signing_key()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
            if not cursor.fetchone()[0]:
                return Sealed(0, None)  # another sequencer is sealing
        last = TreeHead.objects.order_by("-id").first()
        size = last.tree_size if last else 0
        floor = 0
        if not full and size:
            newest = LogLeaf.objects.order_by("-entry_id").values_list("entry_id", flat=True).first() or 0
            floor = max(0, newest - LATE_WINDOW)
        entries = _unsealed(floor, limit)
        if not entries and (last is None or last.signature):
            return Sealed(0, None)
        tree = StoredTree()
        frontier = tree.frontier(size)
        nodes: list[MerkleNode] = []

        def keep(level: int, index: int, hash_: bytes) -> None:
            if level >= STORED_LEVEL:
                nodes.append(MerkleNode(level=level, index=index, hash=hash_))

        leaves = []
        audit_hashes: dict[int, str] = {}
        audit_end = 1 + len(_AUDIT_COLUMNS)
        for row in entries:
            values = dict(zip(_ROW_FIELDS, row[audit_end:], strict=True))
            audit_id = values["audit_record_id"]
            if audit_id not in audit_hashes:  # the audit record's content hash, recomputed (ADR 0015)
                audit_hashes[audit_id] = chain.audit_hash(dict(zip(chain.AUDIT_FIELDS, row[1:audit_end], strict=True)))
            values["audit_hash"] = audit_hashes[audit_id]
            leaf = merkle.leaf_hash(chain.canonical_v3(row[0], values))
            leaves.append(LogLeaf(leaf_index=frontier.size, entry_id=row[0], leaf_hash=leaf))
            frontier.append(leaf, keep)
        LogLeaf.objects.bulk_create(leaves, batch_size=5000)
        MerkleNode.objects.bulk_create(nodes, batch_size=5000)
        now = timezone.now()
        root_hex = frontier.root().hex()
        signature, key_id = signing.sign(key, frontier.size, root_hex, chain._timestamp(now))
        head = TreeHead.objects.create(
            tree_size=frontier.size, root_hash=root_hex, timestamp=now, signature=signature, key_id=key_id
        )
    if export_heads:
        export(head)
    return Sealed(len(leaves), head)


def loop(*, interval: float = 1.0, stop: threading.Event | None = None) -> None:
    """Seal every ``interval`` seconds until ``stop`` is set (``casustafel worker``, ``log seal``)."""
    from django.db import DatabaseError, close_old_connections  # noqa: PLC0415

    stop = stop or threading.Event()
    key = signing.load_signing_key()
    full = True  # a (re)start looks at every row once: nothing committed while it was down is missed
    while not stop.is_set():
        try:
            while seal(key=key, full=full) and not stop.is_set():
                full = False
            full = False
        except DatabaseError:
            log.exception("verzegelen van het logboek mislukt; volgende ronde opnieuw")
            close_old_connections()
        stop.wait(interval)


def start_in_thread(*, interval: float = 1.0) -> threading.Event:
    """Run ``loop`` beside another loop (``casustafel worker``); set the returned event to stop it."""
    stop = threading.Event()

    def run() -> None:
        try:
            loop(interval=interval, stop=stop)
        finally:
            connection.close()

    threading.Thread(target=run, name="log-sequencer", daemon=True).start()
    return stop


def unsealed_count() -> int:
    leaf_table, entry_table = LogLeaf._meta.db_table, ProcessingLogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {entry_table} e WHERE NOT EXISTS "
            f"(SELECT 1 FROM {leaf_table} l WHERE l.entry_id = e.id)"
        )
        return cursor.fetchone()[0]


# ------------------------------------------------------------------ proofs


def latest_head() -> TreeHead | None:
    return TreeHead.objects.exclude(signature="").order_by("-id").first()


def inclusion_proof(entry_id: int, head: TreeHead | None = None) -> dict | None:
    """The inclusion proof of log row ``entry_id`` against ``head`` (default: the newest signed head);
    None while the row is not sealed into that head."""
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


def _prefetched(build) -> StoredTree:
    """A ``StoredTree`` holding everything ``build(mth)`` asks for (a dry run records the subtrees)."""
    ranges: list[tuple[int, int]] = []
    build(lambda start, end: ranges.append((start, end)) or b"")
    tree = StoredTree()
    tree.prefetch(ranges)
    return tree


def proof_path(index: int, size: int) -> list[bytes]:
    """The inclusion proof (audit path) of leaf ``index`` in the tree of ``size`` leaves (three queries)."""
    tree = _prefetched(lambda mth: merkle.inclusion_path(index, size, mth))
    return merkle.inclusion_path(index, size, tree.mth)


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    tree = _prefetched(lambda mth: merkle.consistency_proof(old_size, new_size, mth))
    return merkle.consistency_proof(old_size, new_size, tree.mth)
