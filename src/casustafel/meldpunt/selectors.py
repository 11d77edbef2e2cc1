"""Reads of the meldpunt: the public pages' region and gemeenten (no personal data), and the
meldingen for the region's signal workers, through the access policy and logged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404

from casustafel.access import policy
from casustafel.accounts.models import Organisation, OrganisationKind, Region
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import GemeenteMeldpunt, PublicReport


def public_region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def gemeenten(region: Region) -> list[Organisation]:
    """The gemeenten of the region a melding can be addressed to (their burgemeester)."""
    return list(Organisation.objects.filter(region=region, kind=OrganisationKind.GEMEENTE).order_by("name"))


def gemeente_pages(region: Region) -> dict[Any, GemeenteMeldpunt]:
    """Each gemeente's own meldpunt page (intro, contact, web address) by organisation id."""
    return {page.organisation_id: page for page in GemeenteMeldpunt.objects.filter(region=region)}


def gemeente_page(region: Region, code: str) -> GemeenteMeldpunt:
    page = GemeenteMeldpunt.objects.filter(region=region, code=code).select_related("organisation").first()
    if page is None:
        raise Http404
    return page


def visible_reports(user: Any) -> QuerySet:
    if not policy.can(user, policy.Action.MELDPUNT_REPORT_VIEW):
        return PublicReport.objects.none()
    return (
        PublicReport.objects.filter(region_id=user.organisation.region_id)
        .select_related("organisation")
        .annotate(addition_count=Count("additions"))
        .order_by("-received_at", "pk")
    )


def get_report(user: Any, pk: Any) -> PublicReport:
    """The melding if ``user`` may see it (logged as a read), else "not found"."""
    try:
        report = visible_reports(user).get(pk=pk)
    except (PublicReport.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, action=Action.READ, purpose=Purpose.INTAKE, model=PublicReport, pk=pk)
        raise Http404 from None
    record(user, action=Action.READ, purpose=Purpose.INTAKE, objects=[report])
    return report


def log_listed(user: Any, reports: Any) -> None:
    record(user, action=Action.LIST, purpose=Purpose.INTAKE, objects=list(reports))
