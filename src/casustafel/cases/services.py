"""Writes of cases: opening on inclusion, participants, lifecycle transitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import Organisation
from casustafel.governance import services as governance
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from . import states
from .closure import open_work
from .models import Case, CaseParticipant, CaseTransition
from .third_parties import third_party_refusal

if TYPE_CHECKING:
    from casustafel.accounts.models import User


def opening_errors(*, region_id: Any, case_director: User | None, participants: list) -> dict:
    """Errors that would stop a case from opening (checked before the decision is written)."""
    errors = {}
    if case_director is None:
        errors["case_director"] = _("Wijs een casusregisseur aan.")
    elif not policy.may_direct_cases(case_director, region_id):
        errors["case_director"] = _("Kies een actieve casusregisseur van deze casustafel.")
    for organisation, reason, *basis in participants:
        if organisation.region_id != region_id:
            errors["participants"] = _("Een deelnemende organisatie moet bij deze casustafel horen.")
        elif organisation.is_third_party:
            # Art. 3 lid 3: a third party is admitted per case, after opening, by the three.
            errors["participants"] = third_party_refusal(organisation)
        elif not reason.strip():
            errors["participants"] = _("Geef per deelnemende organisatie de reden van betrokkenheid.")
        else:
            errors.update(
                governance.participation_errors(organisation, basis[0] if basis else None, "participants_legal_basis")
            )
    return errors


def participants_from_ids(proposed: list, *, region_id: Any) -> list[tuple[Any, ...]]:
    """The participants a proposed decision named ((organisation id, reason, basis code) rows),
    as (organisation, reason[, basis code]) for :func:`opening_errors` and :func:`open_case`."""
    ids = [row[0] for row in proposed]
    organisations = {str(o.pk): o for o in Organisation.objects.filter(pk__in=ids, region_id=region_id)}
    return [
        (organisations[org_id], reason, *([basis] if basis else []))
        for org_id, reason, basis in proposed
        if org_id in organisations
    ]


def open_case(actor: User, *, decision: Any, contributions: list, case_director: User, participants: list) -> Case:
    """Open the case for an inclusion decision (inside the decision's transaction).

    The core parties that weighed take part by default, as does the case director's
    organisation; further organisations join with the reason they are involved.
    """
    weighing = decision.weighing
    case = Case.objects.create(
        region_id=weighing.region_id,
        subject_id=weighing.subject_id,
        origin_decision=decision,
        case_director=case_director,
    )
    CaseTransition.objects.create(
        case=case, source="", target=states.ACTIVE, by=actor, reason=_("Opgenomen in de PGA na integrale weging")
    )
    involved: dict[Any, tuple[Any, ...]] = {
        c.organisation_id: (c.organisation, _("Kernpartner weegploeg")) for c in contributions
    }
    involved.setdefault(case_director.organisation_id, (case_director.organisation, _("Organisatie casusregisseur")))
    for organisation, reason, *basis in participants:
        involved[organisation.pk] = (organisation, reason.strip(), *basis)
    rows = CaseParticipant.objects.bulk_create(
        CaseParticipant(
            case=case,
            organisation=org,
            reason=reason,
            added_by=actor,
            legal_basis=governance.resolve_basis(basis[0], "participation") if basis else None,
        )
        for org, reason, *basis in involved.values()
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[case, *rows])
    return case


@transaction.atomic
def add_participant(
    actor: User, *, case: Case, organisation: Organisation, reason: str, legal_basis: Any = None
) -> CaseParticipant:
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_MANAGE, case)
    errors = {}
    if organisation.region_id != case.region_id:
        errors["organisation"] = _("Deze organisatie hoort niet bij deze casustafel.")
    elif organisation.is_third_party:
        errors["organisation"] = third_party_refusal(organisation)
    elif case.participants.filter(organisation=organisation).exists():
        errors["organisation"] = _("Deze organisatie neemt al deel aan de casus.")
    if not reason.strip():
        errors["reason"] = _("Geef de reden van betrokkenheid.")
    if "organisation" not in errors:
        errors.update(governance.participation_errors(organisation, legal_basis))
    if case.status == states.CLOSED:
        errors["status"] = _("Aan een afgesloten casus kunnen geen deelnemers worden toegevoegd.")
    if errors:
        raise ValidationError(errors)
    participant = CaseParticipant.objects.create(
        case=case,
        organisation=organisation,
        reason=reason.strip(),
        added_by=actor,
        legal_basis=governance.resolve_basis(legal_basis, "participation") if legal_basis else None,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[participant])
    return participant


@transaction.atomic
def transition_case(
    actor: User, *, case: Case, target: str, reason: str, closure_reason: str = "", override_open_work: str = ""
) -> Case:
    """Move the case along its lifecycle; only declared transitions, each with who/when/why.

    Closing while work is still open (see ``cases.closure``) needs an explicit override
    reason, which is recorded on the transition.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_MANAGE, case)
    states.CASE_MACHINE.check(case.status, target)
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Geef de reden van deze statuswijziging.")
    if target == states.CLOSED and not closure_reason:
        errors["closure_reason"] = _("Kies de reden van afsluiting.")
    if target != states.CLOSED and closure_reason:
        errors["closure_reason"] = _("Een reden van afsluiting hoort alleen bij afsluiten.")
    pending = open_work(case) if target == states.CLOSED else []
    if pending and not override_open_work.strip():
        errors["override_open_work"] = _(
            "Er staat nog werk open: %(items)s. Rond dit af, of leg vast waarom de casus toch wordt afgesloten."
        ) % {"items": "; ".join(pending)}
    if errors:
        raise ValidationError(errors)
    CaseTransition.objects.create(
        case=case,
        source=case.status,
        target=target,
        by=actor,
        reason=reason.strip(),
        closure_reason=closure_reason,
        open_work_override="; ".join(pending) + " — " + override_open_work.strip() if pending else "",
    )
    case.status = target
    case.closure_reason = closure_reason if target == states.CLOSED else ""
    case.status_changed_at = timezone.now()
    case.save(update_fields=["status", "closure_reason", "status_changed_at"])
    record(actor, action=Action.TRANSITION, purpose=Purpose.CASE_MANAGEMENT, objects=[case])
    return case
