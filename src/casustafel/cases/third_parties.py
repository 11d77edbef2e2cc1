"""Third parties in a case, Wet PGA art. 3 lid 3 and 4 (ADR 0025).

The participants of art. 3 lid 1 (burgemeester and college, politie, OM, reclassering, Raad
voor de Kinderbescherming; the Zorg- en Veiligheidshuis for the burgemeester) take part by
law. Every other organisation — care, wijkteam, Werk & Inkomen, onderwijs, LSE/Exit, IND,
DT&V, jeugdbescherming, NCTV — takes part only in one case at a time, when the burgemeester
of the gemeente van verblijf, the politie and the OM together decide so:

* someone proposes it (the case director, a participating process director, or a weighing
  member of one of the three), recording the expertise the case needs, the third party's
  role in drafting, carrying out or evaluating the plan of action, and which data are
  necessary for it (art. 4 a identifying data, art. 4 e plan data);
* each of the three agrees for its party (a proposing weighing member agrees for its own by
  proposing); one rejection, with its reason, ends the proposal;
* with the third agreement the organisation takes part as a third party: it sees only the
  data marked necessary (``access.policy``), and is not a joint controller (art. 3 lid 4
  with art. 12 lid 1). The NCTV still needs its legal basis (governance).

Writes take the case row lock, so two last confirmations cannot both admit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import CORE_PARTY_KINDS, PARTICIPANT_KINDS, Organisation
from casustafel.governance import services as governance
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import (
    AdmissionStatus,
    Capacity,
    Case,
    CaseParticipant,
    PlanRole,
    ThirdPartyAdmission,
    ThirdPartyConfirmation,
    ThirdPartyData,
)

if TYPE_CHECKING:
    from casustafel.accounts.models import User

#: The three who decide together (art. 3 lid 3): gemeente (burgemeester), politie, OM.
DECIDING_PARTIES = tuple(str(kind) for kind in CORE_PARTY_KINDS)


def third_party_refusal(organisation: Organisation) -> str:
    """The message when a third party is added any other way than by the three."""
    return _(
        "%(org)s neemt alleen als derde deel (art. 3 lid 3 Wet PGA): de burgemeester van de gemeente "
        "van verblijf, de politie en het OM laten een derde samen toe. Stel de toelating voor onder "
        "‘Derde toelaten’."
    ) % {"org": organisation.name}


# ---------------------------------------------------------------- reads


def candidates(case: Case) -> QuerySet:
    """Organisations of the case's table that could be admitted as a third party."""
    return (
        Organisation.objects.filter(region_id=case.region_id)
        .exclude(pk__in=case.participants.values("organisation_id"))
        .exclude(
            pk__in=ThirdPartyAdmission.objects.filter(case=case, status=AdmissionStatus.PROPOSED).values(
                "organisation_id"
            )
        )
        .exclude(kind__in=PARTICIPANT_KINDS)
    )


def admissions_of_case(user: Any, case: Case) -> list[ThirdPartyAdmission]:
    """The admissions (proposed, decided) of a case the caller may see; only participants of
    art. 3 lid 1 see them. Logged when any are shown."""
    if not policy.can(user, policy.Action.CASE_PARTICIPANT_VIEW, case):
        return []
    rows = list(
        ThirdPartyAdmission.objects.filter(case=case)
        .select_related("organisation", "proposed_by", "legal_basis")
        .prefetch_related("confirmations__organisation", "confirmations__confirmed_by")
    )
    for row in rows:
        row.case = case
    if rows:
        record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=rows)
    return rows


def open_admissions(user: Any) -> QuerySet:
    """Proposals awaiting the caller's party (the three's weighing members), oldest first."""
    if not policy.can(user, policy.Action.THIRD_PARTY_DECIDE):
        return ThirdPartyAdmission.objects.none()
    return (
        ThirdPartyAdmission.objects.filter(status=AdmissionStatus.PROPOSED, case__region_id=user.organisation.region_id)
        .exclude(case__status=policy.BLOCKED_CASE_STATUS)
        .exclude(confirmations__party=user.organisation.kind)
        .select_related("case", "organisation", "proposed_by")
        .order_by("proposed_at")
    )


def get_admission(user: Any, pk: Any, *, via_api: bool = False) -> ThirdPartyAdmission:
    """An admission the caller decides on (404 otherwise, logged)."""
    queryset = ThirdPartyAdmission.objects.select_related("case", "organisation", "proposed_by", "legal_basis")
    try:
        admission = queryset.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        admission = None
    if admission is None or not policy.can(user, policy.Action.THIRD_PARTY_DECIDE, admission):
        record_refused(
            user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=ThirdPartyAdmission, pk=pk, via_api=via_api
        )
        raise Http404
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[admission], via_api=via_api)
    return admission


# ---------------------------------------------------------------- writes


