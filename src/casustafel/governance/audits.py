"""Privacy audits, Wet PGA art. 16 (ADR 0026).

* lid 1 — the casusoverleg has the execution of the law and the AVG checked by periodic privacy
  audits. The region's privacy officer (FG) records each audit: date, scope, auditor, and a result
  per part. The parts are data (``data/audit_parts_v*.json``, the version valid on the audit's
  date); until the AMvB of lid 5 settles content and method, the table sets them. An audit
  without any result is refused.
* lid 2 — a copy of the results goes to the Autoriteit Persoonsgegevens: the FG records the date.
* lid 3 — a part that failed is re-audited within a year; the results of that re-audit go to the
  AP too (lid 2 applies). Every failed part gets a due date; it stays in the FG's work until a
  later audit has a result for that part (a failing re-audit schedules the next one).

Audits hold no personal data of the persons in a PGA; the auditor is named, so reads and writes
are logged like any other (purpose: supervision by the FG).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import Region
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import AuditPartResult, PrivacyAudit

if TYPE_CHECKING:
    from casustafel.accounts.models import User

DATA_DIR = Path(__file__).resolve().parent / "data"


# ---------------------------------------------------------------- the parts, as data


@dataclass(frozen=True)
class AuditParts:
    """One version of the audit parts file."""

    version: int
    valid_from: date
    reaudit_within_years: int
    parts: tuple[tuple[str, str, str], ...]  # (code, label, articles)
    pending_amvb: dict

    @property
    def codes(self) -> list[str]:
        return [code for code, _label, _articles in self.parts]

    def label(self, code: str) -> str:
        return next((f"{label} ({articles})" for c, label, articles in self.parts if c == code), code)


@cache
def parts_versions() -> tuple[AuditParts, ...]:
    """Every version of the parts file, oldest first."""
    versions = []
    for path in sorted(DATA_DIR.glob("audit_parts_v*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        versions.append(
            AuditParts(
                version=int(spec["version"]),
                valid_from=date.fromisoformat(spec["valid_from"]),
                reaudit_within_years=int(spec["reaudit_within_years"]),
                parts=tuple((p["code"], p["label"], p["articles"]) for p in spec["parts"]),
                pending_amvb=spec.get("pending_amvb", {}),
            )
        )
    return tuple(sorted(versions, key=lambda v: v.version))


def parts_valid_on(day: date) -> AuditParts | None:
    """The version an audit on ``day`` uses: the newest that was valid then (None before the first)."""
    valid = [v for v in parts_versions() if v.valid_from <= day]
    return max(valid, key=lambda v: v.valid_from) if valid else None


def parts_version(version: int) -> AuditParts | None:
    return next((v for v in parts_versions() if v.version == version), None)


def reaudit_due(audited_on: date, years: int) -> date:
    """``years`` after ``audited_on`` (art. 16 lid 3: "binnen een jaar"); 29 February → 28 February."""
    try:
        return audited_on.replace(year=audited_on.year + years)
    except ValueError:
        return audited_on.replace(year=audited_on.year + years, day=28)


def _label(result: AuditPartResult, version: int) -> str:
    parts = parts_version(version)
    return parts.label(result.part) if parts else result.part


# ---------------------------------------------------------------- reads


def audits_in_region(user: Any) -> Sequence[PrivacyAudit]:
    """The audits of the FG's table, newest first, with ``result_count`` and ``failed_count``;
    logged when any are shown."""
    if not policy.can(user, policy.Action.AUDIT_MANAGE):
        return []
    rows = list(
        PrivacyAudit.objects.filter(region_id=user.organisation.region_id).annotate(
            result_count=Count("results"), failed_count=Count("results", filter=Q(results__passed=False))
        )
    )
    if rows:
        record(user, action=Action.LIST, purpose=Purpose.PRIVACY_SUPERVISION, objects=rows)
    return rows


def get_audit(user: Any, pk: Any, *, via_api: bool = False) -> PrivacyAudit:
    """An audit of the FG's table with its results labelled (404 otherwise, the refusal logged)."""
    try:
        audit = PrivacyAudit.objects.select_related("recorded_by", "sent_to_ap_by").filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        audit = None
    if audit is None or not policy.can(user, policy.Action.AUDIT_MANAGE, audit):
        record_refused(
            user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, model=PrivacyAudit, pk=pk, via_api=via_api
        )
        raise Http404
    record(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, objects=[audit], via_api=via_api)
    return audit


