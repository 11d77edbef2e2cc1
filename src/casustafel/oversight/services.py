"""Writes of the lawfulness advisory committee (Wet PGA art. 15): its advice to the
casusoverleg, and the casusoverleg's response recorded by its chair (the process director)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from .models import Advice, AdviceStatus

if TYPE_CHECKING:
    from casustafel.accounts.models import User


@transaction.atomic
def record_advice(actor: User, *, subject_line: str, text: str) -> Advice:
    """A committee member records an advice or proposal to the casusoverleg of their table."""
    policy.require(actor, policy.Action.COMMITTEE_VIEW)
    organisation = policy.organisation_of(actor)
    errors = {}
    if not (subject_line or "").strip():
        errors["subject_line"] = _("Geef het onderwerp van het advies.")
    if not (text or "").strip():
        errors["text"] = _("Schrijf het advies of voorstel aan het casusoverleg.")
    if errors:
        raise ValidationError(errors)
    advice = Advice.objects.create(
        region_id=organisation.region_id, subject_line=subject_line.strip(), text=text.strip(), recorded_by=actor
    )
    record(actor, action=Action.CREATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[advice])
    return advice


@transaction.atomic
def respond_to_advice(actor: User, *, advice: Advice, response: str) -> Advice:
    """The chair of the casusoverleg records its response; once: the advice is then answered."""
    advice = Advice.objects.select_for_update().get(pk=advice.pk)
    policy.require(actor, policy.Action.ADVICE_RESPOND, advice)
    if advice.status == AdviceStatus.ANSWERED:
        raise ValidationError({"response": _("Op dit advies is al gereageerd.")})
    if not (response or "").strip():
        raise ValidationError({"response": _("Schrijf de reactie van het casusoverleg.")})
    advice.response = response.strip()
    advice.status = AdviceStatus.ANSWERED
    advice.responded_by = actor
    advice.responded_at = timezone.now()
    advice.save(update_fields=["response", "status", "responded_by", "responded_at"])
    record(actor, action=Action.UPDATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[advice])
    return advice
