"""The hash chain of the processing log: canonical serialisation and row hashes.

``row_hash = sha256(prev_hash + canonical(row))``; the first row's ``prev_hash`` is 64
zeros. The canonical form is a compact JSON array of the fields below in this fixed
order, UUIDs as lowercase strings, the timestamp in ISO 8601 UTC with microseconds.
The row id is not hashed: the chain itself fixes the order. Changing this module changes
every hash — never do that without a new chain version (ADR 0008).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

GENESIS = "0" * 64

#: Hashed fields, in hashing order.
FIELDS = ("timestamp", "trace_id", "span_id", "user_id", "organisation_id", "action", "purpose", "activity_id",
          "status", "object_type", "object_id", "data_subject_id", "via_api")


def _uuid(value) -> str | None:
    return None if value is None else str(uuid.UUID(str(value)))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(values: dict) -> str:
    """Canonical serialisation of one row (``values`` maps every name in FIELDS)."""
    row = [
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
    return json.dumps(row, separators=(",", ":"), ensure_ascii=True)


def row_hash(prev_hash: str, values: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(values)).encode("ascii")).hexdigest()


def hash_entry(prev_hash: str, entry) -> str:
    """Row hash of an unsaved ``ProcessingLogEntry``."""
    return row_hash(prev_hash, {name: getattr(entry, name) for name in FIELDS})
