"""Reads of information governance, through the access policy; reads of personal data
are logged."""

from __future__ import annotations

from datetime import date

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

from .models import (
    AccessRequest,
    Classification,
    DataCategory,
    LegalBasis,
    LegalBasisSet,
    LegalBasisUse,
    RestrictedDocument,
    WithheldData,
)

# ---------------------------------------------------------------- legal bases and the sharing guide


def current_basis_set(on: date | None = None) -> LegalBasisSet | None:
    """The version of the legal-bases data valid on ``on`` (today): new records resolve
    against it; records keep the version of the basis they were made under."""
    on = on or timezone.localdate()
    return LegalBasisSet.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).order_by("-version").first()


def classification_rules(basis_set: LegalBasisSet | None = None) -> dict:
    """classification → {"guidance": ..., "organisation_kinds": [...]} of the version valid today."""
    basis_set = basis_set or current_basis_set()
    return basis_set.classifications if basis_set else {}


def data_category_rules(basis_set: LegalBasisSet | None = None) -> dict:
    """Wet PGA art. 4 category → {"guidance", "default_visibility", "visibilities", "legal_bases"}
    of the version valid today (empty before the Wet PGA: version 1 has no categories)."""
    basis_set = basis_set or current_basis_set()
    return basis_set.data_categories if basis_set else {}


def default_visibility(data_category: str | None, basis_set: LegalBasisSet | None = None) -> str:
    """Who sees an item of this art. 4 category when its provider does not choose: category h
    (social relations) is narrower by data."""
    rule = data_category_rules(basis_set).get(data_category or "", {})
    return rule.get("default_visibility") or Visibility.ALL_PARTICIPANTS


def available_bases(kind: str, use: str = LegalBasisUse.SHARING) -> list[LegalBasis]:
    """The active bases an organisation of ``kind`` may use (the sharing guide's choices)."""
    return [
        b for b in LegalBasis.objects.filter(use=use, is_active=True).order_by("label") if kind in b.organisation_kinds
    ]


def sharing_guide(kind: str) -> dict:
    """What the intake and contribution forms show: bases with explanation, guidance per
    classification (only those the valid version permits: art. 8), per art. 4 category, and
    what the law refuses."""
    basis_set = current_basis_set()
    rules = classification_rules(basis_set)
    categories = data_category_rules(basis_set)
    classifications = [
        {
            "value": value,
            "label": label,
            "guidance": rules.get(value, {}).get("guidance", ""),
            "available": not rules.get(value, {}).get("organisation_kinds")
            or kind in rules[value]["organisation_kinds"],
        }
        for value, label in Classification.choices
        if value in rules
    ]
    data_categories = [
        {
            "value": value,
            "label": label,
            "guidance": categories[value].get("guidance", ""),
            "narrow": Visibility.ALL_PARTICIPANTS not in categories[value].get("visibilities", []),
        }
        for value, label in DataCategory.choices
        if value in categories
    ]
    refused_rules = basis_set.refused_classifications if basis_set else {}
    refused = [rule.get("label", code) for code, rule in refused_rules.items()]
    return {
        "bases": available_bases(kind),
        "classifications": classifications,
        "data_categories": data_categories,
        "refused": refused,
    }


def shielded_note(item) -> str:
    """The note shown instead of an item the user may not see."""
    origin = getattr(item, "registered_by_organisation", None) or getattr(item, "organisation", None)
    if getattr(item, "data_category", "") == DataCategory.SOCIAL_RELATIONS:
        return _("afgeschermd: gegevens over de sociale omgeving (art. 4 h), beperkt zichtbaar")
    if item.visibility == Visibility.CORE_PARTIES:
        return _("afgeschermd: alleen zichtbaar voor de kernpartners (gemeente, politie, OM)")
    return _("afgeschermd: alleen zichtbaar voor %(org)s en de burgemeester") % {"org": origin}


def mark_visibility(user, items):
    """Set ``shielded`` (and ``shielded_note``) on each signal/contribution for ``user``."""
    for item in items:
        item.shielded = not policy.can(user, policy.Action.ITEM_VIEW, item)
        item.shielded_note = shielded_note(item) if item.shielded else ""
    return items


# ---------------------------------------------------------------- withheld for weighty reasons (art. 4 aanhef)


def withheld_records(user, *, subject_id=None, weighing=None, log: bool = True) -> list[WithheldData]:
    """Records that a participant withholds data (art. 4 aanhef) about a person or in a
    weighing, for the three core parties and the FG (empty for anyone else). Shown rows are logged."""
    target = weighing
    if target is None:
        target = apps.get_model("subjects", "Subject").objects.only("region_id").filter(pk=subject_id).first()
    if target is None or not policy.can(user, policy.Action.WITHHELD_VIEW, target):
        return []
    queryset = WithheldData.objects.filter(region_id=user.organisation.region_id).select_related(
        "organisation", "recorded_by"
    )
    queryset = queryset.filter(weighing=weighing) if weighing is not None else queryset.filter(subject_id=subject_id)
    rows = list(queryset)
    if rows and log:
        purpose = Purpose.WEIGHING if weighing is not None else Purpose.INTAKE
        record(user, action=Action.READ, purpose=purpose, objects=rows)
    return rows


def withheld_in_region(user) -> list[WithheldData]:
    """Every such record of the user's table (the FG's and the core parties' overview); logged."""
    if not policy.can(user, policy.Action.WITHHELD_VIEW):
        return []
    rows = list(
        WithheldData.objects.filter(region_id=user.organisation.region_id).select_related(
            "organisation", "recorded_by", "weighing"
        )
    )
    if rows:
        record(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, objects=rows)
    return rows


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
        .prefetch_related("participants__organisation", "objections", "informing_decisions")
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

    def informing(case):
        # Art. 11 Wet PGA: every decision about informing the person, oldest first.
        return [
            {
                "decided_at": d.decided_at.isoformat(),
                "outcome": d.outcome,
                "informed_on": d.informed_on and d.informed_on.isoformat(),
                "ground": d.ground,
                "motivation": d.motivation,
                "review_on": d.review_on and d.review_on.isoformat(),
            }
            for d in sorted(case.informing_decisions.all(), key=lambda d: d.decided_at)
        ]

    export = {
        "access_request": request.reference,
        "generated_at": timezone.now().isoformat(),
        "exemption_ground": request.exemption_ground,
        "subject": {
            "given_names": subject.given_names,
            "family_name": subject.family_name,
            # A legal person (art. 2) has no date of birth.
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
                    "informing_decisions": informing(c),
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
