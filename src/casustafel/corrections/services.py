"""Correcting supplied data and handling the melding, Wet PGA art. 10 (ADR 0032).

Art. 10: personal data found to be incorrect are corrected without delay, and a melding goes
to the organisation the data came from, so that it can check its own files and correct them
after validation. In Casustafel the organisation an item came from is its supplier (the
provenance of ADR 0012: ``Signal.registered_by_organisation``, ``Contribution.organisation``);
only the supplier corrects what it supplied, and the melding lands in its own work queue —
the people who keep its source systems need not be the one who corrected here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.core.concurrency import check_version
from casustafel.core.identity import decrypt, encrypt
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.signals.models import Signal
from casustafel.weighing.models import Contribution, Weighing

from .models import Correction, CorrectionNotice

if TYPE_CHECKING:
    from casustafel.accounts.models import User

#: The content fields a supplier may correct, per item type; the other fields (provenance,
#: status, dates) are not statements about the person.
CORRECTABLE: dict[type, tuple[str, ...]] = {
    Signal: ("facts", "opinions", "counter_indications"),
    Contribution: ("information", "view_rationale"),
}
#: Fields that may not become empty.
REQUIRED = {"facts", "view_rationale"}
REASON_LIMIT = 2000

PURPOSE = {Signal: Purpose.INTAKE, Contribution: Purpose.WEIGHING}


def _locked_visible(actor: User, item: Signal | Contribution) -> Signal | Contribution:
    """The item again, row-locked, if the actor still sees it (a blocked case's signals and
    contributions are not: art. 6 lid 3), else "not found"."""
    model = type(item)
    locked = model.objects.select_for_update().filter(pk=item.pk).first()
    if locked is None:
        raise Http404
    if isinstance(locked, Signal):
        visible = policy.scope_signals(actor, Signal.objects.filter(pk=locked.pk)).exists()
    else:
        visible = policy.scope_weighings(actor, Weighing.objects.filter(pk=locked.weighing_id)).exists()
    if not visible:
        raise Http404
    return locked


def correct_item(
    actor: User,
    *,
    item: Signal | Contribution,
    changes: dict[str, Any],
    reason: str,
    expected_version: int | None = None,
) -> Correction:
    """Correct the content fields of ``item`` its organisation supplied (art. 10 Wet PGA).

    Refused with a ValidationError (nothing written) without a reason, without any change, or
    emptying a required field; PolicyDenied for anyone but the supplier's people who may see it;
    StaleVersion when the item changed since ``expected_version`` was read (ADR 0052).
    """
    fields = CORRECTABLE[type(item)]
    with transaction.atomic():
        locked = _locked_visible(actor, item)
        policy.require(actor, policy.Action.ITEM_CORRECT, locked)
        check_version(locked, expected_version)
        organisation = policy.organisation_of(actor)
        reason = (reason or "").strip()
        errors: dict[str, list] = {}
        if not reason:
            errors["reason"] = [_("Geef de reden van de correctie (art. 10 Wet PGA).")]
        elif len(reason) > REASON_LIMIT:
            errors["reason"] = [_("De reden is te lang.")]
        changed: dict[str, str] = {}
        for name in fields:
            if name not in changes:
                continue
            value = (changes[name] or "").strip()
            if name in REQUIRED and not value:
                errors[name] = [_("Dit veld mag niet leeg worden; corrigeer het, of laat het ongewijzigd.")]
            elif value != (getattr(locked, name) or "").strip():
                changed[name] = value
        if not changed and not errors:
            errors[NON_FIELD_ERRORS] = [_("Er is niets gewijzigd; een correctie verandert ten minste één veld.")]
        if errors:
            raise ValidationError(errors)
        previous = {name: getattr(locked, name) for name in changed}
        for name, value in changed.items():
            setattr(locked, name, value)
        # Only the corrected fields: a correction is not a new contribution (``updated_at``
        # stays, so it does not make a stale contribution fresh).
        locked.save(update_fields=list(changed))
        region_id = locked.region_id if isinstance(locked, Signal) else locked.weighing.region_id
        correction = Correction.objects.create(
            region_id=region_id,
            subject_id=locked.subject_id,
            item=locked,
            fields=list(changed),
            previous_values=encrypt(json.dumps(previous)),
            reason=reason,
            corrected_by=actor,
            corrected_by_organisation=organisation,
        )
        CorrectionNotice.objects.create(correction=correction, organisation_id=policy.provenance_origin_id(locked))
        record(actor, action=Action.UPDATE, purpose=PURPOSE[type(locked)], objects=[locked, correction])
    return correction


def previous_values(correction: Correction) -> dict[str, str]:
    """The earlier values, for the log and an audit only; no page shows them."""
    return json.loads(decrypt(correction.previous_values))


def mark_notice_done(actor: User, *, notice: CorrectionNotice) -> CorrectionNotice:
    """Someone of the organisation the data came from has checked its own records (art. 10)."""
    with transaction.atomic():
        locked = CorrectionNotice.objects.select_for_update().select_related("correction").get(pk=notice.pk)
        policy.require(actor, policy.Action.CORRECTION_NOTICE_HANDLE, locked)
        if locked.done_at is not None:
            raise ValidationError(_("Deze melding is al afgehandeld."), code="done")
        locked.done_at = timezone.now()
        locked.done_by = actor
        locked.save(update_fields=["done_at", "done_by"])
        record(actor, action=Action.UPDATE, purpose=purpose_of(locked.correction), objects=[locked])
    return locked


def purpose_of(correction: Correction) -> Purpose:
    model = ContentType.objects.get_for_id(correction.item_type_id).model_class()
    return Purpose.WEIGHING if model is Contribution else Purpose.INTAKE