def labelled_results(audit: PrivacyAudit) -> list[tuple[AuditPartResult, str]]:
    """The results of an audit (read through :func:`get_audit`) with the label of their part."""
    results = audit.results.select_related("reaudit_of__audit").order_by("part")
    return [(result, _label(result, audit.parts_version)) for result in results]


def _later_result() -> Exists:
    """A result for the same part of the same table in a later audit (by date, then by recording)."""
    return Exists(
        AuditPartResult.objects.filter(audit__region_id=OuterRef("audit__region_id"), part=OuterRef("part")).filter(
            Q(audit__audited_on__gt=OuterRef("audit__audited_on"))
            | Q(audit__audited_on=OuterRef("audit__audited_on"), audit__recorded_at__gt=OuterRef("audit__recorded_at"))
        )
    )


@dataclass(frozen=True)
class OpenReaudit:
    """A failed part awaiting its re-audit: the result, its part's label, whether it is overdue."""

    result: AuditPartResult
    label: str
    overdue: bool


def open_reaudits(user: Any, *, today: date | None = None, log: bool = True) -> list[OpenReaudit]:
    """Failed parts awaiting their re-audit (art. 16 lid 3), earliest due first. Gone once a
    later audit has a result for the part (a failing one schedules the next re-audit)."""
    if not policy.can(user, policy.Action.AUDIT_MANAGE):
        return []
    today = today or timezone.localdate()
    rows = list(
        AuditPartResult.objects.filter(audit__region_id=user.organisation.region_id, passed=False)
        .filter(~_later_result())
        .select_related("audit")
        .order_by("reaudit_due_on", "part")
    )
    if rows and log:
        record(user, action=Action.LIST, purpose=Purpose.PRIVACY_SUPERVISION, objects=rows)
    return [
        OpenReaudit(
            result=row,
            label=_label(row, row.audit.parts_version),
            overdue=row.reaudit_due_on is not None and row.reaudit_due_on < today,
        )
        for row in rows
    ]


def unsent_audits(user: Any) -> list[PrivacyAudit]:
    """Audits whose results have not yet been sent to the Autoriteit Persoonsgegevens (art. 16 lid 2)."""
    if not policy.can(user, policy.Action.AUDIT_MANAGE):
        return []
    rows = list(
        PrivacyAudit.objects.filter(region_id=user.organisation.region_id, sent_to_ap_on__isnull=True).order_by(
            "audited_on"
        )
    )
    if rows:
        record(user, action=Action.LIST, purpose=Purpose.PRIVACY_SUPERVISION, objects=rows)
    return rows


# ---------------------------------------------------------------- writes


def _audit_errors(
    audited_on: date | None, scope: str, auditor: str, results: list[dict], today: date
) -> tuple[dict, AuditParts | None]:
    errors: dict[str, Any] = {}
    parts = None
    if audited_on is None:
        errors["audited_on"] = _("Vul de datum van de audit in.")
    elif audited_on > today:
        errors["audited_on"] = _("Leg een audit vast die is uitgevoerd: de datum ligt in de toekomst.")
    else:
        parts = parts_valid_on(audited_on)
        if parts is None:
            errors["audited_on"] = _(
                "Privacy-audits op grond van art. 16 Wet PGA worden vastgelegd vanaf %(date)s."
            ) % {"date": min(v.valid_from for v in parts_versions()).strftime("%d-%m-%Y")}
    if not (scope or "").strip():
        errors["scope"] = _("Beschrijf de reikwijdte van de audit.")
    if not (auditor or "").strip():
        errors["auditor"] = _("Vul in wie de audit heeft uitgevoerd (persoon of organisatie).")
    if not results:
        errors["results"] = _(
            "Een audit zonder resultaat wordt niet vastgelegd: geef voor ten minste één onderdeel aan of "
            "het voldoet (art. 16 Wet PGA)."
        )
    elif parts is not None:
        codes = [r.get("part") for r in results]
        if len(set(codes)) != len(codes):
            errors["results"] = _("Geef per onderdeel één resultaat.")
        elif not set(codes) <= set(parts.codes):
            errors["results"] = _("Kies onderdelen uit de lijst die op de datum van de audit gold.")
        else:
            for result in results:
                if not result.get("passed") and not (result.get("note") or "").strip():
                    errors[f"note_{result['part']}"] = _(
                        "Licht toe waarom dit onderdeel niet voldoet: de hercontrole (art. 16 lid 3) bouwt erop voort."
                    )
    return errors, parts


