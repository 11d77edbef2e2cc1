"""Writes of the integral weighing: attach signals, contributions, the joint decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import OrganisationKind
from casustafel.governance import services as governance
from casustafel.governance.models import DataCategory
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from . import states
from .models import WEIGHING_PARTIES, Contribution, CriteriaFramework, CriterionAssessment, Decision, Outcome, Weighing


def active_framework(region) -> CriteriaFramework:
    """The region's own active framework, else the national one."""
    framework = (
        CriteriaFramework.objects.filter(is_active=True, region=region).order_by("-version").first()
        or CriteriaFramework.objects.filter(is_active=True, region__isnull=True).order_by("-version").first()
    )
    if framework is None:
        raise ValidationError(_("Er is geen actief wegingskader ingesteld."), code="no_framework")
    return framework


if TYPE_CHECKING:
    from casustafel.accounts.models import User


def open_weighing_for(subject: Any) -> Weighing | None:
    return Weighing.objects.filter(subject=subject, status__in=states.OPEN_STATES).first()


def attach_signal(actor: User, *, signal: Any) -> Weighing:
    """Join the person's open weighing or open one (called inside the signal's transaction)."""
    now = timezone.now()
    weighing = (
        Weighing.objects.select_for_update()
        .filter(subject_id=signal.subject_id)
        .filter(status__in=states.OPEN_STATES)
        .first()
    )
    if weighing is None:
        weighing = Weighing.objects.create(
            region_id=signal.region_id,
            subject_id=signal.subject_id,
            framework=active_framework(signal.region),
            signals_changed_at=now,
        )
        record(actor, action=Action.CREATE, purpose=Purpose.WEIGHING, objects=[weighing])
    else:
        if weighing.status != states.OPEN:
            states.WEIGHING_MACHINE.check(weighing.status, states.OPEN)
        weighing.signals_changed_at = now
        weighing.status = states.OPEN
        weighing.save(update_fields=["signals_changed_at", "status"])
        record(actor, action=Action.UPDATE, purpose=Purpose.WEIGHING, objects=[weighing])
    signal.weighing = weighing
    signal.save(update_fields=["weighing"])
    return weighing


def missing_parties(weighing: Weighing, contributions=None) -> list[str]:
    """Parties whose contribution is absent or older than the latest signal."""
    contributions = weighing.contributions.all() if contributions is None else contributions
    fresh = {c.party for c in contributions if c.updated_at >= weighing.signals_changed_at}
    return [str(OrganisationKind(p).label) for p in WEIGHING_PARTIES if p not in fresh]


@dataclass
class ContributionData:
    holds_information: bool
    information: str
    view: str
    view_rationale: str
    #: criterion code → (assessment, reasons)
    assessments: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Provenance: the legal basis (LegalBasis or its code), classification and who may see it.
    legal_basis: object = None
    classification: str = "ordinary"
    #: Empty: the art. 4 category decides (h, social relations: narrower than all participants).
    visibility: str = ""
    #: Wet PGA art. 4 category (a–h).
    data_category: str = "signals"


@transaction.atomic
def submit_contribution(actor: User, *, weighing: Weighing, data: ContributionData) -> Contribution:
    """Record (or renew) the actor's party's contribution, with every criterion assessed."""
    weighing = Weighing.objects.select_for_update().get(pk=weighing.pk)
    policy.require(actor, policy.Action.WEIGHING_CONTRIBUTE, weighing)
    if weighing.status == states.DECIDED:
        raise ValidationError(_("Over deze weging is al besloten."), code="decided")
    errors = {}
    if data.holds_information and not data.information.strip():
        errors["information"] = _("Beschrijf wat uw organisatie weet, of geef aan dat zij niets heeft.")
    if not data.view_rationale.strip():
        errors["view_rationale"] = _("Onderbouw het standpunt van uw organisatie.")
    criteria = {c.code: c for c in weighing.framework.criteria.all()}
    unknown = set(data.assessments) - set(criteria)
    if unknown:
        errors["assessments"] = _("Onbekend criterium voor dit wegingskader: %(codes)s") % {
            "codes": ", ".join(sorted(unknown))
        }
    for code, criterion in criteria.items():
        assessment, reasons = data.assessments.get(code, ("", ""))
        if not assessment or not reasons.strip():
            errors[f"assessments.{code}"] = _("Beoordeel “%(label)s” en onderbouw dat.") % {"label": criterion.label}
    organisation = policy.organisation_of(actor)
    legal_basis = governance.resolve_basis(data.legal_basis)
    data_category = data.data_category or DataCategory.SIGNALS
    basis_set = governance.current_basis_set()
    visibility = data.visibility or governance.default_visibility(data_category, basis_set)
    errors.update(
        governance.provenance_errors(
            organisation, legal_basis, data.classification, visibility, data_category=data_category, basis_set=basis_set
        )
    )
    if errors:
        raise ValidationError(errors)
    contribution, created = Contribution.objects.update_or_create(
        weighing=weighing,
        party=organisation.kind,
        defaults={
            "organisation": organisation,
            "contributor": actor,
            "holds_information": data.holds_information,
            "information": data.information.strip() if data.holds_information else "",
            "view": data.view,
            "view_rationale": data.view_rationale.strip(),
            "legal_basis": legal_basis,
            "classification": data.classification,
            "visibility": visibility,
            "data_category": data_category,
        },
    )
    contribution.assessments.all().delete()
    CriterionAssessment.objects.bulk_create(
        CriterionAssessment(contribution=contribution, criterion=criteria[code], assessment=a, reasons=r.strip())
        for code, (a, r) in data.assessments.items()
    )
    record(actor, action=Action.CREATE if created else Action.UPDATE, purpose=Purpose.WEIGHING, objects=[contribution])
    return contribution


