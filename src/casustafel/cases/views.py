"""Case pages: the list, a case with participants and status history, managing both, and
the transfer (overdracht) to another table and its acceptance there."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.core.web import apply_service_errors, page_of, status_filtered_page
from casustafel.governance import selectors as governance_selectors
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from . import selectors as case_selectors
from . import services as case_services
from . import states as case_states
from . import transfer as transfer_services
from .forms import CaseTransitionForm, ParticipantForm, TransferDecisionForm, TransferProposalForm


def _case_context(request, case, participant_form=None, transition_form=None):
    can_manage = policy.can(request.user, policy.Action.CASE_MANAGE, case)
    return {
        "case": case,
        "participants": case.participants.all(),
        "restricted_documents": governance_selectors.documents_for_table(region_id=case.region_id, case=case),
        "transitions": case.transitions.all(),
        "can_manage": can_manage,
        "participant_form": (participant_form or ParticipantForm(case=case))
        if can_manage and case.status != case_states.CLOSED
        else None,
        "transition_form": (transition_form or CaseTransitionForm(case=case)) if can_manage else None,
    }


@require_GET
def case_list(request):
    policy.require(request.user, policy.Action.CASE_VIEW)
    context = status_filtered_page(request, case_selectors.visible_cases(request.user), case_states.CASE_MACHINE)
    case_selectors.log_listed(request.user, context["page"].object_list)
    return render(request, "cases/case_list.html", context)


@require_GET
def case_detail(request, pk):
    case = case_selectors.get_case(request.user, pk)
    return render(request, "cases/case_detail.html", _case_context(request, case))


@require_POST
def case_add_participant(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = ParticipantForm(request.POST, case=case)
    if form.is_valid():
        try:
            case_services.add_participant(
                request.user,
                case=case,
                organisation=form.cleaned_data["organisation"],
                reason=form.cleaned_data["reason"],
                legal_basis=form.cleaned_data["legal_basis"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De organisatie neemt nu deel aan de casus."))
            return redirect("cases:case_detail", pk=case.pk)
    return TemplateResponse(
        request, "cases/case_detail.html", _case_context(request, case, participant_form=form), status=400
    )


@require_POST
def case_transition(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = CaseTransitionForm(request.POST, case=case)
    if form.is_valid():
        d = form.cleaned_data
        try:
            case_services.transition_case(
                request.user,
                case=case,
                target=d["target"],
                reason=d["reason"],
                closure_reason=d["closure_reason"],
                override_open_work=d["override_open_work"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De status van de casus is gewijzigd."))
            return redirect("cases:case_detail", pk=case.pk)
    return TemplateResponse(
        request, "cases/case_detail.html", _case_context(request, case, transition_form=form), status=400
    )


@require_http_methods(["GET", "POST"])
def case_transfer(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = TransferProposalForm(request.POST or None, case=case)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                transfer_services.propose_transfer(
                    request.user,
                    case=case,
                    to_region=form.cleaned_data["to_region"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("De overdracht is voorgesteld aan de ontvangende casustafel."))
                return redirect("cases:case_detail", pk=case.pk)
    return TemplateResponse(
        request,
        "cases/case_transfer.html",
        {"case": case, "form": form, "transfers": case.transfers.select_related("to_region", "decided_by")},
        status=status,
    )


@require_GET
def transfer_list(request):
    policy.require(request.user, policy.Action.TRANSFER_RECEIVE)
    page = page_of(request, transfer_services.incoming_transfers(request.user))
    record(request.user, action=Action.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=page.object_list)
    return render(request, "cases/transfer_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def transfer_decide(request, pk):
    transfer = transfer_services.get_incoming_transfer(request.user, pk)
    form = TransferDecisionForm(request.POST or None, transfer=transfer)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            accept = d["decision"] == TransferDecisionForm.ACCEPT
            try:
                transfer_services.decide_transfer(
                    request.user, transfer=transfer, accept=accept, reason=d["reason"], case_director=d["case_director"]
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("De overdracht is aanvaard.") if accept else _("De overdracht is afgewezen.")
                )
                return redirect("cases:transfer_list")
    record(request.user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[transfer])
    return TemplateResponse(request, "cases/transfer_decide.html", {"transfer": transfer, "form": form}, status=status)
