"""Where the events of the webhooks happen, and where the weighing takes an aanmelding on:
Django ``post_save`` receivers on the rows those changes write, so no domain service changes.

Each receiver queues its event in the change's own transaction (a transactional outbox, ADR
0045): the delivery rows commit together with the change or not at all, so a process that dies
right after the commit loses no event, and a rolled-back change leaves none. The price is the
recipients' and subscriptions' lookup (two queries) in the write path of the five changes that
produce an event, counted in tests/test_write_query_counts.py."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django.db.models.signals import post_save, pre_delete

from casustafel.cases import states as case_states
from casustafel.cases.models import CaseParticipant, CaseTransfer, CaseTransition, TransferStatus
from casustafel.meetings.models import AgendaItem, MeetingAction
from casustafel.signals import states as signal_states
from casustafel.signals.models import IntakeRoute, SignalTransition

from . import services, webhooks
from .models import EventType


def _participants(case_id) -> list:
    return list(CaseParticipant.objects.filter(case_id=case_id).values_list("organisation_id", flat=True))


def _queue(event_type: str, *, organisations: Callable[[], Iterable], source_key: str, **ids) -> None:
    """Queue the event in the caller's transaction: it commits with the change or not at all."""
    webhooks.enqueue(event_type, organisation_ids=organisations(), source_key=source_key, **ids)


def _on_case_transition(sender, instance, created, **kwargs):
    if created and instance.target == case_states.CLOSED:
        case_id = instance.case_id
        _queue(
            EventType.CASE_CLOSED,
            organisations=lambda: _participants(case_id),
            source_key=f"case-transition:{instance.pk}",
            case=case_id,
            occurred_at=instance.at,
        )


#: Participants removed from a case in this thread's current work, by case: accepting a transfer
#: replaces the sending table's participants before the transfer is saved, and they are the ones
#: to tell that the case left them.
_removed = threading.local()


def _on_participant_removed(sender, instance, **kwargs):
    removed = getattr(_removed, "by_case", None)
    if removed is None or len(removed) > 1000:
        removed = _removed.by_case = {}
    removed.setdefault(instance.case_id, set()).add(instance.organisation_id)


def _on_transfer(sender, instance, created, **kwargs):
    if instance.status == TransferStatus.ACCEPTED:
        case_id = instance.case_id
        earlier = getattr(_removed, "by_case", {}).pop(case_id, set())
        _queue(
            EventType.CASE_TRANSFERRED,
            organisations=lambda: {*earlier, *_participants(case_id)},
            source_key=f"transfer:{instance.pk}",
            case=case_id,
            occurred_at=instance.decided_at,
        )


def _on_action(sender, instance, created, **kwargs):
    if created:
        owner = instance.owner_id
        _queue(
            EventType.ACTION_ASSIGNED,
            organisations=lambda: [owner],
            source_key=f"meeting-action:{instance.pk}",
            case=instance.case_id,
            occurred_at=instance.created_at,
        )


def _on_agenda_item(sender, instance, created, **kwargs):
    if created:
        case_id = instance.case_id
        _queue(
            EventType.MEETING_SCHEDULED,
            organisations=lambda: _participants(case_id),
            source_key=f"agenda-item:{instance.pk}",
            case=case_id,
            meeting=instance.meeting_id,
            occurred_at=instance.added_at,
        )


_NOT_ACCEPTED = (signal_states.REFERRED, signal_states.NO_ACTION)


def _on_signal_transition(sender, instance, created, **kwargs):
    if not created:
        return
    if instance.target == signal_states.IN_WEIGHING:
        services.weighing_took_on(instance.signal_id)
    elif instance.target in _NOT_ACCEPTED:
        signal = instance.signal
        if signal.intake_route == IntakeRoute.REFERRAL:
            # Art. 5 lid 6: the registering participant is told the case does not go to the casusoverleg.
            registrant = signal.registered_by_organisation_id
            _queue(
                EventType.REGISTRATION_NOT_ACCEPTED,
                organisations=lambda: [registrant],
                source_key=f"signal-transition:{instance.pk}",
                signal=signal.pk,
                occurred_at=instance.at,
            )


def connect():
    post_save.connect(_on_case_transition, sender=CaseTransition, dispatch_uid="partners.case_closed")
    pre_delete.connect(_on_participant_removed, sender=CaseParticipant, dispatch_uid="partners.participant_removed")
    post_save.connect(_on_transfer, sender=CaseTransfer, dispatch_uid="partners.case_transferred")
    post_save.connect(_on_action, sender=MeetingAction, dispatch_uid="partners.action_assigned")
    post_save.connect(_on_agenda_item, sender=AgendaItem, dispatch_uid="partners.meeting_scheduled")
    post_save.connect(_on_signal_transition, sender=SignalTransition, dispatch_uid="partners.signal_transition")
