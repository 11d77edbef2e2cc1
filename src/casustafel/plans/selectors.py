"""Reads of plans, through the access policy (the case is read via cases.selectors)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.cases.selectors import log_listed
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from .models import (
    CatalogueEntry,
    CheckIn,
    Contact,
    Goal,
    InterferenceRule,
    Intervention,
    LifeDomain,
    Plan,
    Review,
    Score,
    checkin_window_days,
    drift_days,
)

GROUP_LABELS = {
    "strafrechtelijk": _("Strafrechtelijke maatregelen"),
    "vreemdelingrechtelijk": _("Vreemdelingrechtelijke maatregelen"),
    "bestuurlijk": _("Bestuurlijke maatregelen"),
    "financieel": _("Financiële maatregelen"),
    "gezin_en_omgeving": _("Gezin en omgeving"),
    "ondersteuning": _("Begeleiding en uittreden"),
    "zorg_en_ondersteuning": _("Zorg en ondersteuning"),
}


def active_entries():
    return CatalogueEntry.objects.filter(is_active=True).select_related("catalogue").order_by("group", "name")


def catalogue_groups() -> list[tuple[str, list[CatalogueEntry]]]:
    groups = defaultdict(list)
    for entry in active_entries():
        groups[entry.group].append(entry)
    return [(str(GROUP_LABELS.get(g, g)), entries) for g, entries in groups.items()]


def active_rules():
    return InterferenceRule.objects.filter(is_active=True)


def plan_queryset():
    return Plan.objects.select_related("case").prefetch_related(
        Prefetch("goals", queryset=Goal.objects.select_related("updated_by")),
        Prefetch(
            "interventions",
            queryset=Intervention.objects.select_related("entry", "organisation", "updated_by").prefetch_related(
                Prefetch("contacts", queryset=Contact.objects.select_related("by__organisation").order_by("date"))
            ),
        ),
        Prefetch("reviews", queryset=Review.objects.select_related("by").prefetch_related("scores")),
        "acknowledgements__rule",
        "acknowledgements__by",
        "coordination_tasks__owner",
        "coordination_tasks__rule",
    )


def plan_for_case(user, case, *, via_api: bool = False) -> Plan | None:
    """The plan of a case the caller has already been allowed to see (``cases.selectors.get_case``).

    A third party reads it only when the three marked plan data (art. 4 e) necessary for it
    (Wet PGA art. 3 lid 3); otherwise this refuses.
    """
    policy.require(user, policy.Action.CASE_PLAN_VIEW, case)
    plan = plan_queryset().filter(case=case).first()
    if plan is not None:
        plan.case = case
        record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[plan], via_api=via_api)
    return plan


def checkins_for_case(user, case, *, via_api: bool = False) -> list:
    """The follow-up moments after closure (opvolgmomenten) of a case the caller may see, logged."""

    checkins = list(CheckIn.objects.filter(case=case).select_related("organisation").order_by("due_on"))
    for checkin in checkins:
        checkin.case = case
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=checkins, via_api=via_api)
    return checkins


# ------------------------------------------------------------------ delivery


def drift_reasons(intervention: Intervention, today: date | None = None) -> list[str]:
    """Why an intervention is drifting (empty when it is on track); uses prefetched contacts."""
    today = today or timezone.localdate()
    if intervention.ended_on or intervention.starts_on > today:
        return []
    contacts = list(intervention.contacts.all())
    held = [c for c in contacts if c.held]
    reasons = []
    last = max((c.date for c in held), default=intervention.starts_on)
    if (today - last).days > drift_days():
        reasons.append(
            _("Geen activiteit sinds %(date)s (meer dan %(days)s dagen).")
            % {"date": last.strftime("%d-%m-%Y"), "days": drift_days()}
        )
    if contacts and not contacts[-1].held:
        reasons.append(
            _("Gepland contact van %(date)s is niet doorgegaan.") % {"date": contacts[-1].date.strftime("%d-%m-%Y")}
        )
    if intervention.planned_end < today:
        reasons.append(_("De geplande einddatum is verstreken."))
    return reasons


def delivery(intervention: Intervention) -> dict:
    contacts = list(intervention.contacts.all())
    return {
        "planned": intervention.planned_sessions,
        "held": sum(c.held for c in contacts),
        "not_held": sum(not c.held for c in contacts),
    }


# ------------------------------------------------------------------ interference


@dataclass
class Conflict:
    rule: InterferenceRule
    measures: list[str]
    acknowledgement: object = None
    tasks: list = field(default_factory=list)


def conflicts(plan: Plan, rules=None) -> list[Conflict]:
    running = [i for i in plan.interventions.all() if not i.ended_on]
    codes = {i.entry.code: i.entry.name for i in running}
    acks = {a.rule.code: a for a in plan.acknowledgements.all()}
    tasks = defaultdict(list)
    for task in plan.coordination_tasks.all():
        if task.rule is not None:
            tasks[task.rule.code].append(task)
    found = []
    for rule in rules if rules is not None else active_rules():
        a = [codes[c] for c in rule.measures_a if c in codes]
        b = [codes[c] for c in rule.measures_b if c in codes and codes[c] not in a]
        if a and b:
            found.append(Conflict(rule, a + b, acks.get(rule.code), tasks.get(rule.code, [])))
    return found


def conflict_codes(plan: Plan) -> set[str]:
    return {c.rule.code for c in conflicts(plan)}


# ------------------------------------------------------------------ reviews


def review_table(plan: Plan) -> dict:
    """Goals × reviews, side by side, with the change since the previous review."""
    reviews = list(plan.reviews.all())
    labels = dict(Score.choices)
    rows = []
    for goal in plan.goals.all():
        cells, previous = [], None
        for review in reviews:
            score: int | None = next((s.score for s in review.scores.all() if s.goal_id == goal.pk), None)
            change: int | None = score - previous if score is not None and previous is not None else None
            cells.append(
                {"score": score, "label": labels.get(score, "—") if score is not None else "—", "change": change}
            )
            previous = score if score is not None else previous
        rows.append(
            {
                "goal": goal,
                "domain": LifeDomain(goal.domain).label,
                "cells": cells,
                "latest_change": next((c["change"] for c in reversed(cells) if c["score"] is not None), None),
            }
        )
    return {"reviews": reviews, "rows": rows}


def reviews_due(region_id, until_date: date):
    """Cases of the region (worked on by the table) whose plan has a review due on or before ``until_date``."""

    return (
        Case.objects.filter(
            region_id=region_id, status__in=case_states.OPEN_STATES, plan__next_review_due__lte=until_date
        )
        .exclude(status=case_states.SCALED_DOWN)
        .order_by("plan__next_review_due")
    )


# ------------------------------------------------------------------ closure


def open_interventions(case) -> list[str]:
    """Open-work check for ``cases.closure``: interventions that have not been ended."""
    rows = Intervention.objects.filter(plan__case_id=case.pk, ended_on__isnull=True).select_related(
        "entry", "organisation"
    )
    return [
        _("interventie ‘%(name)s’ (%(org)s) loopt nog") % {"name": i.entry.name, "org": i.organisation.name}
        for i in rows
    ]


def next_review_default(start: date, interval: int) -> date:
    return start + timedelta(days=interval)


# ------------------------------------------------------------------ dashboard (case director, process director)


def dashboard_follow_up(user, today: date | None = None) -> dict:
    """Drifting interventions of open cases and check-ins that can be recorded, per case.

    A fixed number of queries whatever the number of cases (interventions with their
    contacts, check-ins, one processing-log write for the listed cases).
    """

    if not policy.can(user, policy.Action.PLAN_FOLLOW_UP):
        return {"follows_up": False}
    today = today or timezone.localdate()
    cases = policy.scope_followed_cases(user, Case.objects.all())
    interventions = (
        Intervention.objects.filter(
            plan__case__in=cases,
            plan__case__status__in=case_states.OPEN_STATES,
            ended_on__isnull=True,
            starts_on__lte=today,
        )
        .select_related("entry", "organisation", "plan__case")
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("date")))
        .order_by("plan__case__reference", "starts_on")
    )
    drifting: dict = {}
    for intervention in interventions:
        reasons = drift_reasons(intervention, today)
        if reasons:
            case = intervention.plan.case
            drifting.setdefault(case.pk, {"case": case, "items": []})["items"].append(
                {"intervention": intervention, "reasons": reasons}
            )
    checkins = list(
        CheckIn.objects.filter(
            case__in=cases,
            case__status=case_states.CLOSED,
            done_on__isnull=True,
            due_on__lte=today + timedelta(days=checkin_window_days()),
        )
        .select_related("case")
        .order_by("due_on")
    )
    listed = {row["case"].pk: row["case"] for row in drifting.values()}
    listed.update((c.case.pk, c.case) for c in checkins)
    log_listed(user, list(listed.values()))
    return {
        "follows_up": True,
        "drifting_cases": list(drifting.values()),
        "due_checkins": [{"checkin": c, "overdue": c.due_on < today} for c in checkins],
    }
