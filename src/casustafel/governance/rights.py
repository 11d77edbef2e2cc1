"""The coordinating privacy officer, the contact point and the data subject's rights requests
(Wet PGA art. 12 with AVG art. 12 lid 3, 15-18 and 21; ADR 0031).

* Wet PGA art. 12 lid 2 — the participants designate one of the FGs of the participating public
  bodies as coordinating FG of the casusoverleg. Per table one ``RegionPrivacySettings`` row names
  them. Any FG of a public participant of the table may designate at first; once designated, only
  the coordinating FG changes it (or anyone eligible when they no longer qualify: left, other role,
  other organisation) — ``policy.Action.PRIVACY_COORDINATION_SET``.
* art. 12 lid 4 b — the AMvB will name the contact point for the data subject; until then it is
  free text per table (name, address, e-mail or telephone), with the pending AMvB point shown.
* AVG art. 12 lid 3 — a request under art. 15 (access), 16 (rectification), 17 (erasure),
  18 (restriction) or 21 (objection) is answered within a month of receipt; the term may be
  extended once by at most two months, with a reason, told to the person within the first month.
  ``RightsRequest`` tracks each to its answer (who, when, outcome). The inzage export stays with
  ``AccessRequest``; this register holds the deadline of every kind, access included.

Reads and writes are logged (purpose: supervision by the FG).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import LegalBasisSet, RegionPrivacySettings, RightsRequest, RightsRequestKind

if TYPE_CHECKING:
    from casustafel.accounts.models import User
    from casustafel.subjects.models import Subject

#: AVG art. 12 lid 3: a month to answer, extendable by at most two more.
ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


def add_months(day: date, months: int) -> date:
    """``months`` calendar months after ``day``; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- coordinating FG and contact point


def privacy_settings(user: Any) -> RegionPrivacySettings | None:
    """The settings of the user's table (None when not yet set), read by the region's FGs; logged."""
    if not policy.can(user, policy.Action.RIGHTS_REQUEST_HANDLE):
        return None
    row = (
        RegionPrivacySettings.objects.select_related("coordinating_officer__organisation", "updated_by")
        .filter(region_id=user.organisation.region_id)
        .first()
    )
    if row is not None:
        record(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, objects=[row])
    return row


def is_coordinating_officer(user: Any) -> bool:
    """Whether ``user`` is the designated coordinating FG of their table (still qualifying)."""
    if not policy.can(user, policy.Action.RIGHTS_REQUEST_HANDLE):
        return False
    region_id = user.organisation.region_id
    return RegionPrivacySettings.objects.filter(
        region_id=region_id, coordinating_officer_id=user.pk
    ).exists() and policy.may_coordinate_privacy(user, region_id)


def pending_amvb() -> list[dict]:
    """What the AMvB of Wet PGA art. 12 lid 4 must still settle, from the newest legal-bases version."""
    basis_set = LegalBasisSet.objects.exclude(pending_amvb=[]).order_by("-version").first()
    if basis_set is None:
        return []
    return [point for point in basis_set.pending_amvb if str(point.get("article", "")).startswith("art. 12")]


@transaction.atomic
def set_privacy_coordination(
    actor: User, *, coordinating_officer: User | None, contact_point: str
) -> RegionPrivacySettings:
    """Designate the table's coordinating FG (Wet PGA art. 12 lid 2) and set the contact point for
    the data subject (lid 4 b, until the AMvB names it). The row is locked: two FGs setting it at
    once are serialised, the second judged against the first's designation."""
    organisation = policy.organisation_of(actor)
    region_id = organisation.region_id
    row = RegionPrivacySettings.objects.select_for_update().filter(region_id=region_id).first()
    if row is not None:
        row = RegionPrivacySettings.objects.select_related("coordinating_officer__organisation").get(pk=row.pk)
    policy.require(actor, policy.Action.PRIVACY_COORDINATION_SET, row)
    errors: dict[str, Any] = {}
    if coordinating_officer is None:
        errors["coordinating_officer"] = _("Kies de coördinerend functionaris voor gegevensbescherming.")
    elif not policy.may_coordinate_privacy(coordinating_officer, region_id):
        errors["coordinating_officer"] = _(
            "Kies een functionaris voor gegevensbescherming van een deelnemende overheidsinstantie van deze "
            "casustafel (art. 12 lid 2 Wet PGA)."
        )
    contact_point = (contact_point or "").strip()
    if not contact_point:
        errors["contact_point"] = _(
            "Vul het contactpunt voor betrokkenen in: naam, adres en e-mailadres of telefoonnummer."
        )
    if errors:
        raise ValidationError(errors)
    if row is None:
        row = RegionPrivacySettings.objects.create(
            region_id=region_id,
            coordinating_officer=coordinating_officer,
            contact_point=contact_point,
            updated_by=actor,
        )
        record(actor, action=Action.CREATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[row])
        return row
    row.coordinating_officer = coordinating_officer
    row.contact_point = contact_point
    row.updated_by = actor
    row.save(update_fields=["coordinating_officer", "contact_point", "updated_by", "updated_at"])
    record(actor, action=Action.UPDATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[row])
    return row