@dataclass
class DecisionData:
    outcome: str
    rationale: str
    dissent: str = ""
    referral_target: str = ""
    information_deadline: date | None = None
    case_director: User | None = None
    #: extra participating organisations: (organisation, reason)
    participants: list[tuple[Any, ...]] = field(default_factory=list)


def lock_for_decision(actor: User, *, weighing: Weighing) -> Weighing:
    """Lock the weighing for the joint decision (inside the flow's transaction)."""
    weighing = Weighing.objects.select_for_update().get(pk=weighing.pk)
    policy.require(actor, policy.Action.WEIGHING_DECIDE, weighing)
    if weighing.status == states.DECIDED:
        raise ValidationError(_("Over deze weging is al besloten."), code="decided")
    return weighing


def decision_errors(weighing: Weighing, data: DecisionData, contributions: list[Contribution]) -> dict:
    """Why the weegploeg cannot take this decision (yet): the rules of the weighing itself.

    A decision is possible only when all three parties contributed after the latest signal
    joined; "meer informatie nodig" needs a deadline in the future.
    """
    errors = {}
    missing = missing_parties(weighing, contributions)
    if missing:
        errors["contributions"] = _(
            "Een besluit kan pas als gemeente, politie en OM alle drie (opnieuw) hebben ingebracht. "
            "Nog nodig van: %(parties)s."
        ) % {"parties": ", ".join(missing)}
    if not data.rationale.strip():
        errors["rationale"] = _("Geef de gezamenlijke onderbouwing van het besluit.")
    if data.outcome == Outcome.REFER and not data.referral_target:
        errors["referral_target"] = _("Kies waarnaar wordt doorverwezen.")
    if data.outcome != Outcome.REFER and data.referral_target:
        errors["referral_target"] = _("Een doorverwijzing hoort alleen bij het besluit ‘Doorverwijzen’.")
    if data.outcome == Outcome.MORE_INFORMATION:
        if not data.information_deadline:
            errors["information_deadline"] = _("Geef een termijn voor de aanvullende informatie.")
        elif data.information_deadline <= timezone.localdate():
            errors["information_deadline"] = _("De termijn moet in de toekomst liggen.")
    return errors


def decision_contributions(weighing: Weighing) -> list[Contribution]:
    return list(weighing.contributions.select_related("organisation").prefetch_related("assessments"))


def write_decision(
    actor: User, *, weighing: Weighing, data: DecisionData, contributions: list[Contribution]
) -> Decision:
    """Write the validated decision and move the weighing on (inside the flow's transaction)."""
    decision = Decision.objects.create(
        weighing=weighing,
        framework=weighing.framework,
        outcome=data.outcome,
        referral_target=data.referral_target,
        rationale=data.rationale.strip(),
        dissent=data.dissent.strip(),
        information_deadline=data.information_deadline if data.outcome == Outcome.MORE_INFORMATION else None,
        decided_by=actor,
        basis=_basis(contributions),
    )
    if data.outcome == Outcome.MORE_INFORMATION:
        target = states.AWAITING_INFORMATION
        weighing.information_deadline = data.information_deadline
        # New information must be weighed by all three again.
        weighing.signals_changed_at = timezone.now()
    else:
        target = states.DECIDED
    states.WEIGHING_MACHINE.check(weighing.status, target)
    weighing.status = target
    weighing.save(update_fields=["status", "information_deadline", "signals_changed_at"])
    record(actor, action=Action.CREATE, purpose=Purpose.WEIGHING, objects=[decision])
    return decision


def _basis(contributions) -> dict:
    return {
        c.party: {
            "organisation": c.organisation.name,
            "holds_information": c.holds_information,
            "view": c.view,
            "assessments": {a.criterion_id: a.assessment for a in c.assessments.all()},
        }
        for c in contributions
    }
