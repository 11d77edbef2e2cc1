"""Transfer of a case to another table (overdracht) when the person moves.

The sending table proposes; the receiving table accepts (choosing its own case director)
or declines. Acceptance moves the case, the person and the person's signals and
weighings to the receiving region in one transaction; the sending table's
organisations stop participating and so lose access through the ordinary policy.

Wet PGA art. 7: providing the person's data to the casusoverleg of another gemeente is
decided per supplying participant. Until the transfer is decided, each organisation that
originally supplied items about the person (registered a signal, contributed to a
weighing) may object for weighty reasons (lid 2); its items then do not travel: they
keep the sending region (ADR 0022). The regie (case director) and the gemeente van
verblijf move with an accepted transfer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy, rls
from casustafel.accounts.models import CORE_PARTY_KINDS, Organisation, OrganisationKind, Region
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused
from casustafel.subjects.models import Subject

from . import states
from .models import Case, CaseParticipant, CaseTransfer, TransferObjection, TransferStatus

if TYPE_CHECKING:
    from casustafel.accounts.models import User


@transaction.atomic
def propose_transfer(actor: User, *, case: Case, to_region: Region | None, reason: str) -> CaseTransfer:
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_MANAGE, case)
    errors = {}
    if to_region is None:
        errors["to_region"] = _("Kies de casustafel die de casus overneemt.")
    elif to_region.pk == case.region_id:
        errors["to_region"] = _("Een casus kan niet worden overgedragen aan de eigen casustafel.")
    if not (reason or "").strip():
        errors["reason"] = _("Geef de reden van de overdracht.")
    if case.status not in states.OPEN_STATES:
        errors["status"] = _("Alleen een actieve, heropende of afgeschaalde casus kan worden overgedragen.")
    if CaseTransfer.objects.filter(case=case, status=TransferStatus.OPEN).exists():
        errors["case"] = _("Voor deze casus staat al een overdracht open.")
    if errors:
        raise ValidationError(errors)
    transfer = CaseTransfer.objects.create(
        case=case,
        subject_id=case.subject_id,
        case_reference=case.reference,
        municipality=case.subject.municipality,
        from_region_id=case.region_id,
        to_region=to_region,
        reason=reason.strip(),
        proposed_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[transfer])
    return transfer


def supplying_organisations(transfer: CaseTransfer):
    """Art. 7 lid 2: the organisations of the sending table that originally supplied items
    about the person: registered one of the person's signals or contributed to a weighing."""
    subject = Subject.objects.get(pk=transfer.subject_id)
    supplied = Q(pk__in=subject.signals.values("registered_by_organisation")) | Q(
        pk__in=subject.weighings.values("contributions__organisation")
    )
    return Organisation.objects.filter(supplied, region_id=transfer.from_region_id).order_by("name")


def outgoing_transfers(user):
    """Open proposals of the user's own table, for objections (art. 7 lid 2)."""
    qs = CaseTransfer.objects.select_related("to_region", "proposed_by")
    return policy.scope_outgoing_transfers(user, qs).filter(status=TransferStatus.OPEN)


def get_outgoing_transfer(user, pk, *, via_api: bool = False) -> CaseTransfer:
    try:
        transfer = outgoing_transfers(user).get(pk=pk)
    except (CaseTransfer.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(
            user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=CaseTransfer, pk=pk, via_api=via_api
        )
        raise Http404 from None
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[transfer], via_api=via_api)
    return transfer


@transaction.atomic
def object_to_transfer(actor: User, *, transfer: CaseTransfer, reason: str) -> TransferObjection:
    """Art. 7 lid 2: the actor's organisation, having supplied items about the person,
    objects for weighty reasons to providing them to the receiving table; recorded (who,
    organisation, reason) and logged. Its items stay behind when the transfer is accepted."""
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    policy.require(actor, policy.Action.TRANSFER_OBJECT, transfer)
    organisation = policy.organisation_of(actor)
    errors = {}
    if transfer.status != TransferStatus.OPEN:
        errors["transfer"] = _("Over deze overdracht is al besloten; bezwaar is niet meer mogelijk.")
    elif not supplying_organisations(transfer).filter(pk=organisation.pk).exists():
        errors["transfer"] = _(
            "Uw organisatie heeft geen gegevens over deze persoon ingebracht en kan daarom geen bezwaar maken."
        )
    elif transfer.objections.filter(organisation=organisation).exists():
        errors["transfer"] = _("Uw organisatie heeft al bezwaar gemaakt tegen deze overdracht.")
    if not (reason or "").strip():
        errors["reason"] = _("Geef de zwaarwegende reden van het bezwaar.")
    if errors:
        raise ValidationError(errors)
    objection = TransferObjection.objects.create(
        transfer=transfer, organisation=organisation, reason=reason.strip(), objected_by=actor
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[objection])
    return objection


def incoming_transfers(user):
    """Open proposals to the user's table (no case content: reference, municipality, reason)."""
    qs = CaseTransfer.objects.select_related("from_region", "proposed_by")
    return policy.scope_incoming_transfers(user, qs).filter(status=TransferStatus.OPEN)


