"""Reads of the lawfulness advisory committee (Wet PGA art. 15), through the access policy.

The committee reviews the processing without case content: of the art. 11 decisions it reads
the ground, motivation, dates, the deciding organisation and the case reference — never the
person's name or what the case is about. Every read of rows that concern a person is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import ConfidentialityText
from casustafel.governance import audits, informing
from casustafel.governance.models import InformingDecision, InformingOutcome, LegalBasisSet
from casustafel.plans.models import CatalogueVersion
from casustafel.processing_log.models import Action, ProcessingActivity, Purpose
from casustafel.processing_log.services import record, record_refused
from casustafel.retention.models import RetentionSchedule
from casustafel.weighing.models import CriteriaFramework

from .models import Advice

PAGE_SIZE = 20


@dataclass(frozen=True)
class Motivation:
    """What the committee reads of a decision not to inform or to defer informing (art. 11)."""

    case_reference: str
    outcome: str
    ground: str
    motivation: str
    review_on: date | None
    decided_at: datetime
    organisation: str


def motivations_page(user: Any, page_number: Any = 1) -> Page:
    """The region's art. 11 decisions to defer or not inform, newest first, one page of
    :class:`Motivation` (no name, no case content); the rows shown are logged."""
    if not policy.can(user, policy.Action.COMMITTEE_VIEW):
        return Paginator([], PAGE_SIZE).get_page(1)
    decisions = (
        InformingDecision.objects.filter(
            case__region_id=user.organisation.region_id,
            outcome__in=[InformingOutcome.DEFERRED, InformingOutcome.NOT_INFORMED],
        )
        .select_related("case", "decided_by__organisation")
        .order_by("-decided_at")
    )
    page = Paginator(decisions, PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    if rows:
        record(user, action=Action.LIST, purpose=Purpose.PRIVACY_SUPERVISION, objects=rows)
    motivations = [
        Motivation(
            case_reference=row.case.reference,
            outcome=row.get_outcome_display(),
            ground=informing.ground_label(row),
            motivation=row.motivation,
            review_on=row.review_on,
            decided_at=row.decided_at,
            organisation=row.decided_by.organisation.name if row.decided_by.organisation else "",
        )
        for row in rows
    ]
    return Page(motivations, page.number, page.paginator)


@dataclass(frozen=True)
class DataVersion:
    """One version of a legal-rule data set in the register of processing changes."""

    kind: str
    name: str
    version: int
    valid_from: date | None
    published_at: datetime | None
    published_by: str

    @property
    def date(self) -> date | None:
        """When the change applies: its first valid day, else the day it was loaded."""
        if self.valid_from is not None:
            return self.valid_from
        return timezone.localtime(self.published_at).date() if self.published_at else None


def _national_or_own(user: Any, queryset: QuerySet) -> QuerySet:
    return queryset.filter(Q(region__isnull=True) | Q(region_id=user.organisation.region_id))


def processing_changes(user: Any) -> list[DataVersion]:
    """The register of processing changes (art. 15: new processing and changes in processing):
    every version of the legal-rule data sets that applies to the user's table, newest first.
    The data sets are loaded from files by migrations, so who published them is the source text
    where the data says so; nothing here concerns a person."""
    if not policy.can(user, policy.Action.COMMITTEE_VIEW):
        return []
    unknown = _("bij installatie geladen")
    national, own = _("landelijk"), _("eigen regio")
    entries = [
        DataVersion(_("Grondslagen"), _("Grondslagen en categorieën"), s.version, s.valid_from, s.loaded_at, unknown)
        for s in LegalBasisSet.objects.all()
    ]
    entries += [
        DataVersion(
            _("Wegingskader"), f"{f.name} ({own if f.region_id else national})", f.version, f.valid_from, None, unknown
        )
        for f in _national_or_own(user, CriteriaFramework.objects.all())
    ]
    entries += [
        DataVersion(_("Catalogus interventies"), c.note or _("Catalogus"), c.version, None, c.created_at, unknown)
        for c in CatalogueVersion.objects.all()
    ]
    entries += [
        DataVersion(
            _("Bewaarschema"),
            f"{s.get_trigger_display()} ({own if s.region_id else national})",
            s.version,
            s.valid_from,
            None,
            unknown,
        )
        for s in _national_or_own(user, RetentionSchedule.objects.all())
    ]
    entries += [
        DataVersion(_("Verwerkingsactiviteit"), a.name, a.version, a.valid_from, None, unknown)
        for a in ProcessingActivity.objects.all()
    ]
    entries += [
        DataVersion(
            _("Belangen art. 41 UAVG (informeren)"), _("Gronden art. 11"), g.version, g.valid_from, None, unknown
        )
        for g in informing.grounds_versions()
    ]
    entries += [
        DataVersion(_("Onderdelen privacy-audit"), _("Onderdelen art. 16"), p.version, p.valid_from, None, unknown)
        for p in audits.parts_versions()
    ]
    entries += [
        DataVersion(_("Geheimhoudingstekst"), t.title, t.version, t.valid_from, None, unknown)
        for t in ConfidentialityText.objects.all()
    ]
    return sorted(entries, key=lambda e: (e.date or date.min, e.kind, e.version), reverse=True)


def processing_changes_page(user: Any, page_number: Any = 1) -> Page:
    return Paginator(processing_changes(user), PAGE_SIZE).get_page(page_number)


def _may_see_advice(user: Any) -> bool:
    return policy.can(user, policy.Action.COMMITTEE_VIEW) or policy.can(user, policy.Action.ADVICE_RESPOND)


def advice_page(user: Any, page_number: Any = 1) -> Page:
    """The advice of the committee to the user's table, open first then newest: for the
    committee members and the process director (chair) who responds; logged when shown."""
    if not _may_see_advice(user):
        return Paginator([], PAGE_SIZE).get_page(1)
    rows = Advice.objects.filter(region_id=user.organisation.region_id).order_by("-status", "-recorded_at")
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    if page.object_list:
        record(user, action=Action.LIST, purpose=Purpose.PRIVACY_SUPERVISION, objects=list(page.object_list))
    return page


def get_advice(user: Any, pk: Any) -> Advice:
    """An advice of the user's table (404 otherwise, the refusal logged)."""
    try:
        advice = Advice.objects.select_related("recorded_by", "responded_by").filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        advice = None
    if advice is None or not _may_see_advice(user) or advice.region_id != user.organisation.region_id:
        record_refused(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, model=Advice, pk=pk)
        raise Http404
    record(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, objects=[advice])
    return advice
