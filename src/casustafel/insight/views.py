"""Insight pages (issue 13 items 1, 5, 7; ADR 0042). Access is asked of ``access.policy``;
aggregates pass ``reporting``'s small-number suppression; the lists behind the process
director's numbers are person-level pages and are logged as lists."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from casustafel.access import policy
from casustafel.processing_log.models import Purpose
from casustafel.reporting import render as render_svg
from casustafel.reporting.suppression import TOTAL
from casustafel.work.queue import record_listed

from . import monitor, selectors
from .forms import InsightForm, RecognitionForm

PAGE_SIZE = 50


@require_GET
def overview(request):
    """/inzicht/: the process director's flow (each number a link to the list behind it) and, for
    everyone here, protected headline figures of the region and the way to the reports — never
    a person-level link for the analyst."""
    user = request.user
    policy.require(user, policy.Action.INSIGHT_VIEW)
    return render(
        request,
        "insight/overview.html",
        {"numbers": selectors.flow(user), "headline": selectors.headline(user), "links": selectors.report_links(user)},
    )


def _form(request, form_class):
    user = request.user
    # What the query string leaves out keeps its default (the region, this year so far).
    form = form_class({**form_class.defaults(user), **request.GET.dict()}, user=user)
    return form, form.is_valid()


@require_GET
def recognition(request):
    """/inzicht/herkenning/: the recognition-bias monitor (item 5)."""
    user = request.user
    policy.require(user, policy.Action.INSIGHT_VIEW)
    form, valid = _form(request, RecognitionForm)
    context = {"form": form, "flag": monitor.FLAG, "flag_explanation": monitor.FLAG_EXPLANATION}
    if valid:
        scope, period = form.cleaned_data["scope"], form.cleaned_data["period"]
        nation = policy.can_report_on(user, "nation", None)
        compare_with = monitor.comparison_scopes(scope, nation_allowed=nation)
        result = monitor.recognition(form.cleaned_data["indeling"], scope, period, compare_with=compare_with)
        context.update(result=result, chart=_chart(result))
        monitor.record_generation(user, [scope, *compare_with])
    return render(request, "insight/recognition.html", context, status=200 if valid else 400)


@require_GET
def measures(request):
    """/inzicht/maatregelen/: per catalogue measure, use, organisation kind and result (item 7)."""
    user = request.user
    policy.require(user, policy.Action.INSIGHT_VIEW)
    form, valid = _form(request, InsightForm)
    context: dict = {"form": form}
    if valid:
        scope, period = form.cleaned_data["scope"], form.cleaned_data["period"]
        groups, overall = monitor.measures(scope, period)
        context.update(groups=groups, overall=overall, scope=scope, period=period, results=monitor.RESULT_LABELS)
        monitor.record_generation(user, [scope])
    return render(request, "insight/measures.html", context, status=200 if valid else 400)


def _chart(result: monitor.Recognition):
    """Signals per quarter per group as lines (Matplotlib, SVG with title and description), drawn
    from published cells only; groups without any signal in the period are left out."""
    series = [
        (str(label), points)
        for row, (label, points) in zip(result.rows, result.over_quarters, strict=True)
        if row.code != TOTAL and not (row.signals.shown and not row.signals.value)
    ]
    if not series:
        return None
    title = gettext("Signalen per kwartaal naar %(grouping)s") % {"grouping": result.grouping}
    return render_svg.svg_markup(render_svg.line_chart_svg(series, title=title))


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
