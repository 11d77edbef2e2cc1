"""Server-rendered pages. Every read goes through a selector (access policy + processing
log); every write through a service. Forbidden objects are "not found"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.cases import selectors as case_selectors
from casustafel.cases import services as case_services
from casustafel.cases import states as case_states
from casustafel.governance import policy
from casustafel.governance import selectors as governance_selectors
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.signals import selectors as signal_selectors
from casustafel.signals import services as signal_services
from casustafel.signals import states as signal_states
from casustafel.signals.models import Urgency
from casustafel.subjects.services import SubjectData
from casustafel.weighing import selectors as weighing_selectors
from casustafel.weighing import services as weighing_services
from casustafel.weighing.models import Outcome

from .forms import (
    AnswerForm, CaseTransitionForm, ContributionForm, DecisionForm, IntakeForm, ParticipantForm, ReasonForm,
    apply_service_errors,
)

PAGE_SIZE = 25


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("pagina"))


@require_GET
def dashboard(request):
    user = request.user
    context = {"can_signals": policy.works_on_signals(user), "can_cases": policy.works_on_cases(user)}
    if context["can_signals"]:
        queue = list(signal_selectors.visible_signals(user).filter(status__in=signal_states.OPEN_STATES)
                     .order_by("-urgency", "registered_at")[:10])
        # Acute first, then oldest first.
        queue.sort(key=lambda s: (s.urgency != Urgency.ACUTE, s.registered_at))
        signal_selectors.log_listed(user, queue)
        context["queue"] = queue
    if context["can_cases"]:
        cases = list(case_selectors.visible_cases(user).filter(status__in=case_states.OPEN_STATES)[:10])
        case_selectors.log_listed(user, cases)
        context["cases"] = cases
        from casustafel.plans.selectors import dashboard_follow_up

        context.update(dashboard_follow_up(user))
    return render(request, "web/dashboard.html", context)


# ------------------------------------------------------------------ signals

@require_GET
def signal_list(request):
    if not policy.works_on_signals(request.user):
        raise Http404
    qs = signal_selectors.visible_signals(request.user)
    status = request.GET.get("status")
    if status in signal_states.SIGNAL_MACHINE.labels:
        qs = qs.filter(status=status)
    page = _page(request, qs)
    signal_selectors.log_listed(request.user, page.object_list)
    return render(request, "web/signal_list.html", {
        "page": page, "status": status, "statuses": signal_states.SIGNAL_MACHINE.labels.items()})


@require_http_methods(["GET", "POST"])
def signal_create(request):
    if not policy.can(request.user, policy.Action.SIGNAL_CREATE):
        raise Http404
    form = IntakeForm(request.POST or None, organisation_kind=request.user.organisation.kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = SubjectData(**{f: data[f] for f in IntakeForm.SUBJECT_FIELDS})
        try:
            registration = signal_services.register_signal(
                request.user, subject, {f: data[f] for f in IntakeForm.SIGNAL_FIELDS},
                idempotency_key=data["submission"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            signal = registration.signal
            if registration.duplicate:
                messages.info(request, _("Dit signaal was al geregistreerd; er is geen tweede aangemaakt."))
            else:
                messages.success(request, _("Signaal %(ref)s is geregistreerd.") % {"ref": signal.reference})
            if registration.known_person:
                messages.warning(request, _("Deze persoon is al bekend. Bekijk de voorgeschiedenis hieronder."))
            if case_selectors.reopening_proposals(signal.region_id).filter(subject_id=signal.subject_id).exists():
                messages.info(request, _("Over deze persoon is een afgeschaalde of afgesloten casus. Het volgende "
                                         "casusoverleg krijgt een voorstel tot heropening op de agenda."))
            if signal.is_acute:
                messages.error(request, _("ACUUT GEVAAR: meld dit direct bij de politie (112 of de meldkamer). "
                                          "Het signaal is meteen aan de weegploeg voorgelegd."))
            return redirect("web:signal_detail", pk=signal.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/signal_form.html", {"form": form}, status=status)


@require_POST
def known_person_check(request):
    """htmx: does the region already know this person? Posted, so nothing personal is in a URL."""
    if not policy.can(request.user, policy.Action.SIGNAL_CREATE):
        raise Http404
    form = IntakeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    match = None
    if all(data.get(f) for f in ("given_names", "family_name", "date_of_birth")):
        from casustafel.subjects.services import find_known_subject

        match = find_known_subject(request.user.organisation.region, SubjectData(
            given_names=data["given_names"], family_name=data["family_name"],
            date_of_birth=data["date_of_birth"], gender="", municipality="", bsn=data.get("bsn") or ""))
    history = None
    if match is not None:
        record(request.user, Action.SEARCH, Purpose.KNOWN_PERSON_CHECK, [match])
        history = policy.scope_subject_history(request.user, match)
    return render(request, "web/partials/known_person.html", {"checked": bool(data), "history": history})


@require_GET
def signal_detail(request, pk):
    signal = signal_selectors.get_signal(request.user, pk)
    history = policy.scope_subject_history(request.user, signal.subject)
    governance_selectors.mark_visibility(request.user, [signal])
    return render(request, "web/signal_detail.html", {
        "signal": signal,
        "transitions": signal.transitions.select_related("by"),
        "other_signals": history["signals"].exclude(pk=signal.pk),
        "cases": history["cases"],
        "other_cases_exist": history["other_cases_exist"],
        "can_prepare": signal.status == signal_states.RECEIVED,
        "can_send": signal_states.SIGNAL_MACHINE.can(signal.status, signal_states.IN_WEIGHING)
        and signal.status != signal_states.MORE_INFORMATION,
        "reason_form": ReasonForm(),
    })


@require_POST
def signal_transition(request, pk, target):
    signal = signal_selectors.get_signal(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("De toelichting is te lang."))
        return redirect("web:signal_detail", pk=signal.pk)
    action = {"voorbereiden": signal_services.start_preparation, "wegen": signal_services.send_to_weighing}.get(target)
    if action is None:
        raise Http404
    try:
        signal = action(request.user, signal, form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:signal_detail", pk=signal.pk)
    if signal.weighing_id and target == "wegen":
        return redirect("web:weighing_detail", pk=signal.weighing_id)
    return redirect("web:signal_detail", pk=signal.pk)


# ------------------------------------------------------------------ weighing

@require_GET
def weighing_list(request):
    if not policy.works_on_signals(request.user):
        raise Http404
    qs = weighing_selectors.visible_weighings(request.user).annotate(
        signal_count=Count("signals", distinct=True),
        contribution_count=Count("contributions", filter=Q(contributions__updated_at__gte=F("signals_changed_at")),
                                 distinct=True),
    ).order_by("status", "-opened_at")
    page = _page(request, qs)
    record(request.user, Action.LIST, Purpose.WEIGHING, page.object_list)
    return render(request, "web/weighing_list.html", {"page": page})


def _weighing_context(request, weighing, contribution_form=None, decision_form=None):
    user = request.user
    contributions = list(weighing.contributions.all())
    for c in contributions:
        c.is_fresh = c.updated_at >= weighing.signals_changed_at
    governance_selectors.mark_visibility(user, contributions)
    own = next((c for c in contributions if c.party == user.organisation.kind), None)
    criteria = list(weighing.framework.criteria.all())
    if contribution_form is None and policy.can(user, policy.Action.WEIGHING_CONTRIBUTE, weighing):
        initial = {}
        if own is not None:
            initial = {"holds_information": "1" if own.holds_information else "0", "information": own.information,
                       "view": own.view, "view_rationale": own.view_rationale}
            for a in own.assessments.all():
                initial[f"assessment_{a.criterion.code}"] = a.assessment
                initial[f"reasons_{a.criterion.code}"] = a.reasons
        if own is not None:
            initial.update(legal_basis=own.legal_basis.code if own.legal_basis_id else "",
                           classification=own.classification, visibility=own.visibility)
        contribution_form = ContributionForm(initial=initial, criteria=criteria,
                                             organisation_kind=user.organisation.kind)
    can_decide = policy.can(user, policy.Action.WEIGHING_DECIDE, weighing) and weighing.status != weighing.DECIDED
    if decision_form is None and can_decide:
        decision_form = DecisionForm(region=weighing.region)
    return {
        "weighing": weighing,
        "signals": governance_selectors.mark_visibility(user, list(weighing.signals.all())),
        "restricted_documents": governance_selectors.documents_for_table(region_id=weighing.region_id,
                                                                         subject_id=weighing.subject_id),
        "criteria": criteria,
        "contributions": contributions,
        "missing": weighing_services.missing_parties(weighing, contributions),
        "decisions": weighing.decisions.all(),
        "contribution_form": contribution_form if weighing.status != weighing.DECIDED else None,
        "decision_form": decision_form if can_decide else None,
        "other_cases": policy.scope_subject_history(user, weighing.subject)["cases"],
    }


@require_GET
def weighing_detail(request, pk):
    weighing = weighing_selectors.get_weighing(request.user, pk)
    return render(request, "web/weighing_detail.html", _weighing_context(request, weighing))


@require_POST
def weighing_contribute(request, pk):
    weighing = weighing_selectors.get_weighing(request.user, pk)
    if not policy.can(request.user, policy.Action.WEIGHING_CONTRIBUTE, weighing):
        raise Http404
    form = ContributionForm(request.POST, criteria=weighing.framework.criteria.all(),
                            organisation_kind=request.user.organisation.kind)
    if form.is_valid():
        data = weighing_services.ContributionData(
            holds_information=form.cleaned_data["holds_information"],
            information=form.cleaned_data["information"], view=form.cleaned_data["view"],
            view_rationale=form.cleaned_data["view_rationale"], assessments=form.assessments(),
            **form.provenance())
        try:
            weighing_services.submit_contribution(request.user, weighing, data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De inbreng van uw organisatie is vastgelegd."))
            return redirect("web:weighing_detail", pk=weighing.pk)
    return TemplateResponse(request, "web/weighing_detail.html",
                            _weighing_context(request, weighing, contribution_form=form), status=400)


@require_POST
def weighing_decide(request, pk):
    weighing = weighing_selectors.get_weighing(request.user, pk)
    if not policy.can(request.user, policy.Action.WEIGHING_DECIDE, weighing):
        raise Http404
    form = DecisionForm(request.POST, region=weighing.region)
    if form.is_valid():
        d = form.cleaned_data
        data = weighing_services.DecisionData(
            outcome=d["outcome"], rationale=d["rationale"], dissent=d["dissent"],
            referral_target=d["referral_target"], information_deadline=d["information_deadline"],
            case_director=d["case_director"],
            participants=[(org, d["participants_reason"], d["participants_legal_basis"]) for org in d["participants"]])
        try:
            decision = weighing_services.record_decision(request.user, weighing, data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Het besluit is vastgelegd: %(outcome)s.") % {
                "outcome": decision.get_outcome_display()})
            if decision.outcome == Outcome.INCLUDE:
                return redirect("web:case_detail", pk=decision.case.pk)
            return redirect("web:weighing_detail", pk=weighing.pk)
    return TemplateResponse(request, "web/weighing_detail.html",
                            _weighing_context(request, weighing, decision_form=form), status=400)


# ------------------------------------------------------------------ cases

@require_GET
def case_list(request):
    if not policy.works_on_cases(request.user):
        raise Http404
    qs = case_selectors.visible_cases(request.user)
    status = request.GET.get("status")
    if status in case_states.CASE_MACHINE.labels:
        qs = qs.filter(status=status)
    page = _page(request, qs)
    case_selectors.log_listed(request.user, page.object_list)
    return render(request, "web/case_list.html", {
        "page": page, "status": status, "statuses": case_states.CASE_MACHINE.labels.items()})


def _case_context(request, case, participant_form=None, transition_form=None):
    can_manage = policy.can(request.user, policy.Action.CASE_MANAGE, case)
    return {
        "case": case,
        "participants": case.participants.all(),
        "restricted_documents": governance_selectors.documents_for_table(region_id=case.region_id, case=case),
        "transitions": case.transitions.all(),
        "can_manage": can_manage,
        "participant_form": (participant_form or ParticipantForm(case=case))
        if can_manage and case.status != case_states.CLOSED else None,
        "transition_form": (transition_form or CaseTransitionForm(case=case)) if can_manage else None,
    }


@require_GET
def case_detail(request, pk):
    case = case_selectors.get_case(request.user, pk)
    return render(request, "web/case_detail.html", _case_context(request, case))


@require_POST
def case_add_participant(request, pk):
    case = case_selectors.get_case(request.user, pk)
    if not policy.can(request.user, policy.Action.CASE_MANAGE, case):
        raise Http404
    form = ParticipantForm(request.POST, case=case)
    if form.is_valid():
        try:
            case_services.add_participant(request.user, case, form.cleaned_data["organisation"],
                                          form.cleaned_data["reason"], form.cleaned_data["legal_basis"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De organisatie neemt nu deel aan de casus."))
            return redirect("web:case_detail", pk=case.pk)
    return TemplateResponse(request, "web/case_detail.html", _case_context(request, case, participant_form=form),
                            status=400)


@require_POST
def case_transition(request, pk):
    case = case_selectors.get_case(request.user, pk)
    if not policy.can(request.user, policy.Action.CASE_MANAGE, case):
        raise Http404
    form = CaseTransitionForm(request.POST, case=case)
    if form.is_valid():
        d = form.cleaned_data
        try:
            case_services.transition_case(request.user, case, d["target"], d["reason"], d["closure_reason"],
                                          override_open_work=d["override_open_work"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De status van de casus is gewijzigd."))
            return redirect("web:case_detail", pk=case.pk)
    return TemplateResponse(request, "web/case_detail.html", _case_context(request, case, transition_form=form),
                            status=400)


# ------------------------------------------------------------------ errors

def not_found(request, exception=None):
    return render(request, "web/error.html", {"title": _("Niet gevonden"), "message": _(
        "Deze pagina bestaat niet of u heeft er geen toegang toe.")}, status=404)


def forbidden(request, exception=None):
    return render(request, "web/error.html", {"title": _("Geen toegang"), "message": _(
        "U heeft geen toegang tot deze pagina.")}, status=403)


def server_error(request):
    return render(request, "web/error.html", {"title": _("Er ging iets mis"), "message": _(
        "Er is een onverwachte fout opgetreden. Er is niets half opgeslagen; probeer het opnieuw.")}, status=500)


# ------------------------------------------------------------------ known elsewhere (other regions)

@require_POST
def known_elsewhere_check(request, pk):
    """htmx: hit / no hit in other regions for the person of this signal."""
    from casustafel.subjects.elsewhere import known_elsewhere

    signal = signal_selectors.get_signal(request.user, pk)
    hit = known_elsewhere(request.user, signal.subject)
    return render(request, "web/partials/known_elsewhere.html", {"signal": signal, "hit": hit})


@require_POST
def known_elsewhere_request(request, pk):
    from casustafel.subjects.elsewhere import request_information

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
    return redirect("web:signal_detail", pk=signal.pk)


@require_GET
def request_list(request):
    from casustafel.subjects.elsewhere import incoming_requests, outgoing_requests

    if not policy.works_on_signals(request.user):
        raise Http404
    incoming = _page(request, incoming_requests(request.user))
    outgoing = list(outgoing_requests(request.user)[:PAGE_SIZE])
    return render(request, "web/request_list.html", {"page": incoming, "outgoing": outgoing,
                                                     "answer_form": AnswerForm()})


@require_POST
def request_answer(request, pk):
    from casustafel.subjects.elsewhere import answer_request

    form = AnswerForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else ""
    try:
        answer_request(request.user, pk, answer)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Het verzoek is beantwoord."))
    return redirect("web:request_list")


# ------------------------------------------------------------------ case transfers (overdracht)

@require_http_methods(["GET", "POST"])
def case_transfer(request, pk):
    from casustafel.cases import transfer as transfer_services

    from .transfer_forms import TransferProposalForm

    case = case_selectors.get_case(request.user, pk)
    if not policy.can(request.user, policy.Action.CASE_MANAGE, case):
        raise Http404
    form = TransferProposalForm(request.POST or None, case=case)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                transfer_services.propose_transfer(request.user, case, form.cleaned_data["to_region"],
                                                   form.cleaned_data["reason"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("De overdracht is voorgesteld aan de ontvangende casustafel."))
                return redirect("web:case_detail", pk=case.pk)
    return TemplateResponse(request, "web/case_transfer.html", {
        "case": case, "form": form, "transfers": case.transfers.select_related("to_region", "decided_by")},
        status=status)


@require_GET
def transfer_list(request):
    from casustafel.cases import transfer as transfer_services

    if not policy.receives_transfers(request.user):
        raise Http404
    page = _page(request, transfer_services.incoming_transfers(request.user))
    record(request.user, Action.LIST, Purpose.CASE_MANAGEMENT, page.object_list)
    return render(request, "web/transfer_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def transfer_decide(request, pk):
    from casustafel.cases import transfer as transfer_services

    from .transfer_forms import TransferDecisionForm

    transfer = transfer_services.get_incoming_transfer(request.user, pk)
    form = TransferDecisionForm(request.POST or None, transfer=transfer)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            accept = d["decision"] == TransferDecisionForm.ACCEPT
            try:
                transfer_services.decide_transfer(request.user, transfer, accept, d["reason"],
                                                  case_director=d["case_director"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("De overdracht is aanvaard.") if accept
                                 else _("De overdracht is afgewezen."))
                return redirect("web:transfer_list")
    record(request.user, Action.READ, Purpose.CASE_MANAGEMENT, [transfer])
    return TemplateResponse(request, "web/transfer_decide.html", {"transfer": transfer, "form": form},
                            status=status)
