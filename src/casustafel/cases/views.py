"""Case pages: the list, a case with participants and status history, managing both, and
the transfer (overdracht) to another table and its acceptance there."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.core.errors import PolicyDenied
from casustafel.core.web import apply_service_errors, page_of, submitted
from casustafel.governance import selectors as governance_selectors
from casustafel.plans import selectors as plan_selectors
from casustafel.plans import services as plan_services
from casustafel.plans.forms import CheckInForm
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.search import lists

from . import blocking, third_parties
from . import selectors as case_selectors
from . import services as case_services
from . import states as case_states
from . import transfer as transfer_services
from .forms import (
    CaseTransitionForm,
    ParticipantForm,
    ReasonForm,
    ReuseDecisionForm,
    ThirdPartyDecisionForm,
    ThirdPartyForm,
    TransferDecisionForm,
    TransferProposalForm,
)


def _case_context(request, case, participant_form=None, transition_form=None, third_party_form=None):
    user = request.user
    can_manage = policy.can(user, policy.Action.CASE_MANAGE, case)
    is_open = case.status != case_states.CLOSED
    # Art. 3 lid 3: a third party sees only the data the three marked necessary for it.
    participant_view = policy.can(user, policy.Action.CASE_PARTICIPANT_VIEW, case)
    may_propose = is_open and policy.can(user, policy.Action.THIRD_PARTY_PROPOSE, case)
    return {
        "case": case,
        "participants": case.participants.all(),
        "identity_visible": policy.can(user, policy.Action.CASE_IDENTITY_VIEW, case),
        "plan_visible": policy.can(user, policy.Action.CASE_PLAN_VIEW, case),
        "participant_view": participant_view,
        "restricted_documents": governance_selectors.documents_for_table(region_id=case.region_id, case=case)
        if participant_view
        else [],
        "admissions": third_parties.admissions_of_case(user, case),
        "transitions": case.transitions.all(),
        "can_manage": can_manage,
        "participant_form": (participant_form or ParticipantForm(case=case)) if can_manage and is_open else None,
        "third_party_form": (third_party_form or ThirdPartyForm(organisations=third_parties.candidates(case)))
        if may_propose
        else None,
        "transition_form": (transition_form or CaseTransitionForm(case=case)) if can_manage else None,
    }


@require_GET
def case_list(request):
    policy.require(request.user, policy.Action.CASE_VIEW)
    context, status = lists.cases(request, case_selectors.visible_cases(request.user))
    case_selectors.log_listed(request.user, context["page"].object_list)
    # Art. 3 lid 3: a third party sees who the person is only when the three marked it necessary.
    context["hidden_identity"] = {
        case.pk
        for case in context["page"].object_list
        if not policy.can(request.user, policy.Action.CASE_IDENTITY_VIEW, case)
    }
    return render(request, "cases/case_list.html", context, status=status)


@require_GET
def case_detail(request, pk):
    case = case_selectors.get_case(request.user, pk)
    return render(request, "cases/case_detail.html", _case_context(request, case))


@require_POST
def case_add_participant(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = ParticipantForm(request.POST, case=case)
    if submitted(form, lambda d: case_services.add_participant(request.user, case=case, **d)):
        messages.success(request, _("De organisatie neemt nu deel aan de casus."))
        return redirect("cases:case_detail", pk=case.pk)
    return TemplateResponse(
        request, "cases/case_detail.html", _case_context(request, case, participant_form=form), status=400
    )


@require_POST
def case_transition(request, pk):
    # A closed case is blocked (art. 6 lid 3), but its directors may still reopen it.
    case = blocking.get_managed_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = CaseTransitionForm(request.POST, case=case)
    if submitted(form, lambda d: case_services.transition_case(request.user, case=case, **d)):
        messages.success(request, _("De status van de casus is gewijzigd."))
        if policy.is_blocked(case):
            return redirect("cases:closed_case", pk=case.pk)
        return redirect("cases:case_detail", pk=case.pk)
    if policy.is_blocked(case):
        return _closed_case_page(request, case, transition_form=form, status=400)
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
        if submitted(form, lambda d: transfer_services.propose_transfer(request.user, case=case, **d)):
            messages.success(request, _("De overdracht is voorgesteld aan de ontvangende casustafel."))
            return redirect("cases:case_detail", pk=case.pk)
    transfers = case.transfers.select_related("to_region", "decided_by").prefetch_related(
        "objections__organisation", "objections__objected_by"
    )
    return TemplateResponse(
        request, "cases/case_transfer.html", {"case": case, "form": form, "transfers": transfers}, status=status
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

        def write(d):
            transfer_services.decide_transfer(
                request.user,
                transfer=transfer,
                accept=d["decision"] == TransferDecisionForm.ACCEPT,
                reason=d["reason"],
                case_director=d["case_director"],
            )

        if submitted(form, write):
            accepted = form.cleaned_data["decision"] == TransferDecisionForm.ACCEPT
            messages.success(request, _("De overdracht is aanvaard.") if accepted else _("De overdracht is afgewezen."))
            return redirect("cases:transfer_list")
    record(request.user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[transfer])
    return TemplateResponse(request, "cases/transfer_decide.html", {"transfer": transfer, "form": form}, status=status)


# ---------------------------------------------------------------- transfer objections (Wet PGA art. 7 lid 2)


@require_GET
def outgoing_transfer_list(request):
    policy.require(request.user, policy.Action.TRANSFER_OBJECT)
    page = page_of(request, transfer_services.outgoing_transfers(request.user))
    record(request.user, action=Action.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=page.object_list)
    return render(request, "cases/transfer_outgoing.html", {"page": page})


@require_http_methods(["GET", "POST"])
def transfer_object(request, pk):
    transfer = transfer_services.get_outgoing_transfer(request.user, pk)
    policy.require(request.user, policy.Action.TRANSFER_OBJECT, transfer)
    form = ReasonForm(request.POST or None, label=_("Zwaarwegende reden"))
    status = 200
    if request.method == "POST":
        status = 400
        if submitted(form, lambda d: transfer_services.object_to_transfer(request.user, transfer=transfer, **d)):
            messages.success(
                request, _("Het bezwaar is vastgelegd; wat uw organisatie inbracht, gaat niet mee met de overdracht.")
            )
            return redirect("cases:transfer_outgoing")
    context = {
        "transfer": transfer,
        "form": form,
        "suppliers": transfer_services.supplying_organisations(transfer),
        "objections": transfer.objections.select_related("organisation", "objected_by"),
    }
    return TemplateResponse(request, "cases/transfer_object.html", context, status=status)


# ---------------------------------------------------------------- blocked (closed) cases (Wet PGA art. 6 lid 3)


def _closed_case_page(request, case, *, checkin_form=None, transition_form=None, status=200):
    """The minimum of a blocked case: reference, dates, outcome, check-ins, reopening."""
    checkins = plan_selectors.checkins_for_case(request.user, case)
    can_manage = policy.can(request.user, policy.Action.CASE_MANAGE, case)
    for checkin in checkins:
        checkin.opens_on = plan_services.checkin_opens_on(checkin)
        checkin.follow_up = plan_services.checkin_follow_up(checkin)
    context = {
        "case": case,
        "closing": blocking.closing_transition(case),
        "checkins": checkins,
        "can_record_checkin": can_manage and bool(checkins),
        "checkin_form": checkin_form,
        "checkin_organisations": CheckInForm(case=case).fields["organisation"].queryset if can_manage else [],
        "transition_form": (transition_form or CaseTransitionForm(case=case)) if can_manage else None,
        "today": timezone.localdate(),
        "may_register_signal": policy.can(request.user, policy.Action.SIGNAL_CREATE),
    }
    return TemplateResponse(request, "cases/closed_case.html", context, status=status)


@require_GET
def closed_case(request, pk):
    return _closed_case_page(request, blocking.get_closed_case(request.user, pk))


def render_closed_case(request, case, *, checkin_form=None, status=200):
    """For the check-in view of the plans app (the check-ins live there, the page here)."""
    return _closed_case_page(request, case, checkin_form=checkin_form, status=status)


@require_GET
def blocked_cases(request):
    """Blocked cases, each role its own use: the directors' follow-up, the privacy officer's
    lawfulness review, and the three core parties' notice after a new aanmelding."""
    user = request.user
    followed = list(blocking.followed_closed_cases(user)[:200])
    reviewable = list(blocking.reviewable_cases(user)[:200])
    notices = list(blocking.blocked_case_notices(user)[:200])
    if not (
        policy.can(user, policy.Action.CASE_CLOSED_FOLLOW_UP)
        or policy.can(user, policy.Action.CASE_LAWFULNESS_REVIEW)
        or policy.can(user, policy.Action.BLOCKED_CASE_NOTICE)
    ):
        raise PolicyDenied(policy.Action.CASE_CLOSED_FOLLOW_UP, _("Geen toestemming voor deze handeling."))
    shown = {case.pk: case for case in [*followed, *reviewable]}
    if shown:
        record(user, action=Action.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=list(shown.values()))
    if notices:
        blocking.log_notices(user, notices)
    return render(
        request, "cases/blocked_cases.html", {"followed": followed, "reviewable": reviewable, "notices": notices}
    )


