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
from .models import AuditRecord, LogLeaf, MerkleNode, ProcessingLogEntry, TreeHead

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


def seal(limit: int = 50_000, *, full: bool = False, key=None, export_heads: bool = True, in_sql: bool = True) -> int:
    """Seal up to ``limit`` committed unsealed rows; returns how many were sealed."""
    return seal_round(limit, full=full, key=key, export_heads=export_heads, in_sql=in_sql).leaves


def _python_leaves(entries: list[tuple]) -> list[tuple[int, bytes]]:
    """(row id, leaf hash) of ``_unsealed`` rows, computed in Python (``chain.canonical_v3``): the
    reference the SQL path must equal, and its fallback for rows SQL cannot render identically."""
    out = []
    audit_hashes: dict[int, str] = {}
    audit_end = 1 + len(_AUDIT_COLUMNS)
    for row in entries:
        values = dict(zip(_ROW_FIELDS, row[audit_end:], strict=True))
        audit_id = values["audit_record_id"]
        if audit_id not in audit_hashes:  # the audit record's content hash, recomputed (ADR 0015)
            audit_hashes[audit_id] = chain.audit_hash(dict(zip(chain.AUDIT_FIELDS, row[1:audit_end], strict=True)))
        values["audit_hash"] = audit_hashes[audit_id]
        out.append((row[0], merkle.leaf_hash(chain.canonical_v3(row[0], values))))
    return out


def _leaf_sql() -> str:
    """The committed rows without a leaf above a floor, in id order, with their leaf hash computed by
    PostgreSQL from the stored columns (``chain.sql_leaf_canonical``, the bytes ``log verify`` rebuilds;
    each audit record's content hash recomputed once, as ``chain.sql_audit_canonical``). The hash is NULL
    when either canonical text holds a character outside printable ASCII: Python's JSON escapes those
    (``ensure_ascii``, also DEL) and PostgreSQL's ``to_json`` does not, so such rows are hashed in Python.
    Parameters: floor, floor, limit."""
    leaf, entry, audit = LogLeaf._meta.db_table, ProcessingLogEntry._meta.db_table, AuditRecord._meta.db_table
    audit_text = chain.sql_audit_canonical("a")
    leaf_text = chain.sql_leaf_canonical("e", "ac.h")
    return (
        f"WITH picked AS MATERIALIZED (SELECT e.* FROM {entry} e WHERE e.id > %s AND NOT EXISTS "
        f"(SELECT 1 FROM {leaf} l WHERE l.entry_id = e.id AND l.entry_id > %s) ORDER BY e.id LIMIT %s), "
        "audits AS MATERIALIZED (SELECT a.id, c.t !~ '[^ -~]' AS ok, "
        "encode(sha256(convert_to(c.t, 'UTF8')), 'hex') AS h "
        f"FROM {audit} a CROSS JOIN LATERAL (SELECT {audit_text} AS t OFFSET 0) c "
        "WHERE a.id IN (SELECT audit_record_id FROM picked)) "
        "SELECT e.id, CASE WHEN ac.ok AND lt.t !~ '[^ -~]' "
        "THEN sha256('\\x00'::bytea || convert_to(lt.t, 'UTF8')) END "
        "FROM picked e LEFT JOIN audits ac ON ac.id = e.audit_record_id "
        f"CROSS JOIN LATERAL (SELECT {leaf_text} AS t OFFSET 0) lt "
        "ORDER BY e.id"
    )


def _sql_leaves(floor: int, limit: int) -> list[tuple[int, bytes]]:
    """(row id, leaf hash) of the rows ``_unsealed(floor, limit)`` returns, hashed in PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")  # the round's rows, sort and hash joins stay in memory
        cursor.execute(_leaf_sql(), [floor, floor, limit])
        rows = cursor.fetchall()
    odd = [row_id for row_id, h in rows if h is None]
    if not odd:
        return [(row_id, _bytes(h)) for row_id, h in rows]
    fallback = dict(
        _python_leaves(
            list(
                ProcessingLogEntry.objects.filter(id__in=odd)
                .order_by("id")
                .values_list("id", *_AUDIT_COLUMNS, *_ROW_FIELDS)
            )
        )
    )
    return [(row_id, fallback[row_id] if h is None else _bytes(h)) for row_id, h in rows]


def _append(frontier: merkle.Frontier, hashes: list[bytes], keep) -> None:
    """Append ``hashes`` to ``frontier``: aligned runs of 2^STORED_LEVEL leaves as one perfect subtree
    each (a tight hashlib loop), the rest leaf by leaf; the same nodes, in the same order, as
    appending every leaf."""
    chunk, i, n = 1 << STORED_LEVEL, 0, len(hashes)
    while i < n and frontier.size % chunk:
        frontier.append(hashes[i], keep)
        i += 1
    while n - i >= chunk:
        subtree = merkle.perfect_root(hashes[i : i + chunk])
        keep(STORED_LEVEL, frontier.size >> STORED_LEVEL, subtree)
        frontier.push(STORED_LEVEL, subtree, keep)
        i += chunk
    for h in hashes[i:]:
        frontier.append(h, keep)


def _copy(table: str, columns: tuple[str, ...], types: tuple[str, ...], rows) -> None:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


def seal_round(
    limit: int = 50_000, *, full: bool = False, key=None, export_heads: bool = True, in_sql: bool = True
) -> Sealed:
    """One round. ``in_sql`` (default): leaf hashes computed by PostgreSQL (Python only for rows with
    characters outside printable ASCII), subtrees of 256 leaves hashed in a tight loop, leaves and nodes
    written by COPY; ``in_sql=False``: the reference path, everything in Python and the ORM. Both give
    the same leaves, nodes and roots (tests/test_sequencer.py)."""
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
        if in_sql:
            hashed = _sql_leaves(floor, limit)
        else:
            hashed = _python_leaves(_unsealed(floor, limit))
        if not hashed and (last is None or last.signature):
            return Sealed(0, None)
        tree = StoredTree()
        frontier = tree.frontier(size)
        nodes: list[tuple[int, int, bytes]] = []

        def keep(level: int, index: int, hash_: bytes) -> None:
            if level >= STORED_LEVEL:
                nodes.append((level, index, hash_))

        if in_sql:
            _append(frontier, [h for _id, h in hashed], keep)
            _copy(
                LogLeaf._meta.db_table,
                ("leaf_index", "entry_id", "leaf_hash"),
                ("int8", "int8", "bytea"),
                ((size + i, row_id, h) for i, (row_id, h) in enumerate(hashed)),
            )
            _copy(MerkleNode._meta.db_table, ("level", "index", "hash"), ("int2", "int8", "bytea"), nodes)
        else:
            leaves = []
            for row_id, leaf in hashed:
                leaves.append(LogLeaf(leaf_index=frontier.size, entry_id=row_id, leaf_hash=leaf))
                frontier.append(leaf, keep)
            LogLeaf.objects.bulk_create(leaves, batch_size=5000)
            MerkleNode.objects.bulk_create(
                [MerkleNode(level=level, index=index, hash=h) for level, index, h in nodes], batch_size=5000
            )
        now = timezone.now()
        root_hex = frontier.root().hex()
        signature, key_id = signing.sign(key, frontier.size, root_hex, chain._timestamp(now))
        head = TreeHead.objects.create(
            tree_size=frontier.size, root_hash=root_hex, timestamp=now, signature=signature, key_id=key_id
        )
    if export_heads:
        export(head)
    return Sealed(len(hashed), head)


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