# ---------------------------------------------------------------- rights requests: reads


@dataclass(frozen=True)
class OpenRequest:
    """An open request with whether its deadline (the extended one when extended) has passed."""

    request: RightsRequest
    overdue: bool


def open_requests(user: Any, *, today: date | None = None, log: bool = True) -> list[OpenRequest]:
    """The table's open requests, earliest deadline first, overdue ones marked; logged."""
    if not policy.can(user, policy.Action.RIGHTS_REQUEST_HANDLE):
        return []
    today = today or timezone.localdate()
    rows = sorted(
        RightsRequest.objects.filter(region_id=user.organisation.region_id, status=RightsRequest.OPEN),
        key=lambda r: (r.due_on, r.received_on),
    )
    if rows and log:
        record(user, action=Action.LIST, purpose=Purpose.PRIVACY_SUPERVISION, objects=rows)
    return [OpenRequest(request=row, overdue=row.due_on < today) for row in rows]


def answered_requests(user: Any, *, limit: int = 50) -> Sequence[RightsRequest]:
    """The table's answered requests, newest answer first (who answered, when); logged."""
    if not policy.can(user, policy.Action.RIGHTS_REQUEST_HANDLE):
        return []
    rows = list(
        RightsRequest.objects.filter(region_id=user.organisation.region_id, status=RightsRequest.ANSWERED)
        .select_related("answered_by")
        .order_by("-answered_on", "-registered_at")[:limit]
    )
    if rows:
        record(user, action=Action.LIST, purpose=Purpose.PRIVACY_SUPERVISION, objects=rows)
    return rows


def coordinator_work(user: Any) -> list[OpenRequest]:
    """The dashboard of the coordinating FG: the table's open requests (others: nothing)."""
    return open_requests(user) if is_coordinating_officer(user) else []


def get_rights_request(user: Any, pk: Any) -> RightsRequest:
    """A request of the FG's table (404 otherwise, the refusal logged)."""
    try:
        row = RightsRequest.objects.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        row = None
    if row is None or not policy.can(user, policy.Action.RIGHTS_REQUEST_HANDLE, row):
        record_refused(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, model=RightsRequest, pk=pk)
        raise Http404
    record(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, objects=[row])
    return row


# ---------------------------------------------------------------- rights requests: writes


@transaction.atomic
def register_rights_request(
    actor: User,
    *,
    kind: str,
    received_on: date | None,
    summary: str,
    subject: Subject | None = None,
    today: date | None = None,
) -> RightsRequest:
    """Register a request of AVG art. 15-18 or 21 at the actor's table; its deadline is a month
    after receipt (AVG art. 12 lid 3)."""
    policy.require(actor, policy.Action.RIGHTS_REQUEST_HANDLE)
    region_id = policy.organisation_of(actor).region_id
    today = today or timezone.localdate()
    errors: dict[str, Any] = {}
    if kind not in RightsRequestKind.values:
        errors["kind"] = _("Kies het soort verzoek.")
    if received_on is None:
        errors["received_on"] = _("Vul de datum van ontvangst in.")
    elif received_on > today:
        errors["received_on"] = _("De datum van ontvangst ligt in de toekomst.")
    if not (summary or "").strip():
        errors["summary"] = _("Vat het verzoek kort samen, zonder onnodige persoonsgegevens.")
    if subject is not None and subject.region_id != region_id:
        errors["subject"] = _("Deze persoon is bij deze casustafel niet bekend.")
    if errors or received_on is None:
        raise ValidationError(errors)
    row = RightsRequest.objects.create(
        region_id=region_id,
        kind=kind,
        received_on=received_on,
        subject=subject,
        summary=summary.strip(),
        deadline=add_months(received_on, ANSWER_MONTHS),
        registered_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[row])
    return row


