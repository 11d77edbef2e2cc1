"""Reads of information governance, through the access policy; reads of personal data
are logged."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.access.policy import Visibility
from casustafel.core.identity import decrypt
from casustafel.processing_log.models import Action, ProcessingLogEntry, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import AccessRequest, Classification, LegalBasis, LegalBasisSet, LegalBasisUse, RestrictedDocument

# ---------------------------------------------------------------- legal bases and the sharing guide


def classification_rules() -> dict:
    """classification → {"guidance": ..., "organisation_kinds": [...]} of the newest data version."""
    basis_set = LegalBasisSet.objects.order_by("-version").first()
    return basis_set.classifications if basis_set else {}


def available_bases(kind: str, use: str = LegalBasisUse.SHARING) -> list[LegalBasis]:
    """The active bases an organisation of ``kind`` may use (the sharing guide's choices)."""
    return [
        b for b in LegalBasis.objects.filter(use=use, is_active=True).order_by("label") if kind in b.organisation_kinds
    ]


def sharing_guide(kind: str) -> dict:
    """What the intake and contribution forms show: bases with explanation, guidance per classification."""
    rules = classification_rules()
    classifications = [
        {
            "value": value,
            "label": label,
            "guidance": rules.get(value, {}).get("guidance", ""),
            "available": not rules.get(value, {}).get("organisation_kinds")
            or kind in rules[value]["organisation_kinds"],
        }
        for value, label in Classification.choices
    ]
    return {"bases": available_bases(kind), "classifications": classifications}


def shielded_note(item) -> str:
    """The note shown instead of an item the user may not see."""
    origin = getattr(item, "registered_by_organisation", None) or getattr(item, "organisation", None)
    if item.visibility == Visibility.CORE_PARTIES:
        return _("afgeschermd: alleen zichtbaar voor de kernpartners (gemeente, politie, OM)")
    return _("afgeschermd: alleen zichtbaar voor %(org)s en de burgemeester") % {"org": origin}


def mark_visibility(user, items):
    """Set ``shielded`` (and ``shielded_note``) on each signal/contribution for ``user``."""
    for item in items:
        item.shielded = not policy.can(user, policy.Action.ITEM_VIEW, item)
        item.shielded_note = shielded_note(item) if item.shielded else ""
    return items


# ---------------------------------------------------------------- ambtsberichten


def readable_documents(user):
    return policy.scope_restricted_documents(
        user, RestrictedDocument.objects.select_related("case", "subject", "released_by")
    ).distinct()


def get_document(user, pk) -> RestrictedDocument:
    """An ambtsbericht whose content ``user`` may read, else "not found". Reading is logged."""
    try:
        document = readable_documents(user).get(pk=pk)
        if not policy.can(user, policy.Action.RESTRICTED_READ, document):
            raise RestrictedDocument.DoesNotExist
    except (RestrictedDocument.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=RestrictedDocument, pk=pk)
        raise Http404 from None
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[document])
    document.content = decrypt(document.content_encrypted)
    return document


def documents_for_table(*, region_id, subject_id=None, case=None) -> list[RestrictedDocument]:
    """What the table sees: that an ambtsbericht exists and the released summary (never content)."""
    condition = Q(subject_id=subject_id) if subject_id else Q(pk__in=[])
    if case is not None:
        condition |= Q(case=case) | Q(subject_id=case.subject_id)
    return list(
        RestrictedDocument.objects.filter(condition, region_id=region_id)
        .only("id", "reference", "received_at", "released_summary", "released_at")
        .order_by("received_at")
    )


# ---------------------------------------------------------------- access requests


def visible_access_requests(user):
    if not policy.can(user, policy.Action.ACCESS_REQUEST_HANDLE):
        return AccessRequest.objects.none()
    return AccessRequest.objects.filter(region_id=user.organisation.region_id).select_related("subject")


def get_access_request(user, pk) -> AccessRequest:
    try:
        return visible_access_requests(user).get(pk=pk)
    except (AccessRequest.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, model=AccessRequest, pk=pk)
        raise Http404 from None


def _withheld(reference, request):
    return {"reference": str(reference), "withheld": True, "ground": request.exemption_ground}


def _provenance(item) -> dict:
    return {
        "organisation": str(getattr(item, "registered_by_organisation", None) or item.organisation),
        "legal_basis": item.legal_basis.label if item.legal_basis_id else None,
        "classification": item.classification,
        "visibility": item.visibility,
    }


