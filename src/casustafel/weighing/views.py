"""Weighing pages: the weegploeg's list, a weighing with its criteria, each party's
contribution and the joint decision (which runs through ``flow``: it concludes the
signals and may open a case)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casustafel.access import policy
from casustafel.core.concurrency import StaleVersion, refuse_stale
from casustafel.core.web import apply_service_errors, submitted
from casustafel.corrections import selectors as correction_selectors
from casustafel.flow import services as flow
from casustafel.governance import selectors as governance_selectors
from casustafel.governance.forms import WithheldForm
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.search import lists

from . import selectors as weighing_selectors
from . import services as weighing_services
from .forms import (
    ConfirmationForm,
    ConsultationAnswerForm,
    ConsultationForm,
    ContributionForm,
    DecisionForm,
    RegistrantInformedForm,
)
from .models import DecisionStatus, Outcome
from .states import DECISION_PROPOSED


def _weighing_context(
    request,
    weighing,
    contribution_form=None,
    decision_form=None,
    confirmation_form=None,
    consultation_form=None,
    answer_form=None,
):
    user = request.user
    contributions = list(weighing.contributions.all())
    for c in contributions:
        c.is_fresh = c.updated_at >= weighing.signals_changed_at
    governance_selectors.mark_visibility(user, contributions)
    correction_selectors.attach_histories(user, contributions, purpose=Purpose.WEIGHING)
    for c in contributions:
        c.can_correct = policy.can(user, policy.Action.ITEM_CORRECT, c)
    own = next((c for c in contributions if c.party == user.organisation.kind), None)
    criteria = list(weighing.framework.criteria.all())
    if contribution_form is None and policy.can(user, policy.Action.WEIGHING_CONTRIBUTE, weighing):
        initial = {}
        if own is not None:
            initial = {
                "holds_information": "1" if own.holds_information else "0",
                "information": own.information,
                "view": own.view,
                "view_rationale": own.view_rationale,
            }
            for a in own.assessments.all():
                initial[f"assessment_{a.criterion.code}"] = a.assessment
                initial[f"reasons_{a.criterion.code}"] = a.reasons
        if own is not None:
            initial.update(
                legal_basis=own.legal_basis.code if own.legal_basis_id else "",
                classification=own.classification,
                visibility=own.visibility,
                data_category=own.data_category,
            )
        initial["version"] = own.version if own is not None else 0
        contribution_form = ContributionForm(
            initial=initial, criteria=criteria, organisation_kind=user.organisation.kind
        )
    may_decide = policy.can(user, policy.Action.WEIGHING_DECIDE, weighing)
    proposal = next((d for d in weighing.decisions.all() if d.status == DecisionStatus.PROPOSED), None)
    can_decide = may_decide and weighing.status not in (weighing.DECIDED, DECISION_PROPOSED)
    if decision_form is None and can_decide:
        decision_form = DecisionForm(region=weighing.region)
    can_confirm = (
        may_decide
        and proposal is not None
        and all(c.party != user.organisation.kind for c in proposal.confirmations.all())
    )
    if confirmation_form is None and can_confirm:
        confirmation_form = ConfirmationForm()
    # Art. 5 lid 3: consultations of the other participants, part of the weighing record.
    may_consult = weighing.status != weighing.DECIDED and policy.can(user, policy.Action.WEIGHING_CONSULT, weighing)
    consultations = weighing_selectors.consultations_of(user, weighing)
    for consultation in consultations:
        consultation.answer_form = None
        if may_consult and consultation.awaiting_answer:
            if answer_form is not None and answer_form["consultation"].value() == str(consultation.pk):
                consultation.answer_form = answer_form
            else:
                consultation.answer_form = ConsultationAnswerForm(
                    initial={"consultation": consultation.pk}, auto_id=f"id_{consultation.pk}_%s"
                )
    if consultation_form is None and may_consult:
        consultation_form = ConsultationForm(region=weighing.region, auto_id="id_consultation_%s")
    return {
        "consultations": consultations,
        # A refused form is shown with its errors (e.g. the weighing was decided meanwhile).
        "consultation_form": consultation_form if may_consult or consultation_form is not None else None,
        "weighing": weighing,
        "signals": governance_selectors.mark_visibility(user, list(weighing.signals.all())),
        "restricted_documents": governance_selectors.documents_for_table(
            region_id=weighing.region_id, subject_id=weighing.subject_id
        ),
        # Wet PGA art. 4 aanhef: data withheld for weighty reasons (who, category, reason; no content).
        "withheld": governance_selectors.withheld_records(user, weighing=weighing),
        "withheld_form": WithheldForm() if policy.can(user, policy.Action.WITHHELD_RECORD, weighing) else None,
        "criteria": criteria,
        "contributions": contributions,
        "missing": weighing_services.missing_parties(weighing, contributions),
        "decisions": weighing.decisions.all(),
        "contribution_form": contribution_form if weighing.status != weighing.DECIDED else None,
        "decision_form": decision_form if can_decide else None,
        "proposal": proposal,
        "registrant_notices": [
            (notice, RegistrantInformedForm(initial={"notice": notice.pk}, auto_id=f"id_{notice.pk}_%s"))
            for notice in weighing_selectors.open_registrant_notices(user, weighing=weighing)
        ],
        "confirmation_form": confirmation_form if can_confirm else None,
        "other_cases": policy.scope_subject_history(user, weighing.subject)["cases"],
    }


@require_GET
def weighing_list(request):
    policy.require(request.user, policy.Action.WEIGHING_VIEW)
    qs = weighing_selectors.visible_weighings(request.user).annotate(
        signal_count=Count("signals", distinct=True),
        contribution_count=Count(
            "contributions", filter=Q(contributions__updated_at__gte=F("signals_changed_at")), distinct=True
        ),
    )
    context, status = lists.weighings(request, qs)
    record(request.user, action=Action.LIST, purpose=Purpose.WEIGHING, objects=context["page"].object_list)
    return render(request, "weighing/weighing_list.html", context, status=status)


@require_GET
def weighing_detail(request, pk):
    weighing = weighing_selectors.get_weighing(request.user, pk)
    return render(request, "weighing/weighing_detail.html", _weighing_context(request, weighing))


@require_POST
def weighing_contribute(request, pk):
    weighing = weighing_selectors.get_weighing(request.user, pk)
    policy.require(request.user, policy.Action.WEIGHING_CONTRIBUTE, weighing)
    form = ContributionForm(
        request.POST, criteria=weighing.framework.criteria.all(), organisation_kind=request.user.organisation.kind
    )
    status = 400
    if form.is_valid():
        data = weighing_services.ContributionData(
            holds_information=form.cleaned_data["holds_information"],
            information=form.cleaned_data["information"],
            view=form.cleaned_data["view"],
            view_rationale=form.cleaned_data["view_rationale"],
            assessments=form.assessments(),
            **form.provenance(),
        )
        try:
            weighing_services.submit_contribution(
                request.user, weighing=weighing, data=data, expected_version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except StaleVersion as stale:
            now = stale.obj
            current = (
                {"information": now.information, "view": now.get_view_display(), "view_rationale": now.view_rationale}
                if now is not None
                else {}
            )
            status = refuse_stale(form, stale, current)
        else:
            messages.success(request, _("De inbreng van uw organisatie is vastgelegd."))
            return redirect("weighing:weighing_detail", pk=weighing.pk)
    return TemplateResponse(
        request,
        "weighing/weighing_detail.html",
        _weighing_context(request, weighing, contribution_form=form),
        status=status,
    )


@require_POST
def weighing_decide(request, pk):
    weighing = weighing_selectors.get_weighing(request.user, pk)
    policy.require(request.user, policy.Action.WEIGHING_DECIDE, weighing)
    form = DecisionForm(request.POST, region=weighing.region)
    if form.is_valid():
        d = form.cleaned_data
        data = weighing_services.DecisionData(
            outcome=d["outcome"],
            rationale=d["rationale"],
            dissent=d["dissent"],
            referral_target=d["referral_target"],
            information_deadline=d["information_deadline"],
            case_director=d["case_director"],
            participants=[(org, d["participants_reason"], d["participants_legal_basis"]) for org in d["participants"]],
        )
        try:
            decision = flow.propose_decision(request.user, weighing=weighing, data=data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Het besluit ‘%(outcome)s’ is voorgesteld; het geldt zodra de andere kernpartners het bevestigen.")
                % {"outcome": decision.get_outcome_display()},
            )
            return redirect("weighing:weighing_detail", pk=weighing.pk)
    return TemplateResponse(
        request, "weighing/weighing_detail.html", _weighing_context(request, weighing, decision_form=form), status=400
    )


@require_POST
def decision_confirm(request, pk):
    """A core party's weighing member confirms or rejects the proposed decision (art. 5 lid 3)."""
    weighing = weighing_selectors.get_weighing(request.user, pk)
    policy.require(request.user, policy.Action.WEIGHING_DECIDE, weighing)
    proposal = next((d for d in weighing.decisions.all() if d.status == DecisionStatus.PROPOSED), None)
    form = ConfirmationForm(request.POST)
    if proposal is None:
        messages.error(request, _("Er is geen voorstel (meer) om te bevestigen."))
        return redirect("weighing:weighing_detail", pk=weighing.pk)
    if form.is_valid():
        try:
            decision = flow.confirm_decision(
                request.user, decision=proposal, agrees=form.cleaned_data["agrees"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if decision.status == DecisionStatus.IN_EFFECT:
                messages.success(
                    request, _("Eensluidend besloten: %(outcome)s.") % {"outcome": decision.get_outcome_display()}
                )
                if decision.outcome == Outcome.INCLUDE:
                    return redirect("cases:case_detail", pk=decision.case.pk)
            elif decision.status == DecisionStatus.REJECTED:
                messages.success(request, _("Uw partij onderschrijft het voorstel niet; het voorstel is vervallen."))
            else:
                messages.success(request, _("Uw bevestiging is vastgelegd."))
            return redirect("weighing:weighing_detail", pk=weighing.pk)
    return TemplateResponse(
        request,
        "weighing/weighing_detail.html",
        _weighing_context(request, weighing, confirmation_form=form),
        status=400,
    )


@require_POST
def registrant_informed(request, pk):
    """Record that the registering participant was informed (art. 5 lid 6 Wet PGA)."""
    weighing = weighing_selectors.get_weighing(request.user, pk)
    notices = {str(n.pk): n for n in weighing_selectors.open_registrant_notices(request.user, weighing=weighing)}
    notice = notices.get(request.POST.get("notice", ""))
    if notice is None:
        messages.error(request, _("Deze taak is al afgerond of bestaat niet."))
        return redirect("weighing:weighing_detail", pk=weighing.pk)
    form = RegistrantInformedForm(request.POST, auto_id=f"id_{notice.pk}_%s")

    def write(d):
        weighing_services.record_registrant_informed(request.user, notice=notice, informed_on=d["informed_on"])

    if submitted(form, write):
        messages.success(request, _("Vastgelegd dat %(org)s is geïnformeerd.") % {"org": notice.organisation})
        return redirect("weighing:weighing_detail", pk=weighing.pk)
    context = _weighing_context(request, weighing)
    context["registrant_notices"] = [(n, form if n.pk == notice.pk else f) for n, f in context["registrant_notices"]]
    return TemplateResponse(request, "weighing/weighing_detail.html", context, status=400)


@require_POST
def consultation_create(request, pk):
    """Record that the weegploeg consulted another participant (art. 5 lid 3 Wet PGA)."""
    weighing = weighing_selectors.get_weighing(request.user, pk)
    policy.require(request.user, policy.Action.WEIGHING_CONSULT, weighing)
    form = ConsultationForm(request.POST, region=weighing.region, auto_id="id_consultation_%s")
    if submitted(form, lambda d: weighing_services.record_consultation(request.user, weighing=weighing, **d)):
        organisation = form.cleaned_data["organisation"]
        messages.success(request, _("De raadpleging van %(org)s is vastgelegd.") % {"org": organisation})
        return redirect("weighing:weighing_detail", pk=weighing.pk)
    return TemplateResponse(
        request,
        "weighing/weighing_detail.html",
        _weighing_context(request, weighing, consultation_form=form),
        status=400,
    )


@require_POST
def consultation_answer(request, pk):
    """Add the answer of a consulted participant that was still awaited (art. 5 lid 3 Wet PGA)."""
    weighing = weighing_selectors.get_weighing(request.user, pk)
    policy.require(request.user, policy.Action.WEIGHING_CONSULT, weighing)
    awaiting = {str(c.pk): c for c in weighing_selectors.consultations_of(request.user, weighing) if c.awaiting_answer}
    consultation = awaiting.get(request.POST.get("consultation", ""))
    if consultation is None:
        messages.error(request, _("Het antwoord op deze raadpleging is al vastgelegd of de raadpleging bestaat niet."))
        return redirect("weighing:weighing_detail", pk=weighing.pk)
    form = ConsultationAnswerForm(request.POST, auto_id=f"id_{consultation.pk}_%s")

    def write(d):
        weighing_services.record_consultation_answer(request.user, consultation=consultation, answer=d["answer"])

    if submitted(form, write):
        messages.success(request, _("Het antwoord van %(org)s is vastgelegd.") % {"org": consultation.organisation})
        return redirect("weighing:weighing_detail", pk=weighing.pk)
    return TemplateResponse(
        request, "weighing/weighing_detail.html", _weighing_context(request, weighing, answer_form=form), status=400
    )