@require_http_methods(["GET", "POST"])
def lawfulness_review(request, pk):
    case = blocking.get_reviewable_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_LAWFULNESS_REVIEW, case)
    form = ReasonForm(request.POST or None, label=_("Reden van de rechtmatigheidscontrole"))
    if request.method == "POST" and form.is_valid():
        try:
            review = blocking.review_lawfulness(request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            context = {
                "case": case,
                "review": review,
                "participants": case.participants.select_related("organisation", "legal_basis"),
                "transitions": case.transitions.select_related("by"),
            }
            return render(request, "cases/lawfulness_review.html", context)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "cases/lawfulness_review.html", {"case": case, "form": form, "review": None}, status=status
    )


@require_http_methods(["GET", "POST"])
def blocked_case_notice(request, pk):
    case = blocking.get_notice(request.user, pk)
    policy.require(request.user, policy.Action.BLOCKED_CASE_NOTICE, case)
    form = ReuseDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if submitted(form, lambda d: blocking.decide_reuse(request.user, case=case, **d)):
            messages.success(request, _("Het besluit over de afgeschermde casus is vastgelegd."))
            return redirect("cases:blocked_case_notice", pk=case.pk)
    blocking.log_notices(request.user, [case])
    context = {
        "case": case,
        "form": form,
        "decisions": blocking.current_reuse_decisions(case),
        "permitted": blocking.reuse_permitted(case),
    }
    return TemplateResponse(request, "cases/blocked_case_notice.html", context, status=status)


