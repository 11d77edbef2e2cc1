"""Verification of the processing log (chain version 3, ADR 0048).

One streamed pass over the leaves in leaf order, joined to their rows and audit records:
PostgreSQL recomputes each audit record's content hash and each leaf hash from the stored
columns (``chain.sql_*``, the same bytes as ``chain.canonical_v3``; SHA-256 in C on the
server) and sends only 32-byte hashes; Python rebuilds the tree along its right edge
(``merkle.Frontier``), compares every stored complete subtree (``MerkleNode``), the root at
the size of the newest stored head and the root at the size of the latest EXPORTED head
(``CASUSTAFEL_LOG_HEAD_EXPORT``), checks both signatures and the consistency proof between
them, and counts the rows not yet sealed. Every message is Dutch and names the first
broken row, leaf or head.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction

from . import chain, merkle, signing
from .models import AuditRecord, LogLeaf, MerkleNode, ProcessingLogEntry, TreeHead
from .sequencer import STORED_LEVEL, unsealed_count

CHUNK = 20_000


@dataclass
class Report:
    intact: bool
    checked: int
    message: str
    broken_id: int | None = None
    unsealed: int = 0
    tree_size: int = 0
    root_hash: str = ""


class Head(NamedTuple):
    """The newest row id and the newest tree head (root and size); ``hash`` is None before the first seal."""

    id: int | None
    hash: str | None
    tree_size: int


def head() -> Head | None:
    """The last row's id and the newest tree head's root and size (None: the log is empty)."""
    last_id = ProcessingLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    if last_id is None:
        return None
    newest = TreeHead.objects.order_by("-id").values_list("root_hash", "tree_size").first()
    return Head(last_id, newest[0] if newest else None, newest[1] if newest else 0)


def exported_head(path: Path | None = None) -> dict | None:
    """The last line of the head export (None: no export yet)."""
    path = Path(path or settings.CASUSTAFEL_LOG_HEAD_EXPORT)
    if not path.exists():
        return None
    last = None
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - 4096))
        lines = [line for line in handle.read().splitlines() if line.strip()]
        if lines:
            last = lines[-1]
    return json.loads(last) if last else None


def _joins() -> tuple[str, str]:
    """(FROM ... JOINs, the recomputed-leaf expression) of a leaf with its row and audit record."""
    leaf, entry, audit = LogLeaf._meta.db_table, ProcessingLogEntry._meta.db_table, AuditRecord._meta.db_table
    audit_hash = f"encode(sha256(convert_to({chain.sql_audit_canonical('a')}, 'UTF8')), 'hex')"
    leaf_hash = f"sha256('\\x00'::bytea || convert_to({chain.sql_leaf_canonical('e', 'ah.h')}, 'UTF8'))"
    joins = (
        f"FROM {leaf} l LEFT JOIN {entry} e ON e.id = l.entry_id "
        f"LEFT JOIN {audit} a ON a.id = e.audit_record_id "
        f"LEFT JOIN LATERAL (SELECT {audit_hash} AS h) ah ON true "
    )
    return joins, leaf_hash


def _stream_sql(where: str = "") -> str:
    """Every leaf, in order: its stored hash and whether its row, audit record and hash check out."""
    joins, leaf_hash = _joins()
    return (
        f"SELECT l.leaf_hash, coalesce(a.record_hash = ah.h AND l.leaf_hash = {leaf_hash}, false), l.leaf_index "
        f"{joins} {where} ORDER BY l.leaf_index"
    )


def _block_sql() -> str:
    """The leaves in blocks of 2^STORED_LEVEL: first and last index, count, all checked, hashes concatenated
    (one row per block keeps the per-leaf work in PostgreSQL and hashlib)."""
    return (
        "SELECT min(i), max(i), count(*), bool_and(ok), string_agg(h, ''::bytea ORDER BY i) "
        f"FROM ({_stream_sql()}) AS s (h, ok, i) GROUP BY i >> {STORED_LEVEL} ORDER BY 1"
    )


def _first_problem(start: int) -> tuple[str, int | None]:
    """The first broken leaf from ``start`` on (after a block did not check out)."""
    with connection.cursor() as cursor:
        cursor.execute(_stream_sql(f"WHERE l.leaf_index >= {int(start)}") + " LIMIT %s", [1 << STORED_LEVEL])
        expected = start
        for _stored, ok, index in cursor.fetchall():
            if index != expected:
                return f"blad {expected} ontbreekt (de bladen springen naar {index}).", None
            if not ok:
                return _diagnose(index)
            expected += 1
    return f"blad {expected} ontbreekt.", None


def _diagnose_sql() -> str:
    """One leaf in detail (after the stream found it broken)."""
    joins, leaf_hash = _joins()
    return (
        f"SELECT l.leaf_index, l.entry_id, l.leaf_hash, e.id IS NOT NULL, a.record_hash = ah.h, {leaf_hash}, a.id "
        f"{joins} WHERE l.leaf_index = %s"
    )


def _diagnose(index: int) -> tuple[str, int | None]:
    with connection.cursor() as cursor:
        cursor.execute(_diagnose_sql(), [index])
        _index, entry_id, _stored, present, audit_ok, _computed, audit_id = cursor.fetchone()
    if not present:
        return f"regel {entry_id} (blad {index}) is verwijderd.", entry_id
    if not audit_ok:
        return (
            f"verantwoordingsregel {audit_id} bij regel {entry_id} is gewijzigd "
            "(de hash van de verantwoordingsregel klopt niet).",
            entry_id,
        )
    return (
        f"regel {entry_id} of zijn verantwoordingsregel is gewijzigd (de bladhash van blad {index} klopt niet).",
        entry_id,
    )


def _broken(checked: int, message: str, broken_id: int | None, unsealed: int = 0) -> Report:
    return Report(False, checked, f"Logboek NIET intact: {message}", broken_id, unsealed)


def verify(head_hash: str | None = None, *, against_export: bool = True) -> Report:
    """Recompute every leaf, node and root; compare with the newest stored head and the latest
    exported head (``against_export``); ``head_hash``: a root kept earlier must be a head of this tree."""
    head_hash = (head_hash or "").strip().lower() or None
    newest = TreeHead.objects.order_by("-id").first()
    exported = exported_head() if against_export else None
    public = signing.public_key_raw()
    kept = TreeHead.objects.filter(root_hash=head_hash).order_by("id").first() if head_hash else None
    if head_hash and kept is None and not (exported and exported.get("root_hash") == head_hash):
        return _broken(
            0,
            "de opgegeven kop-hash komt niet (meer) voor in het logboek; regels aan het eind zijn verwijderd "
            "of vervangen.",
            None,
        )
    wanted = {newest.tree_size if newest else 0}
    if exported:
        wanted.add(int(exported["tree_size"]))
    if kept:
        wanted.add(kept.tree_size)
    nodes = {
        (level, index): bytes(value) for level, index, value in MerkleNode.objects.values_list("level", "index", "hash")
    }
    roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
    frontier = merkle.Frontier()
    problem: list[tuple[str, int | None]] = []

    def check_node(level: int, index: int, value: bytes) -> None:
        if level >= STORED_LEVEL and not problem:
            stored = nodes.get((level, index))
            if stored != value:
                what = "ontbreekt" if stored is None else "is gewijzigd"
                problem.append((f"knoop {level}/{index} van de boom {what}.", None))

    block_size = 1 << STORED_LEVEL
    checked = 0
    block: list[bytes] = []

    def root_at(size: int) -> bytes:
        partial = frontier.copy()
        for value in block[: size - partial.size]:
            partial.append(value)
        return partial.root()

    with transaction.atomic():
        with connection.cursor() as setup:  # plan the cursor for reading everything (hash joins), not a first row
            setup.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        cursor = connection.chunked_cursor()
        cursor.cursor.itersize = CHUNK // block_size  # psycopg's server-side cursor: fetch in large chunks
        cursor.execute(_block_sql())
        for first, last, count, ok, data in cursor:
            if not ok or first != checked or last - first + 1 != count:
                problem.append(_first_problem(checked))
                break
            data = bytes(data)
            block = [data[i : i + 32] for i in range(0, 32 * count, 32)]
            for size in wanted:
                if checked < size <= checked + count:
                    roots[size] = root_at(size)
            checked += count
            if count == block_size:
                # 256 leaves at once, level by level: the per-leaf work stays in C.
                subtree = merkle.perfect_root(block)
                check_node(STORED_LEVEL, frontier.size >> STORED_LEVEL, subtree)
                frontier.push(STORED_LEVEL, subtree, check_node)
                block = []
                if problem:
                    break
        cursor.close()
    roots[checked] = root_at(checked)
    unsealed = unsealed_count()
    if problem:
        message, broken_id = problem[0]
        return _broken(checked, message, broken_id, unsealed)
    size = checked
    if newest and newest.tree_size != size:
        return _broken(
            checked, f"de nieuwste boomkop telt {newest.tree_size} bladen, de boom heeft er {size}.", None, unsealed
        )
    if newest and roots[size].hex() != newest.root_hash:
        return _broken(checked, "de wortelhash van de nieuwste boomkop klopt niet.", None, unsealed)
    if newest and newest.signature and (public is None or not _signed(public, newest)):
        return _broken(checked, "de ondertekening van de nieuwste boomkop klopt niet.", None, unsealed)
    if kept and roots.get(kept.tree_size, b"").hex() != kept.root_hash:
        return _broken(checked, "de opgegeven kop-hash komt niet (meer) voor in het logboek.", None, unsealed)
    if exported:
        problem_text = _check_exported(exported, roots, size, public, newest)
        if problem_text:
            return _broken(checked, problem_text, None, unsealed)
    elif against_export and newest and newest.signature:
        return _broken(
            checked,
            f"er is geen geëxporteerde boomkop gevonden ({settings.CASUSTAFEL_LOG_HEAD_EXPORT}); controleren "
            "tegen de export is niet mogelijk.",
            None,
            unsealed,
        )
    waiting = f" {unsealed} regels wachten nog op verzegeling." if unsealed else ""
    if size == 0:
        text = "Logboek intact: er zijn nog geen verzegelde regels." + waiting
        return Report(True, 0, text, None, unsealed)
    against = f" en klopt met de laatst geëxporteerde boomkop ({exported['tree_size']} bladen)" if exported else ""
    return Report(
        True,
        checked,
        f"Logboek intact: {checked} regels gecontroleerd, de boom klopt{against}. "
        f"Boomkop: {size} {roots[size].hex()}.{waiting}",
        None,
        unsealed,
        size,
        roots[size].hex(),
    )


def _signed(public: bytes, head: TreeHead) -> bool:
    return signing.verify(public, head.tree_size, head.root_hash, chain._timestamp(head.timestamp), head.signature)


def _check_exported(exported: dict, roots: dict[int, bytes], size: int, public, newest) -> str | None:
    exported_size = int(exported["tree_size"])
    if exported_size > size:
        return (
            f"de laatst geëxporteerde boomkop telt {exported_size} bladen, het logboek nog maar {size}: regels "
            "aan het eind zijn verwijderd."
        )
    if roots[exported_size].hex() != exported["root_hash"]:
        return (
            f"de boom over de eerste {exported_size} bladen heeft niet de wortelhash van de laatst geëxporteerde "
            "boomkop: regels zijn gewijzigd, verwijderd of opnieuw verzegeld."
        )
    if public is None or not signing.verify(
        public, exported_size, exported["root_hash"], exported["timestamp"], exported["signature"]
    ):
        return "de ondertekening van de laatst geëxporteerde boomkop klopt niet."
    if newest:
        from .sequencer import consistency_proof  # noqa: PLC0415

        proof = consistency_proof(exported_size, newest.tree_size)
        if not merkle.verify_consistency(
            exported_size, newest.tree_size, roots[exported_size], bytes.fromhex(newest.root_hash), proof
        ):
            return "de nieuwste boomkop is niet consistent met de laatst geëxporteerde boomkop."
    return None
