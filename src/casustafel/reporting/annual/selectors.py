"""Reads of the annual report of Wet PGA art. 18: the reports of the user's table (aggregates only,
never a person) and a report's content — the frozen snapshot once published, otherwise computed
from the data, which reads personal data in bulk and is recorded once per generation in the
processing log under the activity "accountability"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from casustafel.access import policy
from casustafel.accounts.models import Region, User
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused
from casustafel.reporting.models import AnnualReport

from .content import build_content


def visible_reports(user: User) -> QuerySet[AnnualReport]:
    """The reports a table of the user's takes part in (a joint report it was asked to join, too)."""
    policy.require(user, policy.Action.ANNUAL_REPORT_VIEW)
    return (
        AnnualReport.objects.filter(memberships__region_id=policy.organisation_of(user).region_id)
        .prefetch_related("memberships__region")
        .order_by("-year", "-created_at")
        .distinct()
    )


def get_report(user: User, pk: Any) -> AnnualReport:
    try:
        report = AnnualReport.objects.prefetch_related("memberships__region", "redactions").get(pk=pk)
    except (AnnualReport.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if not policy.can(user, policy.Action.ANNUAL_REPORT_VIEW, report):
        record_refused(user, action=Action.READ, purpose=Purpose.ACCOUNTABILITY, model=AnnualReport, pk=report.pk)
        raise Http404
    return report


def report_regions(report: AnnualReport) -> list[tuple[Region, bool]]:
    """The tables of a report with whether each has joined, by name."""
    return sorted(((m.region, m.joined_at is not None) for m in report.memberships.all()), key=lambda p: p[0].name)


def report_content(user: User, report: AnnualReport) -> dict[str, Any]:
    """What the report says: the published snapshot as it was frozen, or the draft computed now
    (one processing-log row: the figures read personal data in bulk, art. 18 with AVG art. 5 lid 2)."""
    if report.is_published:
        return report.snapshot
    content = build_content(report)
    record(user, action=Action.READ, purpose=Purpose.ACCOUNTABILITY, objects=[report])
    return content
