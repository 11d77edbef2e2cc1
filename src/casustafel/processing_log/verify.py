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

from . import chain, merkle, proofs, signing
from .models import AuditRecord, LogLeaf, MerkleNode, ProcessingLogEntry, TreeHead
from .sequencer import STORED_LEVEL, unsealed_count


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


def _audit_check_sql() -> str:
    """The ids of audit records whose stored content hash is not the hash of their content
    (each audit record hashed once, not once per row that links to it)."""
    audit_hash = f"encode(sha256(convert_to({chain.sql_audit_canonical('a')}, 'UTF8')), 'hex')"
    return (
        f"SELECT coalesce(array_agg(a.id), '{{}}') FROM {AuditRecord._meta.db_table} a "
        f"WHERE a.record_hash IS DISTINCT FROM {audit_hash}"
    )


#: The row's text columns in the canonical form, in order.
_TEXTS = ("trace_id", "span_id", "action", "purpose", "status", "object_type")


def _leaf_canonical_sql() -> str:
    """``chain.sql_leaf_canonical(e, a.record_hash)``, cheaper and byte for byte the same: when every
    text column holds only printable ASCII other than ``"`` and ``\\`` (what the application
    writes: hex ids and codes), ``to_json`` of it is the text in quotes, so it is quoted directly (one
    regular expression instead of six ``to_json`` calls); any other row takes the chain's expression.
    ``uuid`` and numbers have no characters to escape."""
    texts = " || ".join(f"e.{name}" for name in _TEXTS)
    quoted = (
        f"'[' || e.id::text || ',' || {chain._sql_timestamp('e.timestamp')} || ',\"' || e.trace_id "
        f"|| '\",\"' || e.span_id || '\",' || e.audit_record_id::text || ',\"' || a.record_hash "
        f"|| '\",\"' || e.action || '\",\"' || e.purpose || '\",' "
        f"|| coalesce(e.activity_id::text, 'null') || ',\"' || e.status || '\",\"' || e.object_type "
        "|| '\",' || coalesce('\"' || e.object_id::text || '\"', 'null') "
        "|| ',' || coalesce('\"' || e.data_subject_id::text || '\"', 'null') || ']'"
    )
    plain = f"({texts}) ~ '^[ !#-\\[\\]-~]*$'"
    return f"CASE WHEN {plain} THEN {quoted} ELSE {chain.sql_leaf_canonical('e', 'a.record_hash')} END"


def _leaf_check_sql() -> str:
    """One pass over every leaf joined to its row and audit record, compared in PostgreSQL: the
    number of leaves, the lowest and highest index and the first leaf that does not check out
    (no row, no audit record, an audit record of ``%s`` (changed), or a leaf hash that is not the
    SHA-256 of the row's canonical bytes with its audit record's stored hash) above index ``%s``. Only
    four numbers come back; PostgreSQL may scan the partitions in parallel."""
    leaf, entry, audit = LogLeaf._meta.db_table, ProcessingLogEntry._meta.db_table, AuditRecord._meta.db_table
    computed = f"sha256('\\x00'::bytea || convert_to({_leaf_canonical_sql()}, 'UTF8'))"
    broken = (
        "e.id IS NULL OR a.id IS NULL OR e.audit_record_id = ANY(%s::bigint[]) "
        f"OR l.leaf_hash IS DISTINCT FROM {computed}"
    )
    return (
        "SELECT count(*), min(l.leaf_index), max(l.leaf_index), "
        f"min(l.leaf_index) FILTER (WHERE l.leaf_index > %s AND ({broken})) "
        f"FROM {leaf} l LEFT JOIN {entry} e ON e.id = l.entry_id LEFT JOIN {audit} a ON a.id = e.audit_record_id"
    )


def _really_changed(audit_ids: list[int]) -> list[int]:
    """Of the audit records SQL found changed, those Python's canonical form finds changed too.

    ``chain.sql_audit_canonical`` equals ``chain.canonical_audit`` for printable ASCII only (PostgreSQL's
    ``to_json`` leaves other characters unescaped, Python's JSON escapes them): such a record is
    judged in Python, the definition."""
    if not audit_ids:
        return []
    return [
        record.pk
        for record in AuditRecord.objects.filter(pk__in=audit_ids)
        if chain.hash_audit_record(record) != record.record_hash
    ]


def _sound_in_python(index: int) -> bool:
    """True when leaf ``index``, found broken by SQL, checks out with the Python canonical form (a row
    with text outside printable ASCII, which SQL renders differently; see ``_really_changed``)."""
    leaf = LogLeaf.objects.filter(leaf_index=index).values_list("entry_id", "leaf_hash").first()
    entry = ProcessingLogEntry.objects.select_related("audit_record").filter(pk=leaf[0]).first() if leaf else None
    if entry is None or entry.audit_record is None:
        return False
    audit = entry.audit_record
    if chain.hash_audit_record(audit) != audit.record_hash:
        return False
    return merkle.leaf_hash(chain.leaf_bytes(entry, audit.record_hash)) == bytes(leaf[1])


