"""The one write path into the processing log: ``record`` (and ``record_refused``).

Each call writes one audit record (who acted, ADR 0015) and the rows that link to it, in
the caller's own transaction, without any global lock and without reading another row
(chain version 3, ADR 0048): rows carry no chain hash; the sequencer (``sequencer.py``)
seals committed rows into the Merkle tree within seconds. Any number of writers append
at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casustafel.access import rls
from casustafel.core.tracing import current_trace_id, new_span_id

from . import chain
from .models import (
    Action,
    AuditRecord,
    LogConsultation,
    LogUsePurpose,
    ProcessingActivity,
    ProcessingLogEntry,
    Purpose,
    Status,
)

if TYPE_CHECKING:
    from casustafel.accounts.models import User

_activity_ids: dict[tuple[str, date], int] = {}


def _subject_of(obj):
    subject_id = getattr(obj, "subject_id", None)
    if subject_id is None and obj._meta.label_lower == "subjects.subject":
        subject_id = obj.pk
    return subject_id


def activity_id(code: str, on: date | None = None) -> int:
    """The version of processing activity ``code`` valid on ``on`` (today): the highest
    version whose ``valid_from`` has come (version 2, the Wet PGA, from 2025-07-01)."""
    key = (code, on or timezone.localdate())
    if key not in _activity_ids:
        found = (
            ProcessingActivity.objects.filter(code=code)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=key[1]))
            .order_by("-version")
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            raise LookupError(f"verwerkingsactiviteit {code!r} staat niet in het register")
        _activity_ids[key] = found
    return _activity_ids[key]


def _append(actor, action, purpose, targets, *, via_api: bool, status: str) -> int:
    """Insert one row per (object_type, object_id, subject_id) in ``targets``."""
    return _append_rows(actor, action, [(purpose, *target) for target in targets], via_api=via_api, status=status)


def _append_rows(actor, action, targets, *, via_api: bool, status: str) -> int:
    """Insert one row per (purpose, object_type, object_id, subject_id) in ``targets``, under one
    audit record; no lock, no read of earlier rows (the sequencer seals them, ADR 0048).

    One statement (ADR 0055): the audit record is inserted in a CTE whose ``RETURNING id`` the
    rows join, their columns passed as arrays and ``unnest``-ed. A single statement is atomic
    on its own — the record and its rows are written together or not at all — and runs in the
    caller's transaction when there is one, so no savepoint is needed: one round trip instead
    of four (savepoint, audit record, rows, release).
    """
    if not targets:
        return 0
    now, trace, span = timezone.now(), current_trace_id(), new_span_id()
    activities = {p: activity_id(str(p), timezone.localdate(now)) for p in {t[0] for t in targets}}
    audit = AuditRecord(
        timestamp=now,
        trace_id=trace,
        span_id=span,
        user_id=actor.pk,
        organisation_id=actor.organisation_id,
        role=str(getattr(actor, "role", "") or ""),
        via_api=via_api,
    )
    audit.record_hash = chain.hash_audit_record(audit)
    to_uuid = _UUID_FIELD.to_python
    purposes, object_types, object_ids, subject_ids, activity_ids = [], [], [], [], []
    for purpose, object_type, object_id, subject_id in targets:
        purposes.append(str(purpose))
        activity_ids.append(activities[purpose])
        object_types.append(str(object_type))
        object_ids.append(to_uuid(object_id))
        subject_ids.append(None if subject_id is None else to_uuid(subject_id))
    with connection.cursor() as cursor:
        cursor.execute(
            _APPEND_SQL,
            [
                now,
                trace,
                span,
                audit.user_id,
                audit.organisation_id,
                audit.role,
                via_api,
                audit.record_hash,
                now,
                trace,
                span,
                str(action),
                str(status),
                purposes,
                activity_ids,
                object_types,
                object_ids,
                subject_ids,
            ],
        )
        written = cursor.rowcount
    if written != len(targets):  # pragma: no cover - a statement inserts all its rows or raises
        raise RuntimeError("processing log: not every row was written")
    return written


_UUID_FIELD = ProcessingLogEntry._meta.get_field("object_id")
_AUDIT = AuditRecord._meta.db_table
_ENTRY = ProcessingLogEntry._meta.db_table

#: The audit record and its rows in one statement (ADR 0055).
_APPEND_SQL = f"""
WITH audit AS (
    INSERT INTO "{_AUDIT}" ("timestamp", "trace_id", "span_id", "user_id", "organisation_id", "role",
                            "via_api", "record_hash")
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
    RETURNING "id"
)
INSERT INTO "{_ENTRY}" ("timestamp", "trace_id", "span_id", "audit_record_id", "action", "status", "purpose",
                        "activity_id", "object_type", "object_id", "data_subject_id", "prev_hash", "row_hash")