def get_incoming_transfer(user, pk, *, via_api: bool = False) -> CaseTransfer:
    try:
        return incoming_transfers(user).get(pk=pk)
    except (CaseTransfer.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(
            user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=CaseTransfer, pk=pk, via_api=via_api
        )
        raise Http404 from None


def decide_transfer(
    actor: User, *, transfer: CaseTransfer, accept: bool, reason: str = "", case_director=None
) -> CaseTransfer:
    """The receiving table decides. Acceptance moves rows from one region to the other, so
    this is one of the three places that widen the database scope (ADR 0014): to exactly the
    two tables of this transfer, after the policy has established that the actor receives it
    (checked again on the locked row)."""
    policy.require(actor, policy.Action.TRANSFER_RECEIVE, transfer)
    with rls.regions(transfer.from_region_id, transfer.to_region_id), transaction.atomic():
        return _decide(actor, transfer, accept, reason, case_director)


def _decide(actor, transfer, accept, reason, case_director) -> CaseTransfer:
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    policy.require(actor, policy.Action.TRANSFER_RECEIVE, transfer)
    if transfer.status != TransferStatus.OPEN:
        raise ValidationError(_("Over deze overdracht is al besloten."))
    reason = (reason or "").strip()
    if not accept:
        if not reason:
            raise ValidationError({"reason": _("Geef de reden van afwijzing.")})
        _close(actor, transfer, TransferStatus.DECLINED, reason)
        record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[transfer])
        return transfer

    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    subject = Subject.objects.select_for_update().get(pk=case.subject_id)
    errors = {}
    if (
        case_director is None
        or not policy.case_director_candidates(transfer.to_region_id).filter(pk=case_director.pk).exists()
    ):
        errors["case_director"] = _("Kies een actieve casusregisseur van de eigen casustafel.")
    if case.status not in states.OPEN_STATES or case.region_id != transfer.from_region_id:
        errors["case"] = _("Deze casus kan niet meer worden overgedragen.")
    same_person = Q(identity_index=subject.identity_index)
    if subject.bsn_index:
        same_person |= Q(bsn_index=subject.bsn_index)
    if Subject.objects.filter(region_id=transfer.to_region_id).filter(same_person).exclude(pk=subject.pk).exists():
        errors["subject"] = _(
            "Deze persoon is al bekend bij de eigen casustafel; de registraties moeten "
            "handmatig worden samengevoegd voordat de overdracht kan worden aanvaard."
        )
    if Case.objects.filter(subject=subject).exclude(pk=case.pk).exists():
        errors["subject"] = _("Over deze persoon bestaan meer casussen; draag deze handmatig over.")
    if errors:
        raise ValidationError(errors)

    to_region_id = transfer.to_region_id
    # The person's signals and weighings go along, reached through the person (the cases
    # app does not import signals or weighing: ADR 0001) — except what an organisation that
    # objected supplied (art. 7 lid 2): its signals, and a weighing it contributed to (one
    # joint record, not split), keep the sending region.
    objected = list(transfer.objections.values_list("organisation_id", flat=True))
    travelling_signals = subject.signals.exclude(registered_by_organisation_id__in=objected)
    travelling_weighings = subject.weighings.exclude(contributions__organisation_id__in=objected)
    signals = list(travelling_signals.select_for_update())
    weighings = list(travelling_weighings.select_for_update())
    subject.signals.filter(pk__in=[s.pk for s in signals]).update(region_id=to_region_id)
    subject.weighings.filter(pk__in=[w.pk for w in weighings]).update(region_id=to_region_id)
    subject.region_id = to_region_id
    subject.save(update_fields=["region"])

    removed = list(case.participants.all())
    case.participants.all().delete()
    involved = {}
    for kind in CORE_PARTY_KINDS:
        org = Organisation.objects.filter(region_id=to_region_id, kind=kind).order_by("name").first()
        if org:
            involved[org.pk] = (org, _("Kernpartner ontvangende casustafel"))
    involved.setdefault(case_director.organisation_id, (case_director.organisation, _("Organisatie casusregisseur")))
    added = CaseParticipant.objects.bulk_create(
        CaseParticipant(case=case, organisation=org, reason=why, added_by=actor) for org, why in involved.values()
    )

    # The regie moves (the receiving table's case director) and so does the gemeente van
    # verblijf: the receiving table's gemeente now carries the casusoverleg (art. 1, 2).
    gemeente = next((org for org, _why in involved.values() if org.kind == OrganisationKind.GEMEENTE), None)
    if gemeente is not None:
        subject.municipality = gemeente.name.removeprefix("Gemeente ")
        subject.municipality_organisation = gemeente
        subject.save(update_fields=["municipality", "municipality_organisation"])
    case.region_id = to_region_id
    case.case_director = case_director
    case.save(update_fields=["region", "case_director"])
    transfer.new_case_director = case_director
    _close(actor, transfer, TransferStatus.ACCEPTED, reason)
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[transfer])
    # The person's records are now provided to the receiving table (verstrekking).
    record(actor, action=Action.SHARE, purpose=Purpose.CASE_MANAGEMENT, objects=[case, subject, *signals, *weighings])
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=removed)
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=added)
    return transfer


def _close(actor, transfer, status, reason):
    transfer.status = status
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.decision_reason = reason
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "new_case_director"])