def access_request_export(user, request: AccessRequest) -> dict:
    """The data of the person of ``request`` and who processed it, within the request's region.

    Items listed in the request's exemption are replaced by a "withheld" marker with the
    ground; AIVD ambtsberichten are always withheld (their content is not the table's).
    The export itself is logged as a read per exported item under the FG's supervision
    activity (the processing log has no separate export action yet).
    """
    # Models by label: the export reads every app's records of the person, and those apps
    # record provenance through governance (which therefore imports none of them).
    Case = apps.get_model("cases", "Case")
    Signal = apps.get_model("signals", "Signal")
    Contribution = apps.get_model("weighing", "Contribution")
    Decision = apps.get_model("weighing", "Decision")

    request = get_access_request(user, request.pk)
    subject, region_id = request.subject, request.region_id
    exempt = set(request.exempted_references)
    signals = list(
        Signal.objects.filter(subject=subject, region_id=region_id)
        .select_related("legal_basis", "registered_by_organisation")
        .order_by("registered_at")
    )
    contributions = list(
        Contribution.objects.filter(weighing__subject=subject, weighing__region_id=region_id)
        .select_related("legal_basis", "organisation", "weighing")
        .order_by("updated_at")
    )
    decisions = list(
        Decision.objects.filter(weighing__subject=subject, weighing__region_id=region_id)
        .select_related("weighing")
        .order_by("decided_at")
    )
    cases = list(
        Case.objects.filter(subject=subject, region_id=region_id)
        .prefetch_related("participants__organisation", "objections")
        .select_related("transparency")
        .order_by("opened_at")
    )
    documents = list(RestrictedDocument.objects.filter(subject=subject, region_id=region_id))
    log = list(
        ProcessingLogEntry.objects.filter(data_subject_id=subject.pk)
        .select_related("audit_record__organisation")
        .order_by("timestamp", "id")
    )

    def item(reference, data):
        return _withheld(reference, request) if str(reference) in exempt else {"reference": str(reference), **data}

    def transparency(case):
        t = getattr(case, "transparency", None)
        if t is None:
            return None
        return {
            "informed": t.informed,
            "informed_at": t.informed_at and t.informed_at.isoformat(),
            "not_informed_reason": t.not_informed_reason,
            "review_on": t.review_on and t.review_on.isoformat(),
        }

    export = {
        "access_request": request.reference,
        "generated_at": timezone.now().isoformat(),
        "exemption_ground": request.exemption_ground,
        "subject": {
            "given_names": subject.given_names,
            "family_name": subject.family_name,
            "date_of_birth": subject.date_of_birth.isoformat() if subject.date_of_birth else None,
            "gender": subject.gender,
            "municipality": subject.municipality,
            "bsn": subject.masked_bsn,
        },
        "signals": [
            item(
                s.reference,
                {
                    "registered_at": s.registered_at.isoformat(),
                    "status": s.status,
                    "source_type": s.source_type,
                    "phenomenon": s.phenomenon,
                    "facts": s.facts,
                    "opinions": s.opinions,
                    "counter_indications": s.counter_indications,
                    "provenance": _provenance(s),
                },
            )
            for s in signals
        ],
        "weighing_contributions": [
            item(
                c.pk,
                {
                    "weighing": c.weighing.reference,
                    "party": c.party,
                    "updated_at": c.updated_at.isoformat(),
                    "holds_information": c.holds_information,
                    "information": c.information,
                    "view": c.view,
                    "view_rationale": c.view_rationale,
                    "provenance": _provenance(c),
                },
            )
            for c in contributions
        ],
        "decisions": [
            item(
                d.pk,
                {
                    "weighing": d.weighing.reference,
                    "outcome": d.outcome,
                    "rationale": d.rationale,
                    "decided_at": d.decided_at.isoformat(),
                },
            )
            for d in decisions
        ],
        "cases": [
            item(
                c.reference,
                {
                    "status": c.status,
                    "opened_at": c.opened_at.isoformat(),
                    "closure_reason": c.closure_reason,
                    "participants": [p.organisation.name for p in c.participants.all()],
                    "transparency": transparency(c),
                    "objections": [
                        {"received_on": o.received_on.isoformat(), "status": o.status, "outcome": o.outcome}
                        for o in c.objections.all()
                    ],
                },
            )
            for c in cases
        ],
        "restricted_documents": [
            {
                "reference": d.reference,
                "withheld": True,
                "ground": _(
                    "AIVD-ambtsbericht: inzage alleen via de AIVD (Wet op de inlichtingen- en veiligheidsdiensten 2017)"
                ),
            }
            for d in documents
        ],
        "processing_log": [
            {
                "timestamp": e.timestamp.isoformat(),
                "organisation": e.audit_record.organisation.name if e.audit_record.organisation else None,
                "action": e.get_action_display(),
                "activity": e.get_purpose_display(),
                "object_type": e.object_type,
            }
            for e in log
        ],
    }
    # Log the export: one row per exported (not withheld) item, as the FG's supervision activity.
    record(
        user,
        action=Action.EXPORT,
        purpose=Purpose.PRIVACY_SUPERVISION,
        objects=[subject, request]
        + [s for s in signals if s.reference not in exempt]
        + [c for c in contributions if str(c.pk) not in exempt]
        + [d for d in decisions if str(d.pk) not in exempt]
        + [c for c in cases if c.reference not in exempt],
    )
    AccessRequest.objects.filter(pk=request.pk).update(exported_at=timezone.now())
    return export
