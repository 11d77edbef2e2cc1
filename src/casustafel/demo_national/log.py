"""The processing log of ten years: the writes' own entries plus synthetic reads, by COPY.

Write entries come from the history (the actor and moment of each write). Reads are
generated per day and region, in proportion to the records the region holds by then: a
detail read, a list page (one row per object shown), a search, an export, now and then a
refused read (no data subject, status refused), each span with its audit record
(verantwoordingsregel, ADR 0015). A read never precedes the object's creation. Every row
links to the processing activity valid on its day (``services.activity_id``).

Rows go in with ``COPY`` in batches of about half a million, in time order, so the id order
is the time order. With chain version 3 (``processing_log.sequencer``) the rows are written
as requests write them, without hashes, and the sequencer seals them into the Merkle tree
afterwards (``seal(SEAL_ROWS)`` until it returns 0); with chain version 2 each batch holds the chain's
advisory lock and the chain is computed in the stream (``chain.row_hash``).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction

from casustafel.processing_log import chain, partitions, sequencer
from casustafel.processing_log.models import (
    Action,
    AuditRecord,
    ProcessingActivity,
    ProcessingLogEntry,
    Purpose,
    Status,
)

from .history import Rows
from .plan import Plan

BATCH_ROWS = 500_000
#: Rows per sealing round of the bulk load (the worker's steady-state rounds stay at the sequencer's default):
#: leaf hashes in PostgreSQL, leaves and nodes by COPY, one signed head per round.
SEAL_ROWS = 500_000

#: The processing activity of a read, by object type.
PURPOSE_OF = {
    "signal": Purpose.INTAKE,
    "subject": Purpose.INTAKE,
    "weighing": Purpose.WEIGHING,
    "case": Purpose.CASE_MANAGEMENT,
    "plan": Purpose.CASE_MANAGEMENT,
}
#: The log row's columns as the chain hashes them (the audit hash is the linked record's, not a column).
ENTRY_COLUMNS = tuple(name for name in chain.FIELDS if name != "audit_hash")
AUDIT_COLUMNS = (
    "id",
    "timestamp",
    "trace_id",
    "span_id",
    "user_id",
    "organisation_id",
    "role",
    "via_api",
    "record_hash",
)


class Activities:
    """``services.activity_id`` for many dates at once: the highest version valid on the day."""

    def __init__(self):
        self.versions = defaultdict(list)
        for row in ProcessingActivity.objects.order_by("code", "version"):
            self.versions[row.code].append((row.valid_from or date.min, row.version, row.pk))
        self.cache: dict[tuple[str, date], int] = {}

    def get(self, code: str, on: date) -> int:
        key = (code, on)
        if key not in self.cache:
            valid = [v for v in self.versions[code] if v[0] <= on]
            if not valid:
                raise LookupError(f"verwerkingsactiviteit {code!r} staat niet in het register")
            self.cache[key] = max(valid, key=lambda v: v[1])[2]
        return self.cache[key]


class Readers:
    """Per region, the users who read records, weighted by how much they read."""

    WEIGHTS = {
        "case_director": 8,
        "participant": 3,
        "weighing_member": 4,
        "intake_officer": 3,
        "process_director": 5,
        "mayor": 0.3,
        "privacy_officer": 0.5,
    }

    def __init__(self, users):
        self.by_region = defaultdict(list)
        self.weights = defaultdict(list)
        for user, region_id in users:
            weight = self.WEIGHTS.get(user.role, 0)
            if weight:
                self.by_region[region_id].append(user)
                self.weights[region_id].append(weight)


def write(plan: Plan, rows: Rows, users, progress) -> int:
    """Write the log; ``users`` is [(user, region id)]. Returns the number of entries written."""
    rng = plan.stream("log")
    activities = Activities()
    actors = {u.pk: u for u, _region in users}
    readers = Readers(users)
    # Write events per day, in time order.
    writes_by_day = defaultdict(list)
    write_rows = 0
    for event in rows.events:
        if event[0] < plan.now:
            writes_by_day[event[0].date()].append(event)
            write_rows += len(event[4])
    readable = {region: sorted(items, key=lambda r: r[0]) for region, items in rows.readable.items()}
    created = {region: [r[0] for r in items] for region, items in readable.items()}
    days = (plan.now.date() - plan.start.date()).days
    first_day = plan.start.date()
    # Read volume per (region, day) in proportion to what the region holds by then.
    held = {
        region: [
            bisect.bisect_right(times, datetime.combine(first_day + timedelta(days=d + 1), time(0), tzinfo=UTC))
            for d in range(days)
        ]
        for region, times in created.items()
    }
    total_weight = sum(sum(counts) for counts in held.values()) or 1
    per_unit = max(0, plan.log_entries - write_rows) / total_weight
    writer = _Writer()
    # A log partitioned by month (ADR 0049): the ten years' months get their own partitions.
    partitions.ensure_months(plan.start.date(), plan.now.date())
    with _bulk_load([writer.entry_table, writer.audit_table]):
        written = _write_days(
            plan, rng, activities, actors, readers, writer, writes_by_day, readable, held, per_unit, progress
        )
    return written


def seal_all() -> int:
    """Chain version 3: let the sequencer seal every row written (``seal(SEAL_ROWS)`` until it returns 0)."""
    sealed = 0
    while count := sequencer.seal(SEAL_ROWS):
        sealed += count
    return sealed


@contextmanager
def _bulk_load(tables: list[str]):
    """Load without the secondary indexes and foreign keys of ``tables``, then build them
    again in one pass each (PostgreSQL's own advice for a bulk load): the same names and
    definitions, the foreign keys validated over every row. The primary keys stay."""
    with connection.cursor() as cursor:
        # Inside an outer transaction (the tests) deferred checks must run before the DDL.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for table, name, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, definition in indexes:
                # pg_indexes shows an index of a partitioned table (the processing log, ADR 0049) as
                # "ON ONLY parent": executed as shown it would index the parent alone, invalid and
                # without an index on any partition; "ON parent" builds it on every partition.
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
            for table, name, definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(f"ANALYZE {', '.join(tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _write_days(
    plan, rng, activities, actors, readers, writer, writes_by_day, readable, held, per_unit, progress
) -> int:
    """Generate and write the spans day by day."""
    days = (plan.now.date() - plan.start.date()).days
    first_day = plan.start.date()
    written = 0
    carry = defaultdict(float)
    for d in range(days):
        day = first_day + timedelta(days=d)
        spans = [(e[0], actors[e[1]], e[2], e[3], e[4], Status.OK) for e in writes_by_day.get(day, ())]
        weekday_factor = 0.25 if day.weekday() >= 5 else 1.0
        for region, counts in held.items():
            n = counts[d]
            if not n or not readers.by_region[region]:
                continue
            carry[region] += n * per_unit * weekday_factor * (7 / 5.5)
            items = readable[region]
            while carry[region] >= 1:
                span = _read_span(rng, day, items, n, readers, region, plan.now)
                if span is None:
                    carry[region] -= 1
                    continue
                carry[region] -= len(span[4])
                spans.append(span)
        spans.sort(key=lambda s: s[0])
        for at, actor, action, purpose, targets, status in spans:
            writer.add(rng, activities, at, actor, action, purpose, targets, status)
        if writer.pending >= BATCH_ROWS:
            written += writer.flush()
        progress(1)
    return written + writer.flush()


def _read_span(rng, day: date, items, n: int, readers: Readers, region, now: datetime):
    """One read span on ``day``: (moment, actor, action, purpose, targets, status)."""
    actor = rng.choices(readers.by_region[region], weights=readers.weights[region])[0]
    at = rng.office_time(day)
    kind = rng.random()

    def pick():
        # Recent records are read most: an index biased to the end of what exists by then.
        return items[n - 1 - int(n * rng.random() ** 2.5)]

    if kind < 0.005:
        item = pick()
        return (
            max(at, item[0] + timedelta(minutes=1)),
            actor,
            Action.READ,
            PURPOSE_OF[item[1]],
            [(item[1], item[2], None)],
            Status.REFUSED,
        )
    if kind < 0.55:
        item = pick()
        targets = [(item[1], item[2], item[3])]
        action = Action.READ
    elif kind < 0.82:
        chosen = {pick() for _ in range(rng.randint(5, 25))}
        item = max(chosen, key=lambda i: i[0])
        targets = [(i[1], i[2], i[3]) for i in sorted(chosen, key=lambda i: i[0], reverse=True)]
        action = Action.LIST
    elif kind < 0.97:
        chosen = {pick() for _ in range(rng.randint(1, 5))}
        item = max(chosen, key=lambda i: i[0])
        targets = [(i[1], i[2], i[3]) for i in chosen]
        action = Action.SEARCH
    else:
        item = pick()
        targets = [(item[1], item[2], item[3])]
        action = Action.EXPORT
    if at <= item[0]:
        at = item[0] + timedelta(minutes=rng.randint(1, 90), microseconds=rng.randrange(10**6))
    if at >= now:
        return None
    purpose = PURPOSE_OF[item[1]] if action != Action.SEARCH else Purpose.KNOWN_PERSON_CHECK
    return (at, actor, action, purpose, targets, Status.OK)


class _Writer:
    """Buffers spans and COPYs them as audit records and log rows, unsealed (chain version 3: the
    sequencer seals them afterwards; the version 2 columns keep their empty default)."""

    def __init__(self):
        self.audits: list[tuple] = []
        self.entries: list[tuple] = []
        self.pending = 0
        self.entry_table = ProcessingLogEntry._meta.db_table
        self.audit_table = AuditRecord._meta.db_table

    def add(self, rng, activities: Activities, at, actor, action, purpose, targets, status) -> None:
        trace, span = rng.hex(32), rng.hex(16)
        audit = (at, trace, span, actor.pk, actor.organisation_id, str(actor.role or ""), rng.random() < 0.04)
        activity = activities.get(str(purpose), at.astimezone(UTC).date())
        self.audits.append(audit)
        index = len(self.audits) - 1
        for object_type, object_id, subject_id in targets:
            self.entries.append(
                (index, at, trace, span, action, purpose, activity, status, object_type, object_id, subject_id)
            )
        self.pending += len(targets)

    def flush(self) -> int:
        if not self.entries:
            return 0
        count = len(self.entries)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            # The audit records' ids from their own sequence (unique beside concurrent appends).
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{self.audit_table}', 'id')) FROM generate_series(1, %s)",
                [len(self.audits)],
            )
            audit_ids = sorted(row[0] for row in cursor.fetchall())
            audit_sql = f"COPY {self.audit_table} ({', '.join(AUDIT_COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(audit_sql) as copy:
                for i, (at, trace, span, user_id, org_id, role, via_api) in enumerate(self.audits):
                    values = {
                        "timestamp": at,
                        "trace_id": trace,
                        "span_id": span,
                        "user_id": user_id,
                        "organisation_id": org_id,
                        "role": role,
                        "via_api": via_api,
                    }
                    record_hash = chain.audit_hash(values)
                    copy.write_row((audit_ids[i], at, trace, span, user_id, org_id, role, via_api, record_hash))
            # The version 2 chain columns stay empty for unsealed rows (no database default).
            columns = ", ".join((*ENTRY_COLUMNS, "prev_hash", "row_hash"))
            with cursor.cursor.copy(f"COPY {self.entry_table} ({columns}) FROM STDIN") as copy:
                for (
                    index,
                    at,
                    trace,
                    span,
                    action,
                    purpose,
                    activity,
                    status,
                    object_type,
                    object_id,
                    subject_id,
                ) in self.entries:
                    audit_id = audit_ids[index]
                    row = (
                        at,
                        trace,
                        span,
                        audit_id,
                        str(action),
                        str(purpose),
                        activity,
                        str(status),
                        object_type,
                        object_id,
                        subject_id,
                    )
                    copy.write_row((*row, "", ""))
        self.audits, self.entries, self.pending = [], [], 0
        return count
