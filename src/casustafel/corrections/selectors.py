"""Reads of corrections (art. 10 Wet PGA): the history under an item, and the meldingen in
an organisation's work queue. Every read that shows one is logged."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused
from casustafel.signals.models import Signal
from casustafel.weighing.models import Contribution, Weighing

from .models import Correction, CorrectionNotice


def attach_histories(user: Any, items: list, *, purpose: Purpose) -> None:
    """Set ``item.corrections`` (oldest first) on each item the caller already sees, with who,
    when, which fields and why — never the earlier values. One query for all items."""
    if not items:
        return
    item_type = ContentType.objects.get_for_model(type(items[0]))
    by_item: dict[Any, list] = defaultdict(list)
    rows = list(
        Correction.objects.filter(item_type=item_type, item_id__in=[item.pk for item in items]).select_related(
            "corrected_by", "corrected_by_organisation"
        )
    )
    for row in rows:
        by_item[row.item_id].append(row)
    labels = {field.name: field.verbose_name for field in type(items[0])._meta.fields}
    for item in items:
        item.corrections = by_item.get(item.pk, [])
        for row in item.corrections:
            row.field_labels = [str(labels.get(name, name)) for name in row.fields]
    if rows:
        record(user, action=Action.READ, purpose=purpose, objects=rows)


def open_notices(user: Any, *, limit: int = 10, log: bool = True) -> list[CorrectionNotice]:
    """Meldingen of art. 10 to the caller's organisation not yet handled, oldest first
    (``log``: record the listing; false for a count that shows nothing)."""
    if not policy.can(user, policy.Action.CORRECTION_NOTICE_HANDLE):
        return []
    notices = list(
        CorrectionNotice.objects.filter(organisation_id=user.organisation_id, done_at__isnull=True)
        .select_related("correction__corrected_by", "correction__corrected_by_organisation")
        .order_by("correction__corrected_at")[:limit]
    )
    types = {
        row.correction.item_type_id: ContentType.objects.get_for_id(row.correction.item_type_id) for row in notices
    }
    contribution_ids = [
        n.correction.item_id for n in notices if types[n.correction.item_type_id].model == "contribution"
    ]
    signal_ids = [n.correction.item_id for n in notices if types[n.correction.item_type_id].model == "signal"]
    # Art. 6 lid 3: an item of a case closed since is blocked; its melding leaves the queue.
    visible_weighings = policy.scope_weighings(user, Weighing.objects.all())
    contributions = Contribution.objects.filter(pk__in=contribution_ids, weighing__in=visible_weighings)
    weighing_of, reference_of = {}, {}
    for pk, weighing_id, reference in contributions.values_list("pk", "weighing_id", "weighing__reference"):
        weighing_of[pk], reference_of[pk] = weighing_id, reference
    reference_of.update(
        policy.scope_signals(user, Signal.objects.filter(pk__in=signal_ids)).values_list("pk", "reference")
    )
    visible = set(reference_of)
    notices = [n for n in notices if n.correction.item_id in visible]
    for notice in notices:
        # For the template: where the item lives (a contribution is shown on its weighing).
        setattr(notice, "item_kind", types[notice.correction.item_type_id].model)  # noqa: B010
        setattr(notice, "weighing_id", weighing_of.get(notice.correction.item_id))  # noqa: B010
        setattr(notice, "item_reference", reference_of[notice.correction.item_id])  # noqa: B010
    if notices and log:
        record(user, action=Action.LIST, purpose=Purpose.INTAKE, objects=[n.correction for n in notices])
    return notices


def get_notice(user: Any, pk: Any) -> CorrectionNotice:
    """A melding the caller's organisation handles (404 otherwise, logged)."""
    try:
        notice = CorrectionNotice.objects.select_related("correction").filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        notice = None
    if notice is None or not policy.can(user, policy.Action.CORRECTION_NOTICE_HANDLE, notice):
        record_refused(user, action=Action.READ, purpose=Purpose.INTAKE, model=CorrectionNotice, pk=pk)
        raise Http404
    return notice


def get_contribution(user: Any, pk: Any) -> Contribution:
    """A contribution of a weighing the caller sees (not of a blocked case, art. 6 lid 3) whose
    content the caller may see; "not found" otherwise (logged). Logged as a read."""
    visible = policy.scope_weighings(user, Weighing.objects.all())
    try:
        contribution = Contribution.objects.select_related("weighing").filter(pk=pk, weighing__in=visible).first()
    except (ValueError, TypeError, ValidationError):
        contribution = None
    if contribution is None or not policy.can(user, policy.Action.ITEM_VIEW, contribution):
        record_refused(user, action=Action.READ, purpose=Purpose.WEIGHING, model=Contribution, pk=pk)
        raise Http404
    record(user, action=Action.READ, purpose=Purpose.WEIGHING, objects=[contribution])
    return contribution