def _first_gap() -> tuple[int, int | None]:
    """(the first missing leaf index, the next index that exists) of a tree with a gap."""
    table = LogLeaf._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(leaf_index) FROM {table}")
        (lowest,) = cursor.fetchone()
        if lowest is None or lowest > 0:
            return 0, lowest
        cursor.execute(
            f"SELECT min(l.leaf_index) + 1 FROM {table} l WHERE l.leaf_index >= 0 AND NOT EXISTS "
            f"(SELECT 1 FROM {table} m WHERE m.leaf_index = l.leaf_index + 1)"
        )
        (missing,) = cursor.fetchone()
        cursor.execute(f"SELECT min(leaf_index) FROM {table} WHERE leaf_index > %s", [missing])
        return missing, cursor.fetchone()[0]


def _first_problem(
    count: int, lowest: int | None, highest: int | None, broken: int | None
) -> tuple[int, str, int | None] | None:
    """(index, message, row id) of the first broken or missing leaf; None: every leaf checks out."""
    gap = None
    if count and (lowest != 0 or highest != count - 1):
        gap = _first_gap()
    if broken is not None and (gap is None or broken < gap[0]):
        return (broken, *_diagnose(broken))
    if gap is not None:
        missing, following = gap
        jump = f" (de bladen springen naar {following})" if following is not None else ""
        return missing, f"blad {missing} ontbreekt{jump}.", None
    return None


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


def _leaf_blocks(cursor, count: int):
    """The ``count`` leaf hashes in leaf order, in lists of 2^STORED_LEVEL (the last one shorter):
    one row per block (the block's hashes concatenated in PostgreSQL), streamed with binary COPY, so
    Python does no per-leaf work beyond slicing bytes. The leaf check has made sure the indexes run
    0..count-1 and every leaf hash is 32 bytes (it compares each with a SHA-256)."""
    table, shift = LogLeaf._meta.db_table, STORED_LEVEL
    seen = 0
    with cursor.copy(
        f"COPY (SELECT string_agg(leaf_hash, ''::bytea ORDER BY leaf_index) FROM {table} "
        f"GROUP BY leaf_index >> {shift} ORDER BY leaf_index >> {shift}) TO STDOUT (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["bytea"])
        for (data,) in copy.rows():
            seen += len(data) // 32
            yield [data[i : i + 32] for i in range(0, len(data), 32)]
    if seen != count:
        raise ValueError("de bladen veranderden tijdens het controleren")


def verify(head_hash: str | None = None, *, against_export: bool = True) -> Report:
    """Recompute every leaf, node and root; compare with the newest stored head and the latest
    exported head (``against_export``); ``head_hash``: a root kept earlier must be a head of this tree.

    PostgreSQL compares every leaf with its row and audit record itself (one pass, only the first
    broken leaf comes back); then the leaf hashes stream to Python (binary COPY) for the tree. Outside
    a transaction everything is read in one snapshot (REPEATABLE READ), so a sequencer sealing
    meanwhile does not disturb the check."""
    head_hash = (head_hash or "").strip().lower() or None
    exported = exported_head() if against_export else None
    public = signing.public_key_raw()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # the first statement of the transaction: one snapshot for every pass
            with connection.cursor() as setup:
                setup.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with connection.cursor() as setup:  # the leaf blocks' sort in memory for some hundred thousand leaves
            setup.execute("SET LOCAL work_mem = '32MB'")
        return _verify(head_hash, exported, public, against_export)


def _verify(head_hash, exported, public, against_export) -> Report:
    newest = TreeHead.objects.order_by("-id").first()
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
    with connection.cursor() as cursor:
        cursor.execute(_audit_check_sql())
        changed_audits = _really_changed(cursor.fetchone()[0])
        floor = -1
        while True:
            cursor.execute(_leaf_check_sql(), [floor, changed_audits])
            count, lowest, highest, broken = cursor.fetchone()
            if broken is None or not _sound_in_python(broken):
                break
            floor = broken  # SQL text differs from Python's JSON for this row (see _sound_in_python): go on
    found = _first_problem(count, lowest, highest, broken)
    if found:
        index, message, broken_id = found
        return _broken(index, message, broken_id, unsealed_count())
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

    with connection.cursor() as cursor:
        for block in _leaf_blocks(cursor, count):
            if problem:
                continue  # read the COPY to its end
            for size in wanted:
                if checked < size <= checked + len(block):
                    roots[size] = root_at(size)
            checked += len(block)
            if len(block) == block_size:
                # 256 leaves at once, level by level: the per-leaf work stays in C.
                subtree = merkle.perfect_root(block)
                check_node(STORED_LEVEL, frontier.size >> STORED_LEVEL, subtree)
                frontier.push(STORED_LEVEL, subtree, check_node)
                block = []
    roots[checked] = root_at(checked)
    # Every leaf names an existing row and no row has two leaves (unique entry_id): the rest is unsealed.
    unsealed = ProcessingLogEntry.objects.count() - count
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
        proof = proofs.consistency_proof(exported_size, newest.tree_size)
        if not merkle.verify_consistency(
            exported_size, newest.tree_size, roots[exported_size], bytes.fromhex(newest.root_hash), proof
        ):
            return "de nieuwste boomkop is niet consistent met de laatst geëxporteerde boomkop."
    return None
