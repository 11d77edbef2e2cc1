"""The processing log's canonical serialisation: audit-record hashes, leaf bytes, v2/v1 row hashes.

Chain version 3 (ADR 0048): a row is a leaf of a Merkle tree (``merkle.py``, sealed by
``sequencer.py``); its leaf bytes are ``canonical_v3`` — the version 2 canonical form below
with the row id in front. Rows written before version 3 keep their version 2 hashes.

Chain version 2 (ADR 0015). Who acted lives in a linked audit record (``AuditRecord``):

* ``record_hash = sha256(canonical_audit(audit record))`` — AUDIT_FIELDS in a fixed order;
* ``row_hash = sha256(prev_hash + canonical(row))`` — FIELDS in a fixed order, among them
  the ``audit_record_id`` and the audit record's content hash (``audit_hash``), so a
  changed actor, organisation, role or via-API flag changes the hash of every linked row.

The first row's ``prev_hash`` is 64 zeros. Each canonical form is a compact JSON array,
UUIDs as lowercase strings, timestamps in ISO 8601 UTC with microseconds. The row id is
not hashed: the chain itself fixes the order. Changing this module changes every hash —
never do that without a new chain version (ADR 0008, 0015). Version 1 (actor inline in
the row, ADR 0008) is kept below for the migrations that convert it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

GENESIS = "0" * 64
#: Version 3 (ADR 0048): rows are leaves of a Merkle tree (``merkle.py``), no chain hash in the row.
VERSION = 3

#: Hashed fields of an audit record, in hashing order.
AUDIT_FIELDS = ("timestamp", "trace_id", "span_id", "user_id", "organisation_id", "role", "via_api")

#: Hashed fields of a log row, in hashing order (``audit_hash`` is the linked record's content hash).
FIELDS = (
    "timestamp",
    "trace_id",
    "span_id",
    "audit_record_id",
    "audit_hash",
    "action",
    "purpose",
    "activity_id",
    "status",
    "object_type",
    "object_id",
    "data_subject_id",
)


def _uuid(value) -> str | None:
    return None if value is None else str(uuid.UUID(str(value)))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _dumps(row: list) -> str:
    return json.dumps(row, separators=(",", ":"), ensure_ascii=True)


def canonical_audit(values: dict) -> str:
    """Canonical serialisation of one audit record (``values`` maps every name in AUDIT_FIELDS)."""
    return _dumps(
        [
            _timestamp(values["timestamp"]),
            str(values["trace_id"]),
            str(values["span_id"]),
            values["user_id"],
            _uuid(values["organisation_id"]),
            str(values["role"] or ""),
            bool(values["via_api"]),
        ]
    )


def audit_hash(values: dict) -> str:
    return _sha256(canonical_audit(values))


def hash_audit_record(record) -> str:
    """Content hash of an ``AuditRecord`` (saved or not)."""
    return audit_hash({name: getattr(record, name) for name in AUDIT_FIELDS})


def canonical(values: dict) -> str:
    """Canonical serialisation of one row (``values`` maps every name in FIELDS)."""
    return _dumps(
        [
            _timestamp(values["timestamp"]),
            str(values["trace_id"]),
            str(values["span_id"]),
            values["audit_record_id"],
            str(values["audit_hash"]),
            str(values["action"]),
            str(values["purpose"]),
            values["activity_id"],
            str(values["status"]),
            str(values["object_type"]),
            _uuid(values["object_id"]),
            _uuid(values["data_subject_id"]),
        ]
    )


def row_hash(prev_hash: str, values: dict) -> str:
    return _sha256(prev_hash + canonical(values))


def hash_entry(prev_hash: str, entry, audit_record_hash: str) -> str:
    """Row hash of a ``ProcessingLogEntry`` linked to an audit record with content hash ``audit_record_hash``."""
    values = {name: getattr(entry, name) for name in FIELDS if name != "audit_hash"}
    return row_hash(prev_hash, {**values, "audit_hash": audit_record_hash})


# ------------------------------------------------------------------ version 3 (ADR 0048)


def canonical_v3(entry_id: int, values: dict) -> bytes:
    """The bytes of leaf ``entry_id``: the version 2 canonical form with the row id in front
    (the id binds the leaf to its row; the leaf index fixes the order)."""
    return (f"[{int(entry_id)}," + canonical(values)[1:]).encode("ascii")


def leaf_bytes(entry, audit_record_hash: str) -> bytes:
    """Canonical v3 bytes of a saved ``ProcessingLogEntry``; ``audit_record_hash``: its audit record's content hash."""
    values = {name: getattr(entry, name) for name in FIELDS if name != "audit_hash"}
    return canonical_v3(entry.pk, {**values, "audit_hash": audit_record_hash})


