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
from casustafel.corrections import selectors as correction_selectors
from casustafel.governance import audits, informing, rights
from casustafel.plans.selectors import dashboard_follow_up
from casustafel.signals import selectors as signal_selectors
from casustafel.signals import states as signal_states
from casustafel.signals.models import Urgency
from casustafel.weighing import selectors as weighing_selectors


@require_GET
def dashboard(request):
    user = request.user
    context = {
        "can_signals": policy.can(user, policy.Action.SIGNAL_VIEW),
        "can_cases": policy.can(user, policy.Action.CASE_VIEW),
    }
    if context["can_signals"]:
        queue = list(
            signal_selectors.visible_signals(user)
            .filter(status__in=signal_states.OPEN_STATES)
            .order_by("-urgency", "registered_at")[:10]
        )
        # Acute first, then oldest first.
        queue.sort(key=lambda s: (s.urgency != Urgency.ACUTE, s.registered_at))
        signal_selectors.log_listed(user, queue)
        context["queue"] = queue
        # The oldest ten, like the queue: the list does not grow with the backlog.
        context["registrant_notices"] = weighing_selectors.open_registrant_notices(user, limit=10)
        # Art. 10 Wet PGA: data of this organisation were corrected; check its own records.
        context["correction_notices"] = correction_selectors.open_notices(user)
    if context["can_cases"]:
        cases = list(case_selectors.visible_cases(user).filter(status__in=case_states.OPEN_STATES)[:10])
        case_selectors.log_listed(user, cases)
        context["cases"] = cases
        context.update(dashboard_follow_up(user))
        # Art. 11 Wet PGA: not informing past its review date, or the month to inform passed.
        context.update(informing.informing_follow_up(user))
    if policy.can(user, policy.Action.AUDIT_MANAGE):
        # Art. 16 Wet PGA: failed parts awaiting their re-audit, results not yet sent to the AP.
        context.update(audit_work=True, reaudits=audits.open_reaudits(user), unsent_audits=audits.unsent_audits(user))
    # Wet PGA art. 12 lid 2, AVG art. 12 lid 3: the coordinating FG sees the open rights requests.
    context["open_requests"] = rights.coordinator_work(user)
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
    the web neither discloses that the object exists nor offers what the user may not do."""
    if isinstance(exception, PolicyDenied):
        announce_refusal(request, exception, via_api=False)
        return not_found(request, exception)
    if _api(request):
        return problem_json(403)
    return render(
        request,
        "web/error.html",
        {"title": _("Geen toegang"), "message": _("U heeft geen toegang tot deze pagina.")},
        status=403,
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
