"""Reads of conferences through the access policy; reads of personal data are logged."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.cases import states as case_states
from casustafel.cases.models import Case, CaseParticipant
from casustafel.flow.selectors import reopening_proposals
from casustafel.plans.selectors import reviews_due
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import ActionStatus, AgendaItem, Decision, ItemReason, Meeting, MeetingAction
from .states import CANCELLED

#: Cases the table works on at its conferences (a scaled-down case leaves the agenda).
AGENDA_STATES = (case_states.ACTIVE, case_states.REOPENED)


def visible_meetings(user):
    return (
        policy.scope_meetings(user, Meeting.objects.select_related("chair"))
        .annotate(item_count=Count("items", distinct=True), invitation_count=Count("invitations", distinct=True))
        .order_by("-starts_at", "id")
    )  # aggregation drops Meta.ordering


def get_meeting(user, pk, *, via_api: bool = False) -> Meeting:
    try:
        return policy.scope_meetings(user, Meeting.objects.select_related("chair", "region")).get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=Meeting, pk=pk, via_api=via_api)
        raise Http404 from None


def _item_queryset():
    return AgendaItem.objects.select_related("case__subject", "meeting").prefetch_related(
        Prefetch("case__participants", queryset=CaseParticipant.objects.select_related("organisation")),
        Prefetch("decisions", queryset=Decision.objects.select_related("recorded_by")),
        Prefetch("actions", queryset=MeetingAction.objects.select_related("owner", "case")),
    )


def _log_items(user, items, *, via_api: bool, action: Action = Action.READ) -> list:
    items = list(items)
    content = [obj for item in items for obj in (item, *item.decisions.all(), *item.actions.all())]
    record(user, action=action, purpose=Purpose.CASE_MANAGEMENT, objects=content, via_api=via_api)
    return items


def agenda(user, meeting: Meeting, *, via_api: bool = False) -> list[AgendaItem]:
    """The agenda items of ``meeting`` that ``user`` may see (need-to-know), logged."""
    items = policy.scope_agenda_items(user, _item_queryset().filter(meeting=meeting))
    return _log_items(user, items, via_api=via_api)


def agenda_for_organisation(user, meeting: Meeting, organisation) -> list[AgendaItem]:
    """What ``organisation`` may see of ``meeting`` (the printable agenda), exported by ``user``:
    the file leaves the system, so every item, decision and action in it is logged as an export."""
    if not policy.can(user, policy.Action.MEETING_PRINT, organisation):
        raise Http404
    items = policy.scope_agenda_items_for_organisation(organisation, _item_queryset().filter(meeting=meeting))
    return _log_items(user, items, via_api=False, action=Action.EXPORT)


def get_item(user, pk, *, via_api: bool = False) -> AgendaItem:
    try:
        return policy.scope_agenda_items(user, AgendaItem.objects.select_related("meeting", "case")).get(pk=pk)
    except (AgendaItem.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(
            user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=AgendaItem, pk=pk, via_api=via_api
        )
        raise Http404 from None


def get_action(user, pk, *, via_api: bool = False) -> MeetingAction:
    visible_items = policy.scope_agenda_items(user, AgendaItem.objects.all())
    try:
        return (
            MeetingAction.objects.select_related("case", "owner", "item__meeting")
            .filter(item__in=visible_items)
            .get(pk=pk)
        )
    except (MeetingAction.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(
            user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, model=MeetingAction, pk=pk, via_api=via_api
        )
        raise Http404 from None


def previous_meeting(meeting: Meeting):
    return (
        Meeting.objects.filter(region_id=meeting.region_id, starts_at__lt=meeting.starts_at)
        .exclude(status=CANCELLED)
        .order_by("-starts_at")
        .first()
    )


def agenda_suggestions(meeting: Meeting) -> list[tuple[Case, str]]:
    """Cases that belong on the agenda and are not on it yet: new inclusions since the
    previous conference, cases with open actions past their due date, and cases whose
    plan of action is due for review by the day of the conference; and closed or
    scaled-down cases with a new signal about the person (a proposal to reopen)."""

    on_agenda = meeting.items.values("case_id")
    cases = (
        Case.objects.filter(region_id=meeting.region_id, status__in=AGENDA_STATES, opened_at__lt=meeting.starts_at)
        .exclude(pk__in=on_agenda)
        .select_related("subject")
    )
    previous = previous_meeting(meeting)
    new = cases.filter(opened_at__gt=previous.starts_at) if previous else cases
    overdue = cases.filter(
        meeting_actions__status=ActionStatus.OPEN, meeting_actions__due_date__lt=meeting.starts_at.date()
    ).distinct()
    found = {case.pk: (case, ItemReason.NEW_INCLUSION) for case in new}
    for case in overdue:
        found.setdefault(case.pk, (case, ItemReason.OVERDUE_ACTIONS))
    for case in (
        reviews_due(meeting.region_id, meeting.starts_at.date())
        .filter(status__in=AGENDA_STATES, opened_at__lt=meeting.starts_at)
        .exclude(pk__in=on_agenda)
    ):
        found.setdefault(case.pk, (case, ItemReason.REVIEW_DUE))
    for case in reopening_proposals(meeting.region_id).exclude(pk__in=on_agenda):
        found.setdefault(case.pk, (case, ItemReason.REOPEN_PROPOSAL))
    return sorted(found.values(), key=lambda pair: pair[0].opened_at)


def open_actions_of_case(case) -> list[str]:
    """Open conference actions of ``case`` (a check for ``cases.closure``), in Dutch."""
    return [
        _("actie '%(description)s' van %(owner)s (uiterlijk %(due)s)")
        % {
            "description": action.description[:80],
            "owner": action.owner.name,
            "due": date_format(action.due_date, "d-m-Y"),
        }
        for action in MeetingAction.objects.filter(case_id=case.pk, status=ActionStatus.OPEN).select_related("owner")
    ]


def items_for_cases(user, case_ids) -> list[AgendaItem]:
    """The agenda items (with decisions and actions) of the cases ``case_ids`` that ``user``
    may see (need-to-know per organisation), in a fixed number of queries, logged: for the
    timeline of a case or a person."""
    items = policy.scope_agenda_items(
        user,
        AgendaItem.objects.filter(case_id__in=list(case_ids))
        .select_related("meeting", "case")
        .prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.select_related("item__case")),
            Prefetch("actions", queryset=MeetingAction.objects.select_related("owner", "case")),
        ),
    )
    return _log_items(user, items, via_api=False)