@require_GET
def blocked_case_content(request, pk):
    case = blocking.get_reusable_case(request.user, pk)
    return render(request, "cases/blocked_case_content.html", {"case": case})


# ---------------------------------------------------------------- third parties (Wet PGA art. 3 lid 3)


@require_POST
def third_party_propose(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.THIRD_PARTY_PROPOSE, case)
    form = ThirdPartyForm(request.POST, organisations=third_parties.candidates(case))
    if submitted(form, lambda d: third_parties.propose_third_party(request.user, case=case, **d)):
        messages.success(
            request, _("De toelating van de derde is voorgesteld; de burgemeester, politie en OM beslissen samen.")
        )
        return redirect("cases:case_detail", pk=case.pk)
    return TemplateResponse(
        request, "cases/case_detail.html", _case_context(request, case, third_party_form=form), status=400
    )


@require_GET
def third_party_admissions(request):
    policy.require(request.user, policy.Action.THIRD_PARTY_DECIDE)
    page = page_of(request, third_parties.open_admissions(request.user))
    record(request.user, action=Action.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=page.object_list)
    return render(request, "cases/third_party_admissions.html", {"page": page})


@require_http_methods(["GET", "POST"])
def third_party_decide(request, pk):
    admission = third_parties.get_admission(request.user, pk)
    form = ThirdPartyDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if submitted(form, lambda d: third_parties.confirm_third_party(request.user, admission=admission, **d)):
            messages.success(request, _("Het standpunt van uw partij over de derde is vastgelegd."))
            return redirect("cases:third_party_admissions")
    confirmations = admission.confirmations.select_related("organisation", "confirmed_by")
    return TemplateResponse(
        request,
        "cases/third_party_decide.html",
        {"admission": admission, "confirmations": confirmations, "form": form},
        status=status,
    )
