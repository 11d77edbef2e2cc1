"""The flow of the region in numbers, for the process director (issue 13 item 1).

Every number is either

* a *list number*: counted on exactly the queryset (or rows) that the list behind it shows —
  one function per kind in :data:`LISTS`, read through the policy's ``scope_*`` functions and
  the domain apps' selectors, the way the work queue (``work.queue``) reads them — so a number
  and its list cannot disagree; or
* a *region number*: the signal side's work (signals waiting, weighings open), which the
  process director may count (``Action.INSIGHT_FLOW_VIEW``) but not open — those lists are
  need-to-know of the intake officers and the weegploeg — so it is shown without a link.

A number is a count, never a person; the list behind it is a person-level page and records
what it listed in the processing log, as every list does.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casustafel.access import policy
from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.meetings import states as meeting_states
from casustafel.meetings.models import ActionStatus, AgendaItem, Meeting, MeetingAction
from casustafel.plans.models import CoordinationTask, Intervention, Plan
from casustafel.plans.selectors import drift_reasons
from casustafel.reporting.periods import Period, Quarter
from casustafel.reporting.scope import Scope
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal
from casustafel.weighing import states as weighing_states
from casustafel.weighing.models import Weighing
from casustafel.work.queue import LOOKAHEAD_DAYS

from . import monitor

#: Age bands of waiting work, in whole days since it came in: (first day, last day or None, label).
AGE_BANDS: tuple[tuple[int, int | None, Promise], ...] = (
    (0, 2, _("0–2 dagen")),
    (3, 7, _("3–7 dagen")),
    (8, 14, _("8–14 dagen")),
    (15, None, _("langer dan 14 dagen")),
)


@dataclass(frozen=True)
class Band:
    label: Promise
    count: int


@dataclass(frozen=True)
class Number:
    """One figure of the flow: a count, and the list behind it when the user may open it."""

    kind: str
    label: Promise
    count: int
    url: str | None = None
    bands: tuple[Band, ...] = ()
    note: Promise | str = ""


@dataclass(frozen=True)
class Row:
    """One line of a list behind a number: a reference and a link, what and when — no name."""

    reference: str
    path: str
    detail: Promise | str
    on: date | None
    overdue: bool = False
    #: The case recorded in the processing log when the row is listed (None: no personal data).
    case: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class FlowList:
    kind: str
    url_name: str
    label: Promise
    explanation: Promise
    rows: Callable[[Any, date], list[Row]]
    count: Callable[[Any, date], int]


# ---------------------------------------------------------------- the lists behind the numbers


def _followed_open_cases(user) -> QuerySet:
    """The open cases the director follows (``policy.scope_followed_cases``), as a subquery."""
    return policy.scope_followed_cases(user, Case.objects.filter(status__in=case_states.OPEN_STATES)).values("pk")


def _planned_meetings(user, today: date) -> QuerySet:
    moment = timezone.make_aware(datetime.combine(today, time.min))
    return policy.scope_meetings(
        user, Meeting.objects.filter(status=meeting_states.PLANNED, starts_at__gte=moment)
    ).order_by("starts_at", "id")


def _meeting_rows(user, today: date) -> list[Row]:
    return [
        Row(
            reference=timezone.localtime(m.starts_at).strftime("%d-%m-%Y %H:%M"),
            path=reverse("meetings:meeting_detail", args=[m.pk]),
            detail=m.location,
            on=timezone.localdate(m.starts_at),
        )
        for m in _planned_meetings(user, today)
    ]


def _reviews_due(user, today: date) -> QuerySet:
    """Plans whose review (evaluatie) is due within two weeks or has passed, as in the work queue."""
    if not policy.can(user, policy.Action.PLAN_FOLLOW_UP):
        return Plan.objects.none()
    return (
        Plan.objects.filter(
            case__in=_followed_open_cases(user), next_review_due__lte=today + timedelta(days=LOOKAHEAD_DAYS)
        )
        .select_related("case")
        .order_by("next_review_due", "pk")
    )


def _review_rows(user, today: date) -> list[Row]:
    return [
        Row(
            reference=p.case.reference,
            path=reverse("plans:plan", args=[p.case_id]),
            detail=_("Evaluatie van het plan van aanpak"),
            on=p.next_review_due,
            overdue=p.next_review_due < today,
            case=p.case,
        )
        for p in _reviews_due(user, today)
    ]


def _overdue_actions(user, today: date) -> QuerySet:
    """Open actions agreed in a case conference whose date has passed (the items the user sees)."""
    if not policy.can(user, policy.Action.MEETING_VIEW):
        return MeetingAction.objects.none()
    items = policy.scope_agenda_items(user, AgendaItem.objects.all())
    return (
        MeetingAction.objects.filter(status=ActionStatus.OPEN, due_date__lt=today, item__in=items.values("pk"))
        .select_related("case", "item", "owner")
        .order_by("due_date", "pk")
    )


def _action_rows(user, today: date) -> list[Row]:
    return [
        Row(
            reference=a.case.reference,
            path=reverse("meetings:meeting_detail", args=[a.item.meeting_id]),
            detail=_("Actie van %(organisation)s") % {"organisation": a.owner},
            on=a.due_date,
            overdue=True,
            case=a.case,
        )
        for a in _overdue_actions(user, today)
    ]


def _overdue_tasks(user, today: date) -> QuerySet:
    """Coordination tasks (afstemmingsacties) of followed open cases whose date has passed."""
    if not policy.can(user, policy.Action.PLAN_FOLLOW_UP):
        return CoordinationTask.objects.none()
    return (
        CoordinationTask.objects.filter(done=False, due_on__lt=today, plan__case__in=_followed_open_cases(user))
        .select_related("plan__case", "owner")
        .order_by("due_on", "pk")
    )


def _task_rows(user, today: date) -> list[Row]:
    return [
        Row(
            reference=t.plan.case.reference,
            path=reverse("plans:plan", args=[t.plan.case_id]),
            detail=_("Afstemmingsactie van %(organisation)s") % {"organisation": t.owner},
            on=t.due_on,
            overdue=True,
            case=t.plan.case,
        )
        for t in _overdue_tasks(user, today)
    ]


def _drifting(user, today: date) -> list[tuple[Intervention, list[str]]]:
    """Running interventions of followed open cases that drift (``plans.selectors.drift_reasons``):
    two queries, the interventions and their contacts."""
    if not policy.can(user, policy.Action.PLAN_FOLLOW_UP):
        return []
    interventions = (
        Intervention.objects.filter(
            plan__case__in=_followed_open_cases(user), ended_on__isnull=True, starts_on__lte=today
        )
        .select_related("entry", "plan__case")
        .prefetch_related("contacts")
        .order_by("plan__case__reference", "starts_on", "pk")
    )
    rows = []
    for intervention in interventions:
        # drift_reasons reads the contacts in date order; the prefetch keeps Contact's Meta ordering.
        reasons = drift_reasons(intervention, today)
        if reasons:
            rows.append((intervention, reasons))
    return rows


def _drift_rows(user, today: date) -> list[Row]:
    return [
        Row(
            reference=i.plan.case.reference,
            path=reverse("plans:plan", args=[i.plan.case_id]),
            detail=f"{i.entry.name}: {' '.join(str(r) for r in reasons)}",
            on=i.planned_end,
            overdue=i.planned_end < today,
            case=i.plan.case,
        )
        for i, reasons in _drifting(user, today)
    ]


LISTS: dict[str, FlowList] = {
    flow.kind: flow
    for flow in (
        FlowList(
            "meetings_planned",
            "insight:flow_meetings",
            _("Geplande casusoverleggen"),
            _("Casusoverleggen van uw regio die gepland zijn, vanaf vandaag."),
            _meeting_rows,
            lambda user, today: _planned_meetings(user, today).count(),
        ),
        FlowList(
            "reviews_due",
            "insight:flow_reviews",
            _("Evaluaties die eraan komen of verlopen zijn"),
            _("Plannen van aanpak van lopende casussen waarvan de evaluatie binnen twee weken valt of verlopen is."),
            _review_rows,
            lambda user, today: _reviews_due(user, today).count(),
        ),
        FlowList(
            "actions_overdue",
            "insight:flow_actions",
            _("Acties uit het casusoverleg over de termijn"),
            _("Open acties uit casusoverleggen waarvan de datum verstreken is."),
            _action_rows,
            lambda user, today: _overdue_actions(user, today).count(),
        ),
        FlowList(
            "tasks_overdue",
            "insight:flow_tasks",
            _("Afstemmingsacties over de termijn"),
            _("Open afstemmingsacties in plannen van aanpak waarvan de datum verstreken is."),
            _task_rows,
            lambda user, today: _overdue_tasks(user, today).count(),
        ),
        FlowList(
            "interventions_drifting",
            "insight:flow_drifting",
            _("Interventies die stilvallen"),
            _(
                "Lopende interventies zonder recente activiteit, met een niet doorgegaan contact of "
                "voorbij de geplande einddatum."
            ),
            _drift_rows,
            lambda user, today: len(_drifting(user, today)),
        ),
    )
}


# ---------------------------------------------------------------- the numbers


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _aged(queryset: QuerySet, field_name: str, today: date) -> tuple[int, tuple[Band, ...]]:
    """The count and the count per age band, in one query (conditional aggregation)."""
    aggregates = {"total": Count("pk")}
    for index, (first, last, _label) in enumerate(AGE_BANDS):
        condition = Q(**{f"{field_name}__lt": _start_of(today - timedelta(days=first - 1))})
        if last is not None:
            condition &= Q(**{f"{field_name}__gte": _start_of(today - timedelta(days=last))})
        aggregates[f"band{index}"] = Count("pk", filter=condition)
    counted = queryset.aggregate(**aggregates)
    bands = tuple(Band(label, counted[f"band{index}"]) for index, (_f, _l, label) in enumerate(AGE_BANDS))
    return counted["total"], bands


def flow(user, *, today: date | None = None) -> list[Number]:
    """The flow of the user's region (``Action.INSIGHT_FLOW_VIEW``); empty for anyone else."""
    if not policy.can(user, policy.Action.INSIGHT_FLOW_VIEW):
        return []
    today = today or timezone.localdate()
    region_id = user.organisation.region_id
    waiting = Signal.objects.filter(
        region_id=region_id, status__in=(signal_states.RECEIVED, signal_states.IN_PREPARATION)
    )
    signal_count, signal_bands = _aged(waiting, "registered_at", today)
    weighings = Weighing.objects.filter(region_id=region_id, status__in=weighing_states.OPEN_STATES)
    weighing_count, weighing_bands = _aged(weighings, "opened_at", today)
    signal_side = _("Alleen het aantal: de signalen en wegingen zelf zijn voor de intake en de weegploeg.")
    numbers = [
        Number("signals_waiting", _("Signalen die wachten op weging"), signal_count, None, signal_bands, signal_side),
        Number("weighings_open", _("Wegingen die openstaan"), weighing_count, None, weighing_bands, signal_side),
    ]
    for flow_list in LISTS.values():
        numbers.append(
            Number(flow_list.kind, flow_list.label, flow_list.count(user, today), reverse(flow_list.url_name))
        )
    return numbers