@transaction.atomic
def extend_rights_request(
    actor: User, *, request: RightsRequest, extended_to: date | None, reason: str, today: date | None = None
) -> RightsRequest:
    """Extend the deadline once, by at most two months, with a reason (AVG art. 12 lid 3 second
    and third sentence): decided within the first month, while the request is open."""
    row = RightsRequest.objects.select_for_update().get(pk=request.pk)
    policy.require(actor, policy.Action.RIGHTS_REQUEST_HANDLE, row)
    today = today or timezone.localdate()
    if row.status != RightsRequest.OPEN:
        raise ValidationError({"extended_to": _("Dit verzoek is al beantwoord.")})
    if row.extended_deadline is not None:
        raise ValidationError(
            {
                "extended_to": _("De termijn is al eenmaal verlengd, tot %(date)s (art. 12 lid 3 AVG).")
                % {"date": row.extended_deadline.strftime("%d-%m-%Y")}
            }
        )
    errors: dict[str, Any] = {}
    latest = add_months(row.deadline, MAX_EXTENSION_MONTHS)
    if extended_to is None:
        errors["extended_to"] = _("Vul de nieuwe uiterste antwoorddatum in.")
    elif extended_to <= row.deadline:
        errors["extended_to"] = _("De nieuwe datum ligt niet na de huidige termijn.")
    elif extended_to > latest:
        errors["extended_to"] = _(
            "De termijn kan met ten hoogste twee maanden worden verlengd, tot uiterlijk %(date)s (art. 12 lid 3 AVG)."
        ) % {"date": latest.strftime("%d-%m-%Y")}
    if today > row.deadline:
        errors["extended_to"] = _(
            "Verlengen kan alleen binnen een maand na ontvangst: de betrokkene wordt binnen die termijn "
            "over de verlenging geïnformeerd (art. 12 lid 3 AVG)."
        )
    if not (reason or "").strip():
        errors["reason"] = _("Geef de reden van de verlenging (complexiteit of aantal verzoeken).")
    if errors:
        raise ValidationError(errors)
    row.extended_deadline = extended_to
    row.extension_reason = reason.strip()
    row.save(update_fields=["extended_deadline", "extension_reason"])
    record(actor, action=Action.UPDATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[row])
    return row


@transaction.atomic
def answer_rights_request(
    actor: User, *, request: RightsRequest, answered_on: date | None, outcome: str, today: date | None = None
) -> RightsRequest:
    """Record that the request was answered: when, by whom, with which outcome. Once."""
    row = RightsRequest.objects.select_for_update().get(pk=request.pk)
    policy.require(actor, policy.Action.RIGHTS_REQUEST_HANDLE, row)
    today = today or timezone.localdate()
    if row.status != RightsRequest.OPEN:
        raise ValidationError({"answered_on": _("Dit verzoek is al beantwoord.")})
    errors: dict[str, Any] = {}
    if answered_on is None:
        errors["answered_on"] = _("Vul de datum van het antwoord in.")
    elif answered_on < row.received_on:
        errors["answered_on"] = _("Het antwoord kan niet vóór de ontvangst van het verzoek zijn gegeven.")
    elif answered_on > today:
        errors["answered_on"] = _("De datum van het antwoord ligt in de toekomst.")
    if not (outcome or "").strip():
        errors["outcome"] = _("Beschrijf de uitkomst: wat is de betrokkene geantwoord?")
    if errors:
        raise ValidationError(errors)
    row.status = RightsRequest.ANSWERED
    row.answered_on = answered_on
    row.answered_by = actor
    row.outcome = outcome.strip()
    row.save(update_fields=["status", "answered_on", "answered_by", "outcome"])
    record(actor, action=Action.UPDATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[row])
    return row
