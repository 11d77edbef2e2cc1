"""Reads of the case journal, through the access policy: the journal of a case whose plan the
user may see (``CASE_PLAN_VIEW``), narrowed per entry by the visibility its organisation chose
(``ITEM_VIEW``); every read recorded in the processing log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from .models import JournalEntry

SHORT_TEXT = 120


def _queryset():
    return JournalEntry.objects.select_related("author", "organisation", "legal_basis", "corrects").order_by(
        "-created_at"
    )


def _visible(user, entries: Iterable[JournalEntry]) -> list[JournalEntry]:
    return [e for e in entries if policy.can(user, policy.Action.ITEM_VIEW, e)]


def entries_for_case(user, case, *, limit: int | None = None, via_api: bool = False) -> list[JournalEntry]:
    """The journal entries of ``case`` the user may see, newest first (a case the caller already
    read through ``cases.selectors.get_case``); refuses without plan data (art. 3 lid 3)."""
    policy.require(user, policy.Action.CASE_PLAN_VIEW, case)
    entries = list(_queryset().filter(case=case))
    corrected = {e.corrects_id for e in entries if e.corrects_id}
    for entry in entries:
        entry.case = case
        entry.is_corrected = entry.pk in corrected
        entry.may_correct = entry.organisation_id == user.organisation_id
    visible = _visible(user, entries)
    if limit is not None:
        visible = visible[:limit]
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=visible, via_api=via_api)
    return visible


@dataclass(frozen=True)
class TimelineEntry:
    """One journal entry as a line of a timeline (part C's per-case and per-person timelines)."""

    date: datetime
    kind: str
    text: str
    link: str
    organisation: str


def timeline_entries(user, cases: Iterable) -> list[TimelineEntry]:
    """The journal entries of ``cases`` (cases the caller already may see) that ``user`` may see,
    newest first, shortened: for a timeline. One query however many cases and entries; the
    entries shown are recorded in the processing log."""
    by_pk = {c.pk: c for c in cases if policy.can(user, policy.Action.CASE_PLAN_VIEW, c)}
    if not by_pk:
        return []
    entries = list(_queryset().filter(case_id__in=by_pk))
    for entry in entries:
        entry.case = by_pk[entry.case_id]
    visible = _visible(user, entries)
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=visible)
    return [
        TimelineEntry(
            date=e.created_at,
            kind=str(_("Casusjournaal (correctie)") if e.corrects_id else _("Casusjournaal")),
            text=Truncator(e.text).chars(SHORT_TEXT),
            link=f"{reverse('journal:journal', kwargs={'pk': e.case_id})}#notitie-{e.pk}",
            organisation=str(e.organisation),
        )
        for e in visible
    ]