def _sql_text(column: str) -> str:
    return f"to_json({column}::text)::text"


def _sql_uuid(column: str) -> str:
    return f"coalesce(to_json({column}::text)::text, 'null')"


def _sql_timestamp(column: str) -> str:
    return f"""'"' || to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'"""


def sql_audit_canonical(a: str) -> str:
    """``canonical_audit`` as a PostgreSQL expression over audit-record alias ``a`` (verify streams it)."""
    parts = [
        _sql_timestamp(f"{a}.timestamp"),
        _sql_text(f"{a}.trace_id"),
        _sql_text(f"{a}.span_id"),
        f"{a}.user_id::text",
        _sql_uuid(f"{a}.organisation_id"),
        _sql_text(f"coalesce({a}.role, '')"),
        f"CASE WHEN {a}.via_api THEN 'true' ELSE 'false' END",
    ]
    return "'[' || " + " || ',' || ".join(parts) + " || ']'"


def sql_leaf_canonical(e: str, audit_hash: str) -> str:
    """``canonical_v3`` as a PostgreSQL expression over entry alias ``e`` and an audit-hash expression."""
    parts = [
        f"{e}.id::text",
        _sql_timestamp(f"{e}.timestamp"),
        _sql_text(f"{e}.trace_id"),
        _sql_text(f"{e}.span_id"),
        f"{e}.audit_record_id::text",
        f"""'"' || {audit_hash} || '"'""",
        _sql_text(f"{e}.action"),
        _sql_text(f"{e}.purpose"),
        f"coalesce({e}.activity_id::text, 'null')",
        _sql_text(f"{e}.status"),
        _sql_text(f"{e}.object_type"),
        _sql_uuid(f"{e}.object_id"),
        _sql_uuid(f"{e}.data_subject_id"),
    ]
    return "'[' || " + " || ',' || ".join(parts) + " || ']'"


# ------------------------------------------------------------------ version 1 (ADR 0008)

#: Version 1 hashed fields: the actor inline in the row.
FIELDS_V1 = (
    "timestamp",
    "trace_id",
    "span_id",
    "user_id",
    "organisation_id",
    "action",
    "purpose",
    "activity_id",
    "status",
    "object_type",
    "object_id",
    "data_subject_id",
    "via_api",
)


def canonical_v1(values: dict) -> str:
    return _dumps(
        [
            _timestamp(values["timestamp"]),
            str(values["trace_id"]),
            str(values["span_id"]),
            values["user_id"],
            _uuid(values["organisation_id"]),
            str(values["action"]),
            str(values["purpose"]),
            values["activity_id"],
            str(values["status"]),
            str(values["object_type"]),
            _uuid(values["object_id"]),
            _uuid(values["data_subject_id"]),
            bool(values["via_api"]),
        ]
    )


def row_hash_v1(prev_hash: str, values: dict) -> str:
    return _sha256(prev_hash + canonical_v1(values))


def hash_entry_v1(prev_hash: str, entry) -> str:
    """Version 1 row hash of a (historical-model) log row that still carries the actor."""
    return row_hash_v1(prev_hash, {name: getattr(entry, name) for name in FIELDS_V1})
