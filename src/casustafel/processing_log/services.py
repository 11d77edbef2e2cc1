"""The one write path into the processing log."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from casustafel.core.tracing import current_trace_id

from .models import Action, ProcessingLogEntry, Purpose


def _subject_of(obj):
    subject_id = getattr(obj, "subject_id", None)
    if subject_id is None and obj._meta.label_lower == "subjects.subject":
        subject_id = obj.pk
    return subject_id


def record(actor, action: Action, purpose: Purpose, objects: Iterable, *, via_api: bool = False) -> int:
    """Record ``action`` by ``actor`` on each object (one row per object), in one query.

    Must run inside the transaction of the write it records; for reads it is its own.
    """
    rows = [
        ProcessingLogEntry(
            trace_id=current_trace_id(),
            user_id=actor.pk,
            organisation_id=actor.organisation_id,
            action=action,
            purpose=purpose,
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            data_subject_id=_subject_of(obj),
            via_api=via_api,
        )
        for obj in objects
    ]
    if rows:
        with transaction.atomic():
            ProcessingLogEntry.objects.bulk_create(rows)
    return len(rows)
