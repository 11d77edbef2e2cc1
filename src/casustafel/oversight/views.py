"""Pages of the lawfulness advisory committee (Wet PGA art. 15). Refusals are 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casustafel.access import policy
from casustafel.core.web import submitted

from . import selectors, services
from .forms import AdviceForm, AdviceResponseForm


@require_GET
def overview(request):
    """The committee's three sections; the chair sees the advice to respond to."""
    user = request.user
    committee = policy.can(user, policy.Action.COMMITTEE_VIEW)
    if not committee and not policy.can(user, policy.Action.ADVICE_RESPOND):
        policy.require(user, policy.Action.COMMITTEE_VIEW)  # a section the user cannot use: "Geen toegang"
    return TemplateResponse(
        request,
        "oversight/overview.html",
        {
            "committee": committee,
            "motivations": selectors.motivations_page(user, request.GET.get("motivaties")) if committee else None,
            "changes": selectors.processing_changes_page(user, request.GET.get("wijzigingen")) if committee else None,
            "advice": selectors.advice_page(user, request.GET.get("adviezen")),
        },
    )


@require_http_methods(["GET", "POST"])
def advice_create(request):
    policy.require(request.user, policy.Action.COMMITTEE_VIEW)
    form = AdviceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        created = []

        def write(data):
            created.append(services.record_advice(request.user, subject_line=data["subject_line"], text=data["text"]))

        if submitted(form, write):
            messages.success(request, _("Advies %(ref)s is vastgelegd.") % {"ref": created[0].reference})
            return redirect("oversight:advice_detail", pk=created[0].pk)
    return TemplateResponse(request, "oversight/advice_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def advice_detail(request, pk):
    """An advice and its response; the chair records the response here."""
    advice = selectors.get_advice(request.user, pk)
    may_respond = policy.can(request.user, policy.Action.ADVICE_RESPOND, advice)
    form = AdviceResponseForm(request.POST or None) if may_respond and advice.status == "open" else None
    status = 200
    if request.method == "POST":
        policy.require(request.user, policy.Action.ADVICE_RESPOND, advice)
        form = form or AdviceResponseForm(request.POST)
        status = 400
        if submitted(
            form, lambda data: services.respond_to_advice(request.user, advice=advice, response=data["response"])
        ):
            messages.success(request, _("De reactie van het casusoverleg is vastgelegd."))
            return redirect("oversight:advice_detail", pk=advice.pk)
    return TemplateResponse(request, "oversight/advice_detail.html", {"advice": advice, "form": form}, status=status)