SELECT %s, %s, %s, audit."id", %s, %s, t.purpose, t.activity_id, t.object_type, t.object_id, t.subject_id, '', ''
FROM audit, unnest(%s::varchar[], %s::bigint[], %s::varchar[], %s::uuid[], %s::uuid[])
    AS t(purpose, activity_id, object_type, object_id, subject_id)
"""


def record(actor: User | None, *, action: Action, purpose: Purpose, objects: Iterable, via_api: bool = False) -> int:
    """Record ``action`` by ``actor`` on each object (one row per object and data subject).

    Must run inside the transaction of the write it records; for reads it is its own.
    """
    targets = [(obj._meta.model_name, obj.pk, _subject_of(obj)) for obj in objects]
    return _append(actor, action, purpose, targets, via_api=via_api, status=Status.OK)


def record_by_purpose(actor: User, *, action: Action, groups: dict, via_api: bool = False) -> int:
    """Like :func:`record`, for objects of several processing activities read together (a
    dashboard): ``groups`` maps each purpose to its objects; one audit record."""
    targets = [
        (purpose, obj._meta.model_name, obj.pk, _subject_of(obj))
        for purpose, objects in groups.items()
        for obj in objects
    ]
    return _append_rows(actor, action, targets, via_api=via_api, status=Status.OK)


def record_refused(actor: User | None, *, action: Action, purpose: Purpose, model, pk, via_api: bool = False) -> int:
    """Record a refused access to an existing object (type and id only, no subject).

    Call it outside any transaction that the refusal rolls back (selectors run outside
    one), so the entry survives the "not found" answer. Malformed or unknown ids and
    anonymous actors leave nothing: there is no object, so no personal data was asked for.
    """
    if getattr(actor, "pk", None) is None:
        return 0
    try:
        # An object with an integer id (a log row itself) is named by that id as a UUID (UUID(int=id)),
        # the same value Django's UUIDField gives an integer, so the refusal is found by the row's id.
        object_id = uuid.UUID(int=pk) if isinstance(pk, int) else uuid.UUID(str(pk))
    except (ValueError, TypeError, AttributeError):
        return 0
    if not rls.exists_in_any_region(model, object_id):
        return 0
    return _append(
        actor, action, purpose, [(model._meta.model_name, object_id, None)], via_api=via_api, status=Status.REFUSED
    )


class LogPurposeMissingError(ValueError):
    """A consultation of the processing log without a purpose the law allows (art. 14 lid 2)."""

    message = _(
        "Kies het doel waarvoor u het logboek raadpleegt. De Wet PGA (art. 14 lid 2) staat alleen toe: "
        "controle van de rechtmatigheid van de gegevensverwerking, interne controle, waarborging van de "
        "integriteit en de beveiliging van de persoonsgegevens, of een gerechtelijke procedure."
    )


def record_log_consultation(
    actor: User,
    *,
    purpose: str,
    found: Sequence = (),
    criteria: Sequence[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
) -> LogConsultation:
    """Record that ``actor`` consults the processing log for ``purpose`` (Wet PGA art. 14 lid 2).

    One consultation row (which criteria, never their values) and, in one span, the log
    row of the consultation itself and one search row per person, case or signal found.
    Without a purpose the law allows, nothing is written and the log is not read.
    """
    if purpose not in LogUsePurpose.values:
        raise LogPurposeMissingError(str(LogPurposeMissingError.message))
    with transaction.atomic():
        consultation = LogConsultation.objects.create(
            timestamp=timezone.now(),
            user=actor,
            organisation_id=actor.organisation_id,
            purpose=purpose,
            date_from=date_from,
            date_to=date_to,
            criteria=list(criteria),
        )
        record(actor, action=Action.SEARCH, purpose=Purpose.PRIVACY_SUPERVISION, objects=[consultation, *found])
    return consultation


#: The processing activity a refused access to an object of an app belongs to.
_PURPOSE_BY_APP = {
    "signals": Purpose.INTAKE,
    "subjects": Purpose.INTAKE,
    "weighing": Purpose.WEIGHING,
    "retention": Purpose.RETENTION,
    "processing_log": Purpose.PRIVACY_SUPERVISION,
}


def record_policy_refusal(sender, *, user, obj, write: bool, via_api: bool, **kwargs) -> None:
    """Receiver of ``core.errors.refused``: the policy refused ``user`` an action on ``obj``."""
    record_refused(
        user,
        action=Action.UPDATE if write else Action.READ,
        purpose=_PURPOSE_BY_APP.get(obj._meta.app_label, Purpose.CASE_MANAGEMENT),
        model=type(obj),
        pk=obj.pk,
        via_api=via_api,
    )
