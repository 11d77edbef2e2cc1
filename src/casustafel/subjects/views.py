"""Known elsewhere (other regions): hit / no hit for a signal's person, the formal request,
and the requests a table receives and answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casustafel.access import policy
from casustafel.core.web import PAGE_SIZE, ReasonForm, page_of
from casustafel.signals import selectors as signal_selectors

from .elsewhere import answer_request, incoming_requests, known_elsewhere, outgoing_requests, request_information
from .forms import AnswerForm


@require_POST
def known_elsewhere_check(request, pk):
    """htmx: hit / no hit in other regions for the person of this signal."""
    signal = signal_selectors.get_signal(request.user, pk)
    hit = known_elsewhere(request.user, signal.subject)
    return render(request, "subjects/partials/known_elsewhere.html", {"signal": signal, "hit": hit})


@require_POST
def known_elsewhere_request(request, pk):
    signal = signal_selectors.get_signal(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        request_information(request.user, signal.subject, reason)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Het formele verzoek is verstuurd naar de casustafel die de persoon kent."))
    return redirect("signals:signal_detail", pk=signal.pk)


@require_GET
def request_list(request):
    policy.require(request.user, policy.Action.SIGNAL_VIEW)
    incoming = page_of(request, incoming_requests(request.user))
    outgoing = list(outgoing_requests(request.user)[:PAGE_SIZE])
    return render(
        request, "subjects/request_list.html", {"page": incoming, "outgoing": outgoing, "answer_form": AnswerForm()}
    )


@require_POST
def request_answer(request, pk):
    form = AnswerForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else ""
    try:
        answer_request(request.user, pk, answer)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Het verzoek is beantwoord."))
    return redirect("subjects:request_list")