def _errors(
    case: Case, organisation: Organisation, expertise: str, plan_roles: list, necessary_data: list, legal_basis: Any
) -> dict:
    errors: dict[str, Any] = {}
    if organisation.region_id != case.region_id:
        errors["organisation"] = _("Deze organisatie hoort niet bij deze casustafel.")
    elif not organisation.is_third_party:
        errors["organisation"] = _(
            "%(org)s is deelnemer op grond van art. 3 lid 1 Wet PGA; voeg deze toe als deelnemende organisatie."
        ) % {"org": organisation.name}
    elif case.participants.filter(organisation=organisation).exists():
        errors["organisation"] = _("Deze organisatie neemt al deel aan de casus.")
    elif ThirdPartyAdmission.objects.filter(
        case=case, organisation=organisation, status=AdmissionStatus.PROPOSED
    ).exists():
        errors["organisation"] = _("Voor deze organisatie ligt al een voorstel tot toelating.")
    if not (expertise or "").strip():
        errors["expertise"] = _("Beschrijf de deskundigheid die voor deze casus nodig is.")
    if not plan_roles:
        errors["plan_roles"] = _("Kies de rol bij het opstellen, uitvoeren of evalueren van het plan van aanpak.")
    elif not set(plan_roles) <= set(PlanRole.values):
        errors["plan_roles"] = _("Kies een rol uit de lijst.")
    if not necessary_data:
        errors["necessary_data"] = _("Kies welke gegevens voor de derde noodzakelijk zijn.")
    elif not set(necessary_data) <= set(ThirdPartyData.values):
        errors["necessary_data"] = _(
            "Een derde krijgt alleen identificerende gegevens (a) of gegevens voor het plan van aanpak (e)."
        )
    if "organisation" not in errors:
        errors.update(governance.participation_errors(organisation, legal_basis))
    return errors


@transaction.atomic
def propose_third_party(
    actor: User,
    *,
    case: Case,
    organisation: Organisation,
    expertise: str,
    plan_roles: list[str],
    necessary_data: list[str],
    legal_basis: Any = None,
) -> ThirdPartyAdmission:
    """Propose to let ``organisation`` take part in ``case`` as a third party (art. 3 lid 3)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.THIRD_PARTY_PROPOSE, case)
    errors = _errors(case, organisation, expertise, plan_roles, necessary_data, legal_basis)
    if errors:
        raise ValidationError(errors)
    admission = ThirdPartyAdmission.objects.create(
        case=case,
        organisation=organisation,
        expertise=expertise.strip(),
        plan_roles=sorted(set(plan_roles), key=PlanRole.values.index),
        necessary_data=sorted(set(necessary_data), key=ThirdPartyData.values.index),
        legal_basis=governance.resolve_basis(legal_basis, "participation") if legal_basis else None,
        proposed_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[admission])
    if policy.can(actor, policy.Action.THIRD_PARTY_DECIDE, admission):
        _confirm(actor, admission=admission, agrees=True, reason="")
    return admission


@transaction.atomic
def confirm_third_party(
    actor: User, *, admission: ThirdPartyAdmission, agrees: bool, reason: str = ""
) -> ThirdPartyAdmission:
    """One of the three agrees with (or rejects, with its reason) the admission."""
    case = Case.objects.select_for_update().get(pk=admission.case_id)
    admission = ThirdPartyAdmission.objects.select_related("organisation").get(pk=admission.pk)
    admission.case = case
    policy.require(actor, policy.Action.THIRD_PARTY_DECIDE, admission)
    if admission.status != AdmissionStatus.PROPOSED:
        raise ValidationError({"status": _("Over deze toelating is al besloten.")})
    organisation = policy.organisation_of(actor)
    if admission.confirmations.filter(party=organisation.kind).exists():
        raise ValidationError({"party": _("Uw partij heeft zich al over deze toelating uitgesproken.")})
    if not agrees and not (reason or "").strip():
        raise ValidationError({"reason": _("Geef aan waarom uw partij de derde niet toelaat.")})
    return _confirm(actor, admission=admission, agrees=agrees, reason=reason)


def _confirm(actor: User, *, admission: ThirdPartyAdmission, agrees: bool, reason: str) -> ThirdPartyAdmission:
    organisation = policy.organisation_of(actor)
    confirmation = ThirdPartyConfirmation.objects.create(
        admission=admission,
        party=organisation.kind,
        organisation=organisation,
        confirmed_by=actor,
        agrees=agrees,
        reason=(reason or "").strip(),
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[confirmation])
    if not agrees:
        return _close(actor, admission, AdmissionStatus.REJECTED)
    parties = set(admission.confirmations.filter(agrees=True).values_list("party", flat=True))
    if parties < set(DECIDING_PARTIES):
        return admission
    participant = CaseParticipant.objects.create(
        case_id=admission.case_id,
        organisation=admission.organisation,
        reason=admission.expertise,
        added_by=admission.proposed_by,
        legal_basis=admission.legal_basis,
        capacity=Capacity.THIRD_PARTY,
        admission=admission,
        necessary_data=admission.necessary_data,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[participant])
    return _close(actor, admission, AdmissionStatus.ADMITTED)


def _close(actor: User, admission: ThirdPartyAdmission, status: str) -> ThirdPartyAdmission:
    admission.status = status
    admission.decided_at = timezone.now()
    admission.save(update_fields=["status", "decided_at"])
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[admission])
    return admission
