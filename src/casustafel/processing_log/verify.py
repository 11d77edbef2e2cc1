"""Verification of the processing log's hash chain (version 2: rows and their audit records, ADR 0015)."""

from __future__ import annotations

from dataclasses import dataclass

from . import chain
from .models import ProcessingLogEntry

CHUNK = 2000


@dataclass
class Report:
    intact: bool
    checked: int
    message: str
    broken_id: int | None = None


def head() -> tuple[int, str] | None:
    """Id and hash of the last row."""
    return ProcessingLogEntry.objects.order_by("-id").values_list("id", "row_hash").first()


def verify(head_hash: str | None = None) -> Report:
    """Walk the chain in id order (streamed); report the first broken row."""
    head_hash = (head_hash or "").strip().lower() or None
    prev, checked, head_seen, last_id = chain.GENESIS, 0, False, None
    audit_columns = tuple(f"audit_record__{name}" for name in chain.AUDIT_FIELDS)
    row_fields = tuple(name for name in chain.FIELDS if name != "audit_hash")
    rows = ProcessingLogEntry.objects.order_by("id").values_list(
        "id", "prev_hash", "row_hash", "audit_record__record_hash", *audit_columns, *row_fields
    )
    audit_end = 4 + len(audit_columns)
    audit_hashes: dict[int, str] = {}  # per audit record (a span's rows are adjacent): hash it once
    for row in rows.iterator(chunk_size=CHUNK):
        row_id, prev_hash, row_hash, stored_audit_hash = row[:4]
        values = dict(zip(row_fields, row[audit_end:], strict=True))
        if prev_hash != prev:
            return Report(
                False,
                checked,
                (
                    f"Logboek NIET intact: vóór regel {row_id} ontbreken een of meer regels of is de keten "
                    f"verbroken (de vorige hash van regel {row_id} klopt niet)."
                ),
                row_id,
            )
        audit_id = values["audit_record_id"]
        if audit_id not in audit_hashes:
            audit_hashes.clear()
            audit_hashes[audit_id] = chain.audit_hash(dict(zip(chain.AUDIT_FIELDS, row[4:audit_end], strict=True)))
        content_hash = audit_hashes[audit_id]
        if content_hash != stored_audit_hash:
            return Report(
                False,
                checked,
                (
                    f"Logboek NIET intact: verantwoordingsregel {audit_id} bij regel {row_id} is gewijzigd "
                    "(de hash van de verantwoordingsregel klopt niet)."
                ),
                row_id,
            )
        if chain.row_hash(prev_hash, {**values, "audit_hash": content_hash}) != row_hash:
            return Report(
                False,
                checked,
                (
                    f"Logboek NIET intact: regel {row_id} of zijn verantwoordingsregel is gewijzigd "
                    "(de hash van de regel klopt niet)."
                ),
                row_id,
            )
        head_seen = head_seen or row_hash == head_hash
        prev, checked, last_id = row_hash, checked + 1, row_id
    if head_hash and not head_seen:
        return Report(
            False,
            checked,
            (
                "Logboek NIET intact: de opgegeven kop-hash komt niet (meer) voor in het logboek; regels aan het "
                f"eind zijn verwijderd of vervangen. De keten eindigt nu bij regel {last_id or '-'} "
                f"({checked} regels gecontroleerd)."
            ),
            last_id,
        )
    if checked == 0:
        return Report(True, 0, "Logboek intact: het logboek is leeg.")
    suffix = " en bevat de opgegeven kop" if head_hash else ""
    return Report(
        True,
        checked,
        (f"Logboek intact: {checked} regels gecontroleerd, de keten klopt{suffix}. Laatste regel: {last_id} {prev}"),
    )
