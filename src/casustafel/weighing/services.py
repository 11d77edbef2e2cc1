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
from casustafel.accounts.models import CORE_PARTY_KINDS, OrganisationKind
from casustafel.core.concurrency import StaleVersion
from casustafel.governance import services as governance
from casustafel.governance.models import DataCategory
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from . import states
from .models import (
    WEIGHING_PARTIES,
    Consultation,
    Contribution,
    CriteriaFramework,
    CriterionAssessment,
    Decision,
    DecisionConfirmation,
    DecisionStatus,
    Outcome,
    RegistrantNotice,
    Weighing,
)


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
        if weighing.status == states.DECISION_PROPOSED:
            # A proposal weighed without this signal cannot become the joint assessment.
            lapsed = list(weighing.decisions.filter(status=DecisionStatus.PROPOSED))
            weighing.decisions.filter(status=DecisionStatus.PROPOSED).update(status=DecisionStatus.LAPSED)
            record(actor, action=Action.UPDATE, purpose=Purpose.WEIGHING, objects=lapsed)
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
def submit_contribution(
    actor: User, *, weighing: Weighing, data: ContributionData, expected_version: int | None = None
) -> Contribution:
    """Record (or renew) the actor's party's contribution, with every criterion assessed.

    ``expected_version``: the version of the party's contribution the actor saw (0: none yet);
    a colleague's renewal since then refuses this one (ADR 0052). The weighing's row lock
    serializes the contributions to one weighing."""
    weighing = Weighing.objects.select_for_update().get(pk=weighing.pk)
    policy.require(actor, policy.Action.WEIGHING_CONTRIBUTE, weighing)
    if weighing.status == states.DECIDED:
        raise ValidationError(_("Over deze weging is al besloten."), code="decided")
    if expected_version is not None:
        party = policy.organisation_of(actor).kind
        existing = Contribution.objects.filter(weighing=weighing, party=party).first()
        if (existing.version if existing else 0) != expected_version:
            raise StaleVersion(existing, expected_version)
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
    if weighing.status == states.DECISION_PROPOSED:
        raise ValidationError(
            _("Er ligt al een voorstel voor een besluit; bevestig het of wijs het af."), code="proposed"
        )
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


def write_proposal(
    actor: User, *, weighing: Weighing, data: DecisionData, contributions: list[Contribution]
) -> Decision:
    """Write the validated proposal, confirmed by the proposer's own party (inside the flow's
    transaction). It takes effect when the other two core parties confirm it (art. 5 lid 3)."""
    organisation = policy.organisation_of(actor)
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
        status=DecisionStatus.PROPOSED,
        case_director=data.case_director,
        proposed_participants=[
            [str(org.pk), str(reason), str(getattr(basis[0], "code", basis[0]) if basis and basis[0] else "")]
            for org, reason, *basis in data.participants
        ],
    )
    confirmation = DecisionConfirmation.objects.create(
        decision=decision, party=organisation.kind, organisation=organisation, confirmed_by=actor, agrees=True
    )
    _move(weighing, states.DECISION_PROPOSED)
    record(actor, action=Action.CREATE, purpose=Purpose.WEIGHING, objects=[decision, confirmation])
    return decision


def pending_proposal(weighing: Weighing) -> Decision | None:
    return weighing.decisions.filter(status=DecisionStatus.PROPOSED).first()


def lock_proposal(actor: User, *, decision: Decision) -> tuple[Weighing, Decision]:
    """Lock a proposal for a confirmation: only a core party's weighing member, once per party."""
    weighing = Weighing.objects.select_for_update().get(pk=decision.weighing_id)
    policy.require(actor, policy.Action.WEIGHING_DECIDE, weighing)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != DecisionStatus.PROPOSED:
        raise ValidationError(_("Dit voorstel is niet meer open voor bevestiging."), code="not_proposed")
    party = policy.organisation_of(actor).kind
    if decision.confirmations.filter(party=party).exists():
        raise ValidationError(_("Uw partij heeft dit voorstel al bevestigd."), code="confirmed")
    return weighing, decision