def flow_rows(user, kind: str, *, today: date | None = None) -> list[Row]:
    """The rows of the list behind a number (the caller checked ``INSIGHT_FLOW_VIEW``)."""
    return LISTS[kind].rows(user, today or timezone.localdate())


def report_links(user) -> list[tuple[Any, str]]:
    """The pages of aggregates the user may open: the insight pages, and the reports of
    ``reporting`` where installed (aggregates only, never a person-level page)."""
    if not policy.can(user, policy.Action.INSIGHT_VIEW):
        return []
    links = [
        (_("Inzicht: overzicht"), reverse("insight:overview")),
        (_("Herkenningsmonitor: signalen en opname naar groep"), reverse("insight:recognition")),
        (_("Voortgang per maatregel"), reverse("insight:measures")),
    ]
    if policy.can_view_reports(user):
        reports = (
            (_("Jaarverslagen (art. 18 Wet PGA)"), "reporting:annual_list"),
            (_("Raads- en kwartaalrapportage"), "reporting:council_report"),
        )
        for label, name in reports:
            with suppress(NoReverseMatch):  # a report that is not installed is not linked
                links.append((label, reverse(name)))
    return links


def headline(user, *, today: date | None = None) -> list[tuple[Promise, Any]]:
    """Protected headline figures of the user's region this year so far (published cells of
    ``reporting.cube``, "< 5" / "×" where suppressed); generating them is logged."""
    if not policy.can(user, policy.Action.INSIGHT_VIEW):
        return []
    current = Quarter.of(today or timezone.localdate())
    period = Period(Quarter(current.year, 1), current)
    scope = Scope.region(user.organisation.region)
    figures = monitor.headline_figures(scope, period)
    monitor.record_generation(user, [scope])
    return figures


def dashboard_insight(user) -> dict | None:
    """The dashboard's insight block (``Action.INSIGHT_VIEW``): the flow for the process director;
    for the analyst only the way to the protected aggregates and reports (no person-level link)."""
    if not policy.can(user, policy.Action.INSIGHT_VIEW):
        return None
    return {"numbers": flow(user), "links": report_links(user)}
