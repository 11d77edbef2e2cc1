"""The frame: the dashboard (a summary over the domain apps, each read through its selectors)
and the error pages. Domain pages live in their own apps."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from casustafel.access import policy
from casustafel.cases import selectors as case_selectors
from casustafel.cases import states as case_states
from casustafel.core.api import problem_json
from casustafel.core.errors import PolicyDenied, announce_refusal
from casustafel.governance import audits
from casustafel.insight.selectors import dashboard_insight
from casustafel.plans.selectors import dashboard_follow_up
from casustafel.processing_log.models import Purpose
from casustafel.signals import selectors as signal_selectors
from casustafel.signals import states as signal_states
from casustafel.work.context_processors import remember_count
from casustafel.work.queue import record_listed, work_queue


@require_GET
def dashboard(request):
    """My work (werkvoorraad): what waits for the user's organisation, overdue first, and below it
    the newest signals and cases the user works on. Everything listed is recorded in the
    processing log in one entry per processing activity."""
    user = request.user
    queue = work_queue(user, log=False)
    remember_count(request, queue.total)
    listed = queue.listed()
    context = {
        "queue": queue,
        "can_signals": policy.can(user, policy.Action.SIGNAL_VIEW),
        "can_cases": policy.can(user, policy.Action.CASE_VIEW),
        # Art. 10 Wet PGA: data of this organisation were corrected; check its own records.
        "correction_notices": queue.rows_of("correction_notice"),
    }
    if context["can_signals"]:
        signals = list(
            signal_selectors.visible_signals(user)
            .filter(status__in=signal_states.OPEN_STATES)
            .order_by("-registered_at")[:10]
        )
        listed.setdefault(Purpose.INTAKE, []).extend(signals)
        context["signals"] = signals
    if context["can_cases"]:
        cases = list(
            case_selectors.visible_cases(user).filter(status__in=case_states.OPEN_STATES).order_by("-opened_at")[:10]
        )
        listed.setdefault(Purpose.CASE_MANAGEMENT, []).extend(cases)
        context["cases"] = cases
        context.update(dashboard_follow_up(user))
    record_listed(user, listed)
    if policy.can(user, policy.Action.AUDIT_MANAGE):
        # Art. 16 Wet PGA: results not yet sent to the AP (the re-audits are in the queue).
        context.update(audit_work=True, unsent_audits=audits.unsent_audits(user))
    # Issue 13 item 1: the process director's flow, the analyst's protected aggregates (ADR 0042).
    context["insight"] = dashboard_insight(user)
    return render(request, "web/dashboard.html", context)


def _api(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request, exception=None):
    """handler400: a request Django refuses before any view (a body in an undecodable charset,
    a bad Host header, too many fields, an oversized body): a page, or a problem in the API.
    Rendered without the request's data, which is what could not be read."""
    if _api(request):
        too_large = isinstance(exception, RequestDataTooBig)
        return problem_json(413 if too_large else 400, _("De aanvraag is te groot.") if too_large else None)
    return render(
        request,
        "web/error.html",
        {
            "title": _("Ongeldige aanvraag"),
            "message": _("Deze aanvraag kon niet worden verwerkt. Probeer het opnieuw."),
        },
        status=400,
    )


def not_found(request, exception=None):
    if _api(request):
        return problem_json(404)
    return render(
        request,
        "web/error.html",
        {"title": _("Niet gevonden"), "message": _("Deze pagina bestaat niet of u heeft er geen toegang toe.")},
        status=404,
    )


def forbidden(request, exception=None):
    """handler403. A refusal by the access policy is answered as "not found" (ADR 0003):
    the web neither discloses that the object exists nor offers what the user may not do.

    One exception, for a link followed in the application (issue 12 item 11): a section page
    (a route without an object in its path, read with GET) the user's role cannot use at all
    says so plainly — there is no object whose existence it could disclose."""
    if isinstance(exception, PolicyDenied):
        announce_refusal(request, exception, via_api=False)
        if _section_page(request, exception):
            return render(
                request,
                "web/error.html",
                {
                    "title": _("Geen toegang"),
                    "message": _(
                        "Uw rol (%(role)s) geeft geen toegang tot deze pagina. Kies een onderdeel uit het menu."
                    )
                    % {"role": request.user.get_role_display()},
                },
                status=403,
            )
        return not_found(request, exception)
    if _api(request):
        return problem_json(403)
    return render(
        request,
        "web/error.html",
        {"title": _("Geen toegang"), "message": _("U heeft geen toegang tot deze pagina.")},
        status=403,
    )


def _section_page(request, exception: PolicyDenied) -> bool:
    """A GET of a page without an object in its path, refused for the action (not an object)."""
    match = request.resolver_match
    return (
        request.method in ("GET", "HEAD")
        and exception.obj is None
        and match is not None
        and not match.kwargs
        and hasattr(request.user, "get_role_display")
        and not _api(request)
    )


def server_error(request):
    if _api(request):
        return problem_json(500, _("Er is een onverwachte fout opgetreden. Er is niets half opgeslagen."))
    return render(
        request,
        "web/error.html",
        {
            "title": _("Er ging iets mis"),
            "message": _("Er is een onverwachte fout opgetreden. Er is niets half opgeslagen; probeer het opnieuw."),
        },
        status=500,
    )