def write_confirmation(actor: User, *, weighing: Weighing, decision: Decision, agrees: bool, reason: str) -> bool:
    """Record one party's confirmation; ``True`` when all three core parties agreed.

    A rejection ends the proposal (the assessment is not *eensluidend*): the weighing is open
    again for a new proposal, and the reason is kept.
    """
    reason = (reason or "").strip()
    if not agrees and not reason:
        raise ValidationError({"reason": _("Geef aan waarom uw partij het voorstel niet onderschrijft.")})
    organisation = policy.organisation_of(actor)
    confirmation = DecisionConfirmation.objects.create(
        decision=decision,
        party=organisation.kind,
        organisation=organisation,
        confirmed_by=actor,
        agrees=agrees,
        reason=reason,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.WEIGHING, objects=[confirmation])
    if not agrees:
        decision.status = DecisionStatus.REJECTED
        decision.save(update_fields=["status"])
        _move(weighing, states.OPEN)
        record(actor, action=Action.UPDATE, purpose=Purpose.WEIGHING, objects=[decision])
        return False
    parties = set(decision.confirmations.filter(agrees=True).values_list("party", flat=True))
    return parties >= {str(kind) for kind in WEIGHING_PARTIES}


def put_into_effect(actor: User, *, weighing: Weighing, decision: Decision) -> Decision:
    """All three agreed: the decision is the eensluidende beoordeling; the weighing moves on."""
    decision.status = DecisionStatus.IN_EFFECT
    decision.effective_at = timezone.now()
    decision.save(update_fields=["status", "effective_at"])
    if decision.outcome == Outcome.MORE_INFORMATION:
        weighing.information_deadline = decision.information_deadline
        # New information must be weighed by all three again.
        weighing.signals_changed_at = timezone.now()
        _move(weighing, states.AWAITING_INFORMATION)
    else:
        _move(weighing, states.DECIDED)
    record(actor, action=Action.UPDATE, purpose=Purpose.WEIGHING, objects=[decision])
    if decision.outcome in (Outcome.NO_ACTION, Outcome.REFER):
        _create_registrant_notices(actor, weighing=weighing, decision=decision)
    return decision


def _create_registrant_notices(actor: User, *, weighing: Weighing, decision: Decision) -> None:
    """Art. 5 lid 6: not put to the casusoverleg → inform each participant that registered a signal."""
    organisations = set(
        weighing.signals.filter(intake_route="referral").values_list("registered_by_organisation", flat=True)
    )
    notices = RegistrantNotice.objects.bulk_create(
        RegistrantNotice(decision=decision, organisation_id=organisation) for organisation in organisations
    )
    if notices:
        record(actor, action=Action.CREATE, purpose=Purpose.WEIGHING, objects=notices)


@transaction.atomic
def record_registrant_informed(actor: User, *, notice: RegistrantNotice, informed_on: date) -> RegistrantNotice:
    """Record that (and when) the registering participant was informed (art. 5 lid 6)."""
    notice = RegistrantNotice.objects.select_for_update().select_related("decision__weighing").get(pk=notice.pk)
    policy.require(actor, policy.Action.WEIGHING_VIEW, notice.decision.weighing)
    if notice.informed_on is not None:
        raise ValidationError(_("Het informeren van deze aanmelder is al vastgelegd."), code="done")
    if informed_on is None or informed_on > timezone.localdate():
        raise ValidationError(
            {"informed_on": _("Geef de datum waarop de aanmelder is geïnformeerd (niet in de toekomst).")}
        )
    if informed_on < notice.decision.decided_at.date():
        raise ValidationError({"informed_on": _("De datum ligt vóór het besluit.")})
    notice.informed_on, notice.informed_by = informed_on, actor
    notice.save(update_fields=["informed_on", "informed_by"])
    record(actor, action=Action.UPDATE, purpose=Purpose.WEIGHING, objects=[notice])
    return notice


# ---------------------------------------------------------------- consulting other participants (art. 5 lid 3)

#: The longest question or answer kept: a short summary, not the consulted organisation's file.
CONSULTATION_TEXT_LIMIT = 2000


