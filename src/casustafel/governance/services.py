"""Writes of information governance: provenance checks, ambtsberichten, transparency,
objections and access requests. Access decisions come from ``policy``; every write of
personal data is recorded in the processing log in the same transaction."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.access.policy import Visibility
from casustafel.accounts.models import OrganisationKind, User
from casustafel.core.identity import encrypt
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from .models import (
    AccessRequest,
    Classification,
    DataCategory,
    LegalBasis,
    LegalBasisSet,
    LegalBasisUse,
    Objection,
    RestrictedDocument,
    WithheldData,
    WithholdingReason,
)
from .selectors import classification_rules, current_basis_set, data_category_rules
from .selectors import default_visibility as selectors_default_visibility

# ---------------------------------------------------------------- provenance


def resolve_basis(value, use: str = LegalBasisUse.SHARING) -> LegalBasis | None:
    """A LegalBasis from an instance or a code; ``None`` when empty or unknown. A code resolves
    to the basis of the newest (active) version that has it; an old version's basis is found
    too, so that it is refused with its own message."""
    if value in (None, ""):
        return None
    if isinstance(value, LegalBasis):
        return value
    # Looked up by code alone, so a basis for the wrong use is refused with its own message.
    return LegalBasis.objects.filter(code=value).order_by("-is_active", "-basis_set__version").first()


def provenance_errors(
    organisation,
    legal_basis,
    classification: str,
    visibility: str,
    field_prefix: str = "",
    *,
    data_category: str | None = None,
    basis_set: LegalBasisSet | None = None,
) -> dict:
    """Why this provenance cannot be recorded (empty: it can). Messages name the field.

    Against the version of the legal-bases data valid today: its bases (item 10), the art. 8
    special categories it permits (others refused, by name), the art. 4 category (a–h) with
    the visibility it allows (h: narrower) and the basis it requires (f: Wpg art. 20, g: Wjsg).
    """
    kind = organisation.kind
    errors: dict[str, str] = {}
    basis_field, class_field, vis_field, cat_field = (
        f"{field_prefix}legal_basis",
        f"{field_prefix}classification",
        f"{field_prefix}visibility",
        f"{field_prefix}data_category",
    )
    basis_set = basis_set or current_basis_set()
    rules = classification_rules(basis_set)
    refused = basis_set.refused_classifications if basis_set else {}
    categories = data_category_rules(basis_set)
    if classification in refused:
        errors[class_field] = refused[classification].get("message") or _(
            "Classificatie: deze bijzondere categorie mag niet worden verwerkt (art. 8 Wet PGA)."
        )
    elif classification not in Classification.values or (rules and classification not in rules):
        errors[class_field] = _("Kies een geldige classificatie.")
    if visibility not in Visibility.values:
        errors[vis_field] = _("Kies voor wie dit zichtbaar is.")
    category_rule: dict = {}
    if categories:
        if data_category not in categories or data_category not in DataCategory.values:
            errors[cat_field] = _("Categorie: kies de categorie van art. 4 Wet PGA (a–h) waartoe deze gegevens horen.")
        else:
            category_rule = {**categories[data_category], "code": data_category}
            allowed = category_rule.get("visibilities") or Visibility.values
            if vis_field not in errors and visibility not in allowed:
                errors[vis_field] = _(
                    "Zichtbaar voor: %(category)s zijn niet voor %(visibility)s; kies %(allowed)s."
                ) % {
                    "category": DataCategory(category_rule["code"]).label,
                    "visibility": Visibility(visibility).label.lower(),
                    "allowed": _(" of ").join(str(Visibility(v).label).lower() for v in allowed),
                }
    if legal_basis is None:
        errors[basis_field] = _(
            "Grondslag: kies de wettelijke grondslag waarop uw organisatie dit deelt. "
            "Zonder grondslag wordt niets gedeeld."
        )
        return errors
    if basis_set is not None and legal_basis.basis_set_id != basis_set.pk:
        errors[basis_field] = _(
            "Grondslag: ‘%(basis)s’ geldt alleen voor vastleggingen van vóór %(date)s; kies een grondslag "
            "van de Wet PGA (grondslagen versie %(version)s)."
        ) % {
            "basis": legal_basis.label,
            "date": date_format(basis_set.valid_from, "j F Y") if basis_set.valid_from else "",
            "version": basis_set.version,
        }
    elif legal_basis.use != LegalBasisUse.SHARING or not legal_basis.is_active:
        errors[basis_field] = _(
            "Grondslag: ‘%(basis)s’ is geen actieve grondslag voor het verstrekken van gegevens."
        ) % {"basis": legal_basis.label}
    elif kind not in legal_basis.organisation_kinds:
        errors[basis_field] = _("Grondslag: ‘%(basis)s’ is niet beschikbaar voor %(kind)s.") % {
            "basis": legal_basis.label,
            "kind": OrganisationKind(kind).label,
        }
    elif class_field not in errors and classification not in legal_basis.classifications:
        errors[class_field] = _(
            "Classificatie: %(classification)s mag niet worden gedeeld op grond van ‘%(basis)s’."
        ) % {"classification": Classification(classification).label, "basis": legal_basis.label}
    elif category_rule.get("legal_bases") and legal_basis.code not in category_rule["legal_bases"]:
        errors[cat_field] = _("Categorie: %(category)s worden verstrekt op grond van %(bases)s, niet ‘%(basis)s’.") % {
            "category": DataCategory(category_rule["code"]).label,
            "bases": ", ".join(
                LegalBasis.objects.filter(basis_set=basis_set, code__in=category_rule["legal_bases"]).values_list(
                    "label", flat=True
                )
            ),
            "basis": legal_basis.label,
        }
    rule = rules.get(classification, {})
    if class_field not in errors and rule.get("organisation_kinds") and kind not in rule["organisation_kinds"]:
        errors[class_field] = _("Classificatie: %(classification)s kan niet door %(kind)s worden gedeeld.") % {
            "classification": Classification(classification).label,
            "kind": OrganisationKind(kind).label,
        }
    return errors


def default_visibility(data_category: str | None, basis_set: LegalBasisSet | None = None) -> str:
    """The visibility of an item whose provider did not choose one (art. 4 h: narrower)."""
    return selectors_default_visibility(data_category, basis_set)


def check_provenance(
    organisation, legal_basis, classification, visibility, data_category: str | None = None
) -> LegalBasis | None:
    basis = resolve_basis(legal_basis)
    errors = provenance_errors(organisation, basis, classification, visibility, data_category=data_category)
    if errors:
        raise ValidationError(errors)
    return basis


# ---------------------------------------------------------------- withheld for weighty reasons (art. 4 aanhef)


@transaction.atomic
def record_withheld(
    actor: User, *, subject, weighing=None, data_category: str, reason: str, motivation: str = ""
) -> WithheldData:
    """Record that the actor's organisation withholds data of ``data_category`` about
    ``subject`` (or in ``weighing``) for weighty reasons (Wet PGA art. 4 aanhef). Only who,
    which organisation, when, the category and a reason code with a short motivation: the
    withheld data themselves are never recorded."""
    target = weighing if weighing is not None else subject
    policy.require(actor, policy.Action.WITHHELD_RECORD, target)
    errors = {}
    if data_category not in DataCategory.values:
        errors["data_category"] = _("Kies de categorie van art. 4 Wet PGA (a–h) die u achterhoudt.")
    if reason not in WithholdingReason.values:
        errors["reason"] = _("Kies de zwaarwegende reden.")
    motivation = (motivation or "").strip()
    if reason == WithholdingReason.OTHER and not motivation:
        errors["motivation"] = _("Motiveer kort waarom (zonder persoonsgegevens of inhoud).")
    elif len(motivation) > 300:
        errors["motivation"] = _("Houd de motivering kort: ten hoogste 300 tekens, zonder persoonsgegevens.")
    if weighing is not None and weighing.subject_id != subject.pk:
        errors["weighing"] = _("Deze weging gaat niet over deze persoon.")
    if errors:
        raise ValidationError(errors)
    organisation = policy.organisation_of(actor)
    withheld = WithheldData.objects.create(
        region_id=organisation.region_id,
        subject=subject,
        weighing=weighing,
        organisation=organisation,
        recorded_by=actor,
        data_category=data_category,
        reason=reason,
        motivation=motivation,
    )
    record(
        actor,
        action=Action.CREATE,
        purpose=Purpose.WEIGHING if weighing is not None else Purpose.INTAKE,
        objects=[withheld],
    )
    return withheld


# ---------------------------------------------------------------- NCTV participation gate

#: Organisation kinds that may only take part in a case on a recorded legal basis.
GATED_KINDS = (OrganisationKind.NCTV,)


def participation_errors(organisation, legal_basis, field: str = "legal_basis") -> dict:
    """The NCTV may join a case only with a recorded basis from the participation list."""
    if organisation.kind not in GATED_KINDS:
        return {}
    basis = resolve_basis(legal_basis, LegalBasisUse.PARTICIPATION)
    if basis is None:
        return {
            field: _(
                "De NCTV kan alleen deelnemen met een vastgelegde grondslag (Tijdelijke wet "
                "bestuurlijke maatregelen terrorismebestrijding of Paspoortwet)."
            )
        }
    if (
        basis.use != LegalBasisUse.PARTICIPATION
        or not basis.is_active
        or organisation.kind not in basis.organisation_kinds
    ):
        return {
            field: _("‘%(basis)s’ is geen grondslag waarop %(kind)s aan een casus kan deelnemen.")
            % {"basis": basis.label, "kind": OrganisationKind(organisation.kind).label}
        }
    return {}


# ---------------------------------------------------------------- ambtsberichten


@transaction.atomic
def register_restricted_document(
    actor: User, *, content: str, received_at: date, subject=None, case=None
) -> RestrictedDocument:
    policy.require(actor, policy.Action.RESTRICTED_MANAGE)
    region_id = policy.organisation_of(actor).region_id
    errors = {}
    if not content.strip():
        errors["content"] = _("Neem de inhoud van het ambtsbericht op.")
    if received_at is None:
        errors["received_at"] = _("Geef de datum van ontvangst.")
    elif received_at > timezone.localdate():
        errors["received_at"] = _("De datum van ontvangst ligt in de toekomst.")
    if case is not None and case.region_id != region_id:
        errors["case"] = _("Deze casus hoort niet bij uw casustafel.")
    if subject is None and case is None:
        errors["subject"] = _("Koppel het ambtsbericht aan een casus of aan een bekende persoon.")
    if errors:
        raise ValidationError(errors)
    document = RestrictedDocument.objects.create(
        region_id=region_id,
        subject=subject or case.subject,
        case=case,
        received_at=received_at,
        content_encrypted=encrypt(content.strip()),
        registered_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[document])
    return document


def _managed_document(actor, document) -> RestrictedDocument:
    document = RestrictedDocument.objects.select_for_update().get(pk=document.pk)
    policy.require(actor, policy.Action.RESTRICTED_MANAGE, document)
    return document


@transaction.atomic
def release_summary(actor: User, *, document, summary: str) -> RestrictedDocument:
    """The mayor releases a summary for the case conference (never the content or sources)."""
    document = _managed_document(actor, document)
    if not summary.strip():
        raise ValidationError({"released_summary": _("Schrijf de samenvatting die de tafel mag zien.")})
    document.released_summary = summary.strip()
    document.released_at = timezone.now()
    document.released_by = actor
    document.save(update_fields=["released_summary", "released_at", "released_by"])
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[document])
    return document


@transaction.atomic
def set_designation(actor: User, *, document, user: User, designated: bool) -> RestrictedDocument:
    """The mayor designates (or withdraws) an official of a gemeente of the region as reader."""
    document = _managed_document(actor, document)
    if designated:
        organisation = user.organisation
        if not (
            user.is_active
            and organisation is not None
            and organisation.region_id == document.region_id
            and organisation.kind == OrganisationKind.GEMEENTE
        ):
            raise ValidationError(
                {"user": _("Alleen medewerkers van een gemeente van deze casustafel kunnen worden aangewezen.")}
            )
        document.designated_readers.add(user)
    else:
        document.designated_readers.remove(user)
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[document])
    return document


# ---------------------------------------------------------------- objections (informing the person: informing.py)


def _managed_case(actor, case):
    """Lock the case (its own class: governance does not import the cases app) and require
    that the actor manages it."""
    case = type(case).objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_MANAGE, case)
    return case


@transaction.atomic
def register_objection(actor: User, *, case, received_on: date, summary: str) -> Objection:
    case = _managed_case(actor, case)
    errors = {}
    if received_on is None or received_on > timezone.localdate():
        errors["received_on"] = _("Geef een datum van ontvangst die niet in de toekomst ligt.")
    if not summary.strip():
        errors["summary"] = _("Beschrijf het bezwaar.")
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        case=case, received_on=received_on, summary=summary.strip(), registered_by=actor
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[objection])
    return objection


@transaction.atomic
def handle_objection(actor: User, *, objection, outcome: str, rationale: str) -> Objection:
    objection = Objection.objects.select_for_update().select_related("case").get(pk=objection.pk)
    _managed_case(actor, objection.case)
    errors = {}
    if objection.status == Objection.HANDLED:
        errors["status"] = _("Dit bezwaar is al afgehandeld.")
    if outcome not in Objection.Outcome.values:
        errors["outcome"] = _("Kies de uitkomst.")
    if not rationale.strip():
        errors["outcome_rationale"] = _("Motiveer de uitkomst.")
    if errors:
        raise ValidationError(errors)
    objection.status, objection.outcome = Objection.HANDLED, outcome
    objection.outcome_rationale, objection.handled_at, objection.handled_by = rationale.strip(), timezone.now(), actor
    objection.save()
    record(actor, action=Action.TRANSITION, purpose=Purpose.CASE_MANAGEMENT, objects=[objection])
    return objection


# ---------------------------------------------------------------- access requests


@transaction.atomic
def register_access_request(
    actor: User, *, subject, received_on: date, exempted_references=(), exemption_ground: str = ""
) -> AccessRequest:
    policy.require(actor, policy.Action.ACCESS_REQUEST_HANDLE)
    references = sorted({r.strip() for r in exempted_references if r.strip()})
    errors = {}
    if received_on is None or received_on > timezone.localdate():
        errors["received_on"] = _("Geef een datum van ontvangst die niet in de toekomst ligt.")
    if references and not exemption_ground.strip():
        errors["exemption_ground"] = _("Geef de grond waarop onderdelen worden uitgezonderd.")
    if errors:
        raise ValidationError(errors)
    request = AccessRequest.objects.create(
        region_id=policy.organisation_of(actor).region_id,
        subject=subject,
        received_on=received_on,
        exempted_references=references,
        exemption_ground=exemption_ground.strip(),
        registered_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[request])
    return request
