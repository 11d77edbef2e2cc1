"""Insight pages (issue 13 items 1, 5, 7; ADR 0042). Access is asked of ``access.policy``;
aggregates pass ``reporting``'s small-number suppression; the lists behind the process
director's numbers are person-level pages and are logged as lists."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casustafel.access import policy
from casustafel.processing_log.models import Purpose
from casustafel.work.queue import record_listed

from . import selectors

PAGE_SIZE = 50


@require_GET
def overview(request):
    """/inzicht/: the process director's flow (each number a link to the list behind it) and, for
    the analyst, protected aggregates and the reports — never a person-level link."""
    user = request.user
    policy.require(user, policy.Action.INSIGHT_VIEW)
    return render(request, "insight/overview.html", {"numbers": selectors.flow(user)})


def _flow_list(request, kind: str):
    user = request.user
    policy.require(user, policy.Action.INSIGHT_FLOW_VIEW)
    rows = selectors.flow_rows(user, kind)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("pagina"))
    cases = [row.case for row in page.object_list if row.case is not None]
    if cases:
        record_listed(user, {Purpose.CASE_MANAGEMENT: cases})
    return render(request, "insight/flow_list.html", {"flow": selectors.LISTS[kind], "page": page})


def _flow_view(kind: str):
    @require_GET
    def view(request):
        return _flow_list(request, kind)

    view.__name__ = view.__qualname__ = f"flow_{kind}"
    view.__doc__ = f"The list behind the number {kind!r} of the flow."
    return view


flow_meetings = _flow_view("meetings_planned")
flow_reviews = _flow_view("reviews_due")
flow_actions = _flow_view("actions_overdue")
flow_tasks = _flow_view("tasks_overdue")
flow_drifting = _flow_view("interventions_drifting")