def consultation_errors(weighing: Weighing, *, organisation: Any, consulted_on: date | None, question: str) -> dict:
    """Why this consultation cannot be recorded (the rules of art. 5 lid 3 Wet PGA).

    The three consult *the other* participants: a participant of art. 3 lid 1 of the weighing's
    own table (reclassering, Raad voor de Kinderbescherming, the ZVH), never gemeente, politie or
    OM (they weigh themselves) and never a third party (art. 3 lid 3: admitted per case only).
    The date lies between the opening of the weighing and today.
    """
    errors = {}
    if organisation is None or organisation.region_id != weighing.region_id:
        errors["organisation"] = _("Kies een organisatie van deze casustafel om te raadplegen.")
    elif organisation.kind in CORE_PARTY_KINDS:
        errors["organisation"] = _(
            "Gemeente, politie en OM wegen zelf; raadpleeg een van de overige deelnemers (art. 5 lid 3 Wet PGA)."
        )
    elif organisation.is_third_party:
        # "De overige deelnemers" are those of art. 3 lid 1; a third party takes part only once
        # the three admit it to a case (art. 3 lid 3), so not during the weighing.
        errors["organisation"] = _(
            "%(org)s is geen deelnemer van het casusoverleg (art. 3 lid 1 Wet PGA); alleen deelnemers "
            "worden bij de weging geraadpleegd (art. 5 lid 3)."
        ) % {"org": organisation.name}
    if consulted_on is None:
        errors["consulted_on"] = _("Geef de datum van de raadpleging.")
    elif consulted_on > timezone.localdate():
        errors["consulted_on"] = _("De datum van de raadpleging mag niet in de toekomst liggen.")
    elif consulted_on < timezone.localtime(weighing.opened_at).date():
        errors["consulted_on"] = _("De datum ligt vóór het begin van de weging.")
    if not (question or "").strip():
        errors["question"] = _("Geef de vraag die aan de organisatie is voorgelegd.")
    elif len(question.strip()) > CONSULTATION_TEXT_LIMIT:
        errors["question"] = _("Houd de vraag kort: ten hoogste 2000 tekens.")
    return errors


def _refuse_when_decided(weighing: Weighing) -> None:
    if weighing.status not in states.OPEN_STATES:
        raise ValidationError(
            _("Over deze weging is al besloten; een raadpleging kan niet meer worden vastgelegd."), code="decided"
        )


def _answer_errors(answer: str, *, required: bool) -> dict:
    answer = (answer or "").strip()
    if required and not answer:
        return {"answer": _("Geef het antwoord of een korte samenvatting ervan.")}
    if len(answer) > CONSULTATION_TEXT_LIMIT:
        return {"answer": _("Houd het antwoord kort: ten hoogste 2000 tekens (een samenvatting).")}
    return {}


@transaction.atomic
def record_consultation(
    actor: User, *, weighing: Weighing, organisation: Any, consulted_on: date | None, question: str, answer: str = ""
) -> Consultation:
    """Record that the weegploeg consulted another participant (Wet PGA art. 5 lid 3 last
    sentence, lid 4): whom, when, the question and — now or later — the answer."""
    weighing = Weighing.objects.select_for_update().get(pk=weighing.pk)
    policy.require(actor, policy.Action.WEIGHING_CONSULT, weighing)
    _refuse_when_decided(weighing)
    errors = consultation_errors(weighing, organisation=organisation, consulted_on=consulted_on, question=question)
    errors.update(_answer_errors(answer, required=False))
    if errors or consulted_on is None:  # no date is an error above
        raise ValidationError(errors)
    answer = (answer or "").strip()
    consultation = Consultation.objects.create(
        weighing=weighing,
        organisation=organisation,
        consulting_organisation=policy.organisation_of(actor),
        consulted_on=consulted_on,
        question=question.strip(),
        answer=answer,
        recorded_by=actor,
        answer_recorded_by=actor if answer else None,
        answer_recorded_at=timezone.now() if answer else None,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.WEIGHING, objects=[consultation])
    return consultation


@transaction.atomic
def record_consultation_answer(actor: User, *, consultation: Consultation, answer: str) -> Consultation:
    """Add the answer a consulted participant gave (once; the consultation awaited it)."""
    weighing = Weighing.objects.select_for_update().get(pk=consultation.weighing_id)
    policy.require(actor, policy.Action.WEIGHING_CONSULT, weighing)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    consultation.weighing = weighing
    _refuse_when_decided(weighing)
    if consultation.answer:
        raise ValidationError(_("Het antwoord op deze raadpleging is al vastgelegd."), code="answered")
    errors = _answer_errors(answer, required=True)
    if errors:
        raise ValidationError(errors)
    consultation.answer = answer.strip()
    consultation.answer_recorded_by, consultation.answer_recorded_at = actor, timezone.now()
    consultation.save(update_fields=["answer", "answer_recorded_by", "answer_recorded_at"])
    record(actor, action=Action.UPDATE, purpose=Purpose.WEIGHING, objects=[consultation])
    return consultation


def _move(weighing: Weighing, target: str) -> None:
    states.WEIGHING_MACHINE.check(weighing.status, target)
    weighing.status = target
    weighing.save(update_fields=["status", "information_deadline", "signals_changed_at"])


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
