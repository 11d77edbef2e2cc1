"""Recording a search in the processing log (ADR 0035)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from .models import SearchRecord

if TYPE_CHECKING:
    from casustafel.accounts.models import User


def record_search(actor: User, *, criteria: Sequence[str], found: Sequence = ()) -> SearchRecord:
    """Record that ``actor`` searched with ``criteria`` (kinds only, never the terms) and was
    shown ``found``: one search record and, in one span, its log row and one row per signal,
    weighing or case shown. A search that finds nothing is logged too."""
    with transaction.atomic():
        search = SearchRecord.objects.create(
            timestamp=timezone.now(),
            user=actor,
            organisation_id=actor.organisation_id,
            criteria=list(criteria),
            result_count=len(found),
        )
        # The search answers "is this person or reference known to me": the known-person check.
        record(actor, action=Action.SEARCH, purpose=Purpose.KNOWN_PERSON_CHECK, objects=[search, *found])
    return search
