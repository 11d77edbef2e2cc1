"""Web pages of policy signals (Dutch UI): raise one from a case or a conference; the list
and the detail page, where the region's process director records the handling."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casustafel.access import policy
from casustafel.cases import selectors as case_selectors
from casustafel.core.web import submitted
from casustafel.meetings import selectors as meeting_selectors

from . import selectors, services
from .forms import HandleForm, RaiseForm
from .models import State

PAGE_SIZE = 25


@require_http_methods(["GET"])
def signal_list(request):
    policy.require(request.user, policy.Action.POLICY_SIGNAL_VIEW)
    signals = selectors.visible_signals(request.user)
    state = request.GET.get("stand", "")
    if state in State.values:
        signals = signals.filter(state=state)
    page = Paginator(signals, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return TemplateResponse(
        request, "policy_signals/signal_list.html", {"page": page, "states": State.choices, "state": state}
    )


@require_http_methods(["GET", "POST"])
def signal_detail(request, pk):
    signal = selectors.get_signal(request.user, pk)
    may_handle = policy.can(request.user, policy.Action.POLICY_SIGNAL_HANDLE, signal) and signal.state != State.CLOSED
    form = HandleForm(request.POST or None) if may_handle else None
    if request.method == "POST":
        policy.require(request.user, policy.Action.POLICY_SIGNAL_HANDLE, signal)
        if form is not None and submitted(
            form,
            lambda data: services.handle_signal(
                request.user, signal=signal, target=data["target"], response=data["response"]
            ),
        ):
            messages.success(request, _("De stand van het beleidssignaal is bijgewerkt."))
            return redirect("policy_signals:signal_detail", pk=signal.pk)
    return TemplateResponse(
        request,
        "policy_signals/signal_detail.html",
        {"signal": signal, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _raise_page(request, *, case=None, meeting=None):
    policy.require(request.user, policy.Action.POLICY_SIGNAL_RAISE)
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and submitted(
        form,
        lambda data: services.raise_signal(
            request.user, category=data["category"], description=data["description"], case=case, meeting=meeting
        ),
    ):
        messages.success(request, _("Het beleidssignaal is ingediend bij de procesregisseur."))
        return redirect("policy_signals:signal_list")
    return TemplateResponse(
        request,
        "policy_signals/raise.html",
        {"form": form, "case": case, "meeting": meeting},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def raise_from_case(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_PARTICIPANT_VIEW, case)
    return _raise_page(request, case=case)


@require_http_methods(["GET", "POST"])
def raise_from_meeting(request, pk):
    return _raise_page(request, meeting=meeting_selectors.get_meeting(request.user, pk))
