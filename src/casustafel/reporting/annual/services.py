"""Writes of the annual report of Wet PGA art. 18 (ADR 0040): create (for one table or jointly
for several, art. 18 lid 1 last sentence), join, leave a part out and put it back (the redaction
step: "voor zover dit de verwezenlijking van de doeleinden van het casusoverleg niet onmogelijk
dreigt te maken of ernstig in het gedrang dreigt te brengen"), close or reopen the redaction, and
publish (lid 2), which freezes the displayed figures. Each in one transaction, on the locked report,
the policy deciding, the state machine checking, and one processing-log row under the activity
"accountability" per generation and publication (the figures read personal data in bulk).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import Region, User
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.reporting import states
from casustafel.reporting.models import AnnualReport, AnnualReportRegion, Redaction

from .content import build_content
from .sections import BY_TARGET

#: The Wet PGA took effect on 1 July 2025: the first year a casusoverleg reports on.
FIRST_YEAR = 2025
REASON_LIMIT = 1000


def _locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().get(pk=report.pk)


def _move(report: AnnualReport, target: str) -> None:
    states.ANNUAL_REPORT_MACHINE.check(report.state, target, field="state")
    report.state = target


def check_year(year: int | None, *, today: date | None = None) -> int:
    """The report year: a whole calendar year from 2025 (the Wet PGA's first) that has begun."""
    today = today or timezone.localdate()
    if year is None:
        raise ValidationError({"year": _("Kies het jaar waarover het verslag gaat.")})
    if year > today.year:
        raise ValidationError({"year": _("Het jaar %(year)s ligt in de toekomst.") % {"year": year}})
    if year < FIRST_YEAR:
        raise ValidationError(
            {"year": _("De Wet PGA geldt sinds 1 juli 2025; een jaarverslag gaat over 2025 of later.")}
        )
    return year


def create_report(actor: User, *, year: int | None, regions: Sequence[Region]) -> AnnualReport:
    """A draft for the actor's own table, or a joint draft with other tables (each joins itself).

    Refused (PolicyDenied) for a user who does not prepare reports; Dutch form errors for no
    table, the own table missing, a year in the future or before the law, or a year the own
    table already has a report for. Nothing is written then."""
    policy.require(actor, policy.Action.ANNUAL_REPORT_PREPARE, None)
    own = policy.organisation_of(actor).region_id
    region_ids = {r.pk for r in regions}
    if not region_ids:
        raise ValidationError({"regions": _("Kies de casustafel(s) waarover het verslag gaat.")})
    if own not in region_ids:
        # A report about tables the actor does not prepare for: refused, not a form error.
        policy.require(actor, policy.Action.ANNUAL_REPORT_PREPARE, _Regions(region_ids))
    year = check_year(year)
    with transaction.atomic():
        if AnnualReport.objects.filter(year=year, memberships__region_id=own).exists():
            raise ValidationError(
                {"year": _("Voor %(year)s bestaat al een jaarverslag van uw casustafel.") % {"year": year}}
            )
        report = AnnualReport.objects.create(year=year, created_by=actor)
        now = timezone.now()
        AnnualReportRegion.objects.bulk_create(
            [
                AnnualReportRegion(
                    report=report,
                    region_id=region_id,
                    joined_by=actor if region_id == own else None,
                    joined_at=now if region_id == own else None,
                )
                for region_id in sorted(region_ids, key=str)
            ]
        )
        record(actor, action=Action.CREATE, purpose=Purpose.ACCOUNTABILITY, objects=[report])
    return report


class _Regions:
    """A stand-in report for the policy: the tables a report would be about."""

    def __init__(self, region_ids: set) -> None:
        self.region_ids = self.joined_region_ids = region_ids


def join_report(actor: User, *, report: AnnualReport) -> AnnualReport:
    """The actor's table decides to take part in a joint report (art. 18 lid 1)."""
    with transaction.atomic():
        report = _locked(report)
        policy.require(actor, policy.Action.ANNUAL_REPORT_JOIN, report)
        if report.state != states.DRAFT:
            raise ValidationError({"state": _("Meedoen kan alleen zolang het verslag een concept is.")})
        membership = report.memberships.select_for_update().get(region_id=policy.organisation_of(actor).region_id)
        if membership.joined_at is None:
            membership.joined_at, membership.joined_by = timezone.now(), actor
            membership.save(update_fields=["joined_at", "joined_by"])
        record(actor, action=Action.UPDATE, purpose=Purpose.ACCOUNTABILITY, objects=[report])
    return report


def leave_out(actor: User, *, report: AnnualReport, target: str, reason: str) -> Redaction:
    """Leave a section or a table out of the report, with the reason the report shows (art. 18 lid 1)."""
    with transaction.atomic():
        report = _locked(report)
        policy.require(actor, policy.Action.ANNUAL_REPORT_PREPARE, report)
        errors = {}
        if report.state != states.DRAFT:
            errors["target"] = _("Alleen een concept kan worden geredigeerd; heropen eerst de redactie.")
        if target not in BY_TARGET:
            errors["target"] = _("Kies een hoofdstuk of tabel van het verslag.")
        elif report.redactions.filter(target=target).exists():
            errors["target"] = _("Dit onderdeel is al weggelaten.")
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = _(
                "Geef de reden: waarom zou publicatie de doelen van het casusoverleg in gevaar brengen?"
            )
        elif len(reason) > REASON_LIMIT:
            errors["reason"] = _("Gebruik maximaal %(limit)d tekens.") % {"limit": REASON_LIMIT}
        if errors:
            raise ValidationError(errors)
        redaction = Redaction.objects.create(report=report, target=target, reason=reason, redacted_by=actor)
        record(actor, action=Action.UPDATE, purpose=Purpose.ACCOUNTABILITY, objects=[report])
    return redaction


def put_back(actor: User, *, redaction: Redaction) -> AnnualReport:
    """Undo leaving a part out, while the report is a draft."""
    with transaction.atomic():
        report = _locked(redaction.report)
        policy.require(actor, policy.Action.ANNUAL_REPORT_PREPARE, report)
        if report.state != states.DRAFT:
            raise ValidationError(
                {"target": _("Alleen een concept kan worden geredigeerd; heropen eerst de redactie.")}
            )
        Redaction.objects.filter(pk=redaction.pk, report=report).delete()
        record(actor, action=Action.UPDATE, purpose=Purpose.ACCOUNTABILITY, objects=[report])
    return report


def finish_redaction(actor: User, *, report: AnnualReport) -> AnnualReport:
    """Close the redaction step: the report is ready for the mayor to publish."""
    with transaction.atomic():
        report = _locked(report)
        policy.require(actor, policy.Action.ANNUAL_REPORT_PREPARE, report)
        _move(report, states.REDACTED)
        report.redacted_by, report.redacted_at = actor, timezone.now()
        report.save(update_fields=["state", "redacted_by", "redacted_at"])
        record(actor, action=Action.TRANSITION, purpose=Purpose.ACCOUNTABILITY, objects=[report])
    return report


def reopen_redaction(actor: User, *, report: AnnualReport) -> AnnualReport:
    """Back to the draft, to leave out more or put a part back."""
    with transaction.atomic():
        report = _locked(report)
        policy.require(actor, policy.Action.ANNUAL_REPORT_PREPARE, report)
        _move(report, states.DRAFT)
        report.redacted_by, report.redacted_at = None, None
        report.save(update_fields=["state", "redacted_by", "redacted_at"])
        record(actor, action=Action.TRANSITION, purpose=Purpose.ACCOUNTABILITY, objects=[report])
    return report


def publish(actor: User, *, report: AnnualReport) -> AnnualReport:
    """Publish (art. 18 lid 2): freeze the displayed figures and left-out parts as they are now.

    Only after the year has ended, when every table of a joint report has joined, from the
    redacted state; the snapshot is never written again (the state machine has no way out of
    ``published``)."""
    with transaction.atomic():
        report = _locked(report)
        policy.require(actor, policy.Action.ANNUAL_REPORT_PUBLISH, report)
        _move(report, states.PUBLISHED)
        if timezone.localdate().year <= report.year:
            raise ValidationError(
                {
                    "state": _("Een jaarverslag wordt bekendgemaakt na afloop van het jaar %(year)s.")
                    % {"year": report.year}
                }
            )
        if report.joined_region_ids != report.region_ids:
            raise ValidationError({"state": _("Nog niet alle casustafels van dit gezamenlijke verslag doen mee.")})
        report.snapshot = build_content(report)
        report.published_by, report.published_at = actor, timezone.now()
        report.save(update_fields=["state", "snapshot", "published_by", "published_at"])
        record(actor, action=Action.TRANSITION, purpose=Purpose.ACCOUNTABILITY, objects=[report])
    return report
