"""Writes to the case journal: checked by the access policy, with provenance checked against
the legal-bases data valid today, in a transaction with the case locked, and recorded in the
processing log. There is no update and no delete: a correction is a new entry."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import User
from casustafel.cases.models import Case
from casustafel.governance import services as governance
from casustafel.governance.models import DataCategory
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from .models import TEXT_LIMIT, EntryKind, JournalEntry


@transaction.atomic
def add_entry(
    actor: User,
    *,
    case: Case,
    text: str,
    legal_basis: object = None,
    classification: str = "",
    visibility: str = "",
    data_category: str = DataCategory.PLAN_OF_ACTION,
    corrects_id: uuid.UUID | str | None = None,
    via_api: bool = False,
) -> JournalEntry:
    """Add an update to ``case``'s journal with its provenance (``policy.Action.JOURNAL_WRITE``).

    ``corrects_id``: the entry this one corrects — an entry of the same case by the actor's own
    organisation (Wet PGA art. 10: the supplier corrects); the original stays, marked corrected.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.JOURNAL_WRITE, case)
    organisation = policy.organisation_of(actor)
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Schrijf de update.")
    elif len(text) > TEXT_LIMIT:
        errors["text"] = _("Maximaal %(n)s tekens.") % {"n": TEXT_LIMIT}
    corrected = None
    if corrects_id not in (None, ""):
        try:
            corrected = JournalEntry.objects.get(pk=corrects_id, case=case)
        except (JournalEntry.DoesNotExist, ValueError, TypeError, ValidationError):
            errors["corrects"] = _("Kies een notitie uit het journaal van deze casus.")
        else:
            if corrected.organisation_id != organisation.pk:
                errors["corrects"] = _(
                    "Alleen de organisatie die de notitie schreef, kan haar corrigeren (art. 10 Wet PGA)."
                )
    data_category = data_category or DataCategory.PLAN_OF_ACTION
    basis_set = governance.current_basis_set()
    visibility = visibility or governance.default_visibility(data_category, basis_set)
    basis = governance.resolve_basis(legal_basis)
    errors.update(
        governance.provenance_errors(
            organisation, basis, classification, visibility, data_category=data_category, basis_set=basis_set
        )
    )
    if errors or basis is None:
        raise ValidationError(errors)
    entry = JournalEntry.objects.create(
        case=case,
        kind=EntryKind.CORRECTION if corrected else EntryKind.UPDATE,
        text=text,
        corrects=corrected,
        author=actor,
        organisation=organisation,
        legal_basis=basis,
        classification=classification,
        visibility=visibility,
        data_category=data_category,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[entry], via_api=via_api)
    return entry
