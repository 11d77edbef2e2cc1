"""Pages of the coordinating FG, the contact point and the rights requests (Wet PGA art. 12,
AVG art. 12 lid 3; ADR 0031): the region's FGs. Reads and writes through ``rights``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.core.web import DATE_WIDGET, submitted

from . import rights
from .models import RightsRequestKind


class PrivacyCoordinationForm(forms.Form):
    coordinating_officer = forms.ModelChoiceField(
        label=gettext_lazy("Coördinerend functionaris voor gegevensbescherming"),
        queryset=None,
        help_text=gettext_lazy(
            "Art. 12 lid 2 Wet PGA: een van de FG's van de deelnemende overheidsinstanties (gemeente, politie, OM, "
            "Raad voor de Kinderbescherming)."
        ),
    )
    contact_point = forms.CharField(
        label=gettext_lazy("Contactpunt voor betrokkenen"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Naam, adres en e-mailadres of telefoonnummer (art. 12 lid 4 onder b Wet PGA)."),
    )

    def __init__(self, *args, region_id, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["coordinating_officer"]
        field.queryset = policy.coordinating_officer_candidates(region_id)
        field.label_from_instance = lambda user: f"{user.display_name} ({user.organisation})"


class RightsRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Soort verzoek"), choices=RightsRequestKind.choices)
    received_on = forms.DateField(label=gettext_lazy("Ontvangen op"), widget=DATE_WIDGET)
    summary = forms.CharField(
        label=gettext_lazy("Samenvatting"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Zonder onnodige persoonsgegevens: een kenmerk van het verzoek volstaat."),
    )


class ExtendForm(forms.Form):
    extended_to = forms.DateField(label=gettext_lazy("Verlengen tot"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=gettext_lazy("Reden van verlenging"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Art. 12 lid 3 AVG: complexiteit of aantal verzoeken; eenmaal, ten hoogste twee maanden."
        ),
    )


class AnswerForm(forms.Form):
    answered_on = forms.DateField(label=gettext_lazy("Beantwoord op"), widget=DATE_WIDGET)
    outcome = forms.CharField(
        label=gettext_lazy("Uitkomst"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# ---------------------------------------------------------------- coordinating FG and contact point


@require_http_methods(["GET", "POST"])
def privacy_coordination(request):
    """The table's coordinating FG and contact point (art. 12 lid 2, lid 4 b): read by its FGs, set
    by an FG of a public participant (after designation: the coordinating FG)."""
    policy.require(request.user, policy.Action.RIGHTS_REQUEST_HANDLE)
    current = rights.privacy_settings(request.user)
    may_set = policy.can(request.user, policy.Action.PRIVACY_COORDINATION_SET, current)
    region_id = request.user.organisation.region_id
    initial = (
        {"coordinating_officer": current.coordinating_officer_id, "contact_point": current.contact_point}
        if current
        else {}
    )
    form = PrivacyCoordinationForm(request.POST or None, region_id=region_id, initial=initial)
    status = 200
    if request.method == "POST":
        policy.require(request.user, policy.Action.PRIVACY_COORDINATION_SET, current)
        status = 400
        if submitted(
            form,
            lambda data: rights.set_privacy_coordination(
                request.user, coordinating_officer=data["coordinating_officer"], contact_point=data["contact_point"]
            ),
        ):
            messages.success(request, _("De coördinerend FG en het contactpunt zijn vastgelegd."))
            return redirect("governance:privacy_coordination")
    return TemplateResponse(
        request,
        "governance/privacy_coordination.html",
        {"settings": current, "form": form if may_set else None, "pending_amvb": rights.pending_amvb()},
        status=status,
    )


# ---------------------------------------------------------------- rights requests


@require_http_methods(["GET", "POST"])
def rights_request_list(request):
    """Open requests with their deadline (overdue marked), answered ones, and the register form."""
    policy.require(request.user, policy.Action.RIGHTS_REQUEST_HANDLE)
    form = RightsRequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        created = []
        if submitted(
            form,
            lambda data: created.append(
                rights.register_rights_request(
                    request.user, kind=data["kind"], received_on=data["received_on"], summary=data["summary"]
                )
            ),
        ):
            messages.success(
                request,
                _("Verzoek %(ref)s is geregistreerd; beantwoorden uiterlijk %(date)s.")
                % {"ref": created[0].reference, "date": created[0].deadline.strftime("%d-%m-%Y")},
            )
            return redirect("governance:rights_request_detail", pk=created[0].pk)
    return TemplateResponse(
        request,
        "governance/rights_requests.html",
        {
            "form": form,
            "open_requests": rights.open_requests(request.user),
            "answered": rights.answered_requests(request.user),
        },
        status=status,
    )


def _detail(request, row, *, extend_form=None, answer_form=None, status=200):
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "governance/rights_request_detail.html",
        {
            "rights_request": row,
            "overdue": row.status == row.OPEN and row.due_on < today,
            "extend_form": extend_form or ExtendForm(),
            "answer_form": answer_form or AnswerForm(initial={"answered_on": today}),
        },
        status=status,
    )


@require_GET
def rights_request_detail(request, pk):
    return _detail(request, rights.get_rights_request(request.user, pk))


@require_POST
def rights_request_extend(request, pk):
    """Extend the deadline once by at most two months, with a reason (AVG art. 12 lid 3)."""
    row = rights.get_rights_request(request.user, pk)
    policy.require(request.user, policy.Action.RIGHTS_REQUEST_HANDLE, row)
    form = ExtendForm(request.POST)
    if submitted(
        form,
        lambda data: rights.extend_rights_request(
            request.user, request=row, extended_to=data["extended_to"], reason=data["reason"]
        ),
    ):
        messages.success(request, _("De termijn is verlengd."))
        return redirect("governance:rights_request_detail", pk=row.pk)
    return _detail(request, row, extend_form=form, status=400)


@require_POST
def rights_request_answer(request, pk):
    """Record the answer: when, by whom, with which outcome."""
    row = rights.get_rights_request(request.user, pk)
    policy.require(request.user, policy.Action.RIGHTS_REQUEST_HANDLE, row)
    form = AnswerForm(request.POST)
    if submitted(
        form,
        lambda data: rights.answer_rights_request(
            request.user, request=row, answered_on=data["answered_on"], outcome=data["outcome"]
        ),
    ):
        messages.success(request, _("Het antwoord is vastgelegd."))
        return redirect("governance:rights_request_detail", pk=row.pk)
    return _detail(request, row, answer_form=form, status=400)