@transaction.atomic
def record_audit(
    actor: User, *, audited_on: date | None, scope: str, auditor: str, results: list[dict], today: date | None = None
) -> PrivacyAudit:
    """Record a privacy audit of the actor's table (art. 16 lid 1) with ``results``: a list of
    ``{"part": code, "passed": bool, "note": str}``. Each failed part gets its re-audit due date
    (lid 3) and, when it re-audits an open failed part, points to that result."""
    policy.require(actor, policy.Action.AUDIT_MANAGE)
    organisation = policy.organisation_of(actor)
    # One audit of a table at a time: which result a new one re-audits depends on the others.
    Region.objects.select_for_update().get(pk=organisation.region_id)
    errors, parts = _audit_errors(audited_on, scope, auditor, results, today or timezone.localdate())
    if errors or parts is None or audited_on is None:
        raise ValidationError(errors)
    audit = PrivacyAudit.objects.create(
        region_id=organisation.region_id,
        audited_on=audited_on,
        scope=scope.strip(),
        auditor=auditor.strip(),
        parts_version=parts.version,
        recorded_by=actor,
    )
    created = []
    for result in sorted(results, key=lambda r: parts.codes.index(r["part"])):
        previous = (
            AuditPartResult.objects.filter(
                audit__region_id=organisation.region_id, part=result["part"], audit__audited_on__lte=audited_on
            )
            .exclude(audit=audit)
            .order_by("-audit__audited_on", "-audit__recorded_at")
            .first()
        )
        passed = bool(result["passed"])
        created.append(
            AuditPartResult.objects.create(
                audit=audit,
                part=result["part"],
                passed=passed,
                note=(result.get("note") or "").strip(),
                reaudit_due_on=None if passed else reaudit_due(audited_on, parts.reaudit_within_years),
                reaudit_of=previous if previous is not None and not previous.passed else None,
            )
        )
    record(actor, action=Action.CREATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[audit, *created])
    return audit


@transaction.atomic
def mark_sent_to_ap(
    actor: User, *, audit: PrivacyAudit, sent_on: date | None, today: date | None = None
) -> PrivacyAudit:
    """Record that a copy of the audit's results was sent to the Autoriteit Persoonsgegevens
    (art. 16 lid 2; for a re-audit lid 3 second sentence). Once: the date is a fact."""
    audit = PrivacyAudit.objects.select_for_update().get(pk=audit.pk)
    policy.require(actor, policy.Action.AUDIT_MANAGE, audit)
    today = today or timezone.localdate()
    if audit.sent_to_ap_on is not None:
        raise ValidationError(
            {
                "sent_on": _("Al vastgelegd: verzonden aan de Autoriteit Persoonsgegevens op %(date)s.")
                % {"date": audit.sent_to_ap_on.strftime("%d-%m-%Y")}
            }
        )
    if sent_on is None:
        raise ValidationError({"sent_on": _("Vul de datum van verzending in.")})
    if sent_on < audit.audited_on:
        raise ValidationError({"sent_on": _("De resultaten kunnen niet vóór de audit zijn verzonden.")})
    if sent_on > today:
        raise ValidationError({"sent_on": _("De datum van verzending ligt in de toekomst.")})
    audit.sent_to_ap_on = sent_on
    audit.sent_to_ap_by = actor
    audit.save(update_fields=["sent_to_ap_on", "sent_to_ap_by"])
    record(actor, action=Action.UPDATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[audit])
    return audit
