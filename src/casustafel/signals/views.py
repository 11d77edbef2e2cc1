"""Signal pages: the intake queue, registering a signal, a signal with the person's history,
and the hand-over to the weegploeg. Reads go through selectors (policy + processing log),
writes through services; the steps that cross into the weighing through ``flow``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.core.web import ReasonForm, apply_service_errors
from casustafel.corrections import selectors as correction_selectors
from casustafel.flow import selectors as flow_selectors
from casustafel.flow import services as flow
from casustafel.governance import selectors as governance_selectors
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.search import lists
from casustafel.subjects.models import SubjectKind
from casustafel.subjects.services import SubjectData, find_known_subject

from . import selectors as signal_selectors
from . import services as signal_services
from . import states as signal_states
from .forms import IntakeForm


@require_GET
def signal_list(request):
    policy.require(request.user, policy.Action.SIGNAL_VIEW)
    context, status = lists.signals(request, signal_selectors.visible_signals(request.user))
    signal_selectors.log_listed(request.user, context["page"].object_list)
    return render(request, "signals/signal_list.html", context, status=status)


@require_http_methods(["GET", "POST"])
def signal_create(request):
    policy.require(request.user, policy.Action.SIGNAL_CREATE)
    form = IntakeForm(request.POST or None, organisation_kind=request.user.organisation.kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = SubjectData(**{f: data[f] for f in IntakeForm.SUBJECT_FIELDS})
        try:
            registration = flow.register_signal(
                request.user,
                subject=subject,
                fields={f: data[f] for f in IntakeForm.SIGNAL_FIELDS},
                idempotency_key=data["submission"],
            )
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
            if flow_selectors.proposes_reopening(signal):
                messages.info(
                    request,
                    _(
                        "Over deze persoon is een afgeschaalde casus. Het volgende casusoverleg "
                        "krijgt een voorstel tot heropening op de agenda."
                    ),
                )
            if signal.is_acute:
                messages.error(
                    request,
                    _(
                        "ACUUT GEVAAR: meld dit direct bij de politie (112 of de meldkamer). "
                        "Het signaal is meteen aan de weegploeg voorgelegd."
                    ),
                )
            return redirect("signals:signal_detail", pk=signal.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "signals/signal_form.html", {"form": form}, status=status)


@require_POST
def known_person_check(request):
    """htmx: does the region already know this person? Posted, so nothing personal is in a URL."""
    policy.require(request.user, policy.Action.SIGNAL_CREATE)
    form = IntakeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    match = None
    if data.get("kind") == SubjectKind.LEGAL_PERSON:
        # An organisation (Wet PGA art. 2): by KvK number or RSIN, else by name + place.
        if data.get("legal_name") or data.get("kvk_number") or data.get("rsin"):
            match = find_known_subject(
                request.user.organisation.region,
                SubjectData(
                    kind=SubjectKind.LEGAL_PERSON,
                    legal_name=data.get("legal_name") or "",
                    establishment_place=data.get("establishment_place") or "",
                    kvk_number=data.get("kvk_number") or "",
                    rsin=data.get("rsin") or "",
                ),
            )
    elif all(data.get(f) for f in ("given_names", "family_name", "date_of_birth")):
        match = find_known_subject(
            request.user.organisation.region,
            SubjectData(
                given_names=data["given_names"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                bsn=data.get("bsn") or "",
            ),
        )
    history = None
    if match is not None:
        record(request.user, action=Action.SEARCH, purpose=Purpose.KNOWN_PERSON_CHECK, objects=[match])
        history = policy.scope_subject_history(request.user, match)
    return render(request, "signals/partials/known_person.html", {"checked": bool(data), "history": history})


@require_GET
def signal_detail(request, pk):
    signal = signal_selectors.get_signal(request.user, pk)
    history = policy.scope_subject_history(request.user, signal.subject)
    governance_selectors.mark_visibility(request.user, [signal])
    correction_selectors.attach_histories(request.user, [signal], purpose=Purpose.INTAKE)
    return render(
        request,
        "signals/signal_detail.html",
        {
            "signal": signal,
            "transitions": signal.transitions.select_related("by"),
            "other_signals": history["signals"].exclude(pk=signal.pk),
            "cases": history["cases"],
            "other_cases_exist": history["other_cases_exist"],
            "can_prepare": signal.status == signal_states.RECEIVED,
            "can_send": signal_states.SIGNAL_MACHINE.can(signal.status, signal_states.IN_WEIGHING, by_hand=True),
            "reason_form": ReasonForm(),
            "can_correct": policy.can(request.user, policy.Action.ITEM_CORRECT, signal),
        },
    )


@require_POST
def signal_transition(request, pk, target):
    signal = signal_selectors.get_signal(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("De toelichting is te lang."))
        return redirect("signals:signal_detail", pk=signal.pk)
    action = {"voorbereiden": signal_services.start_preparation, "wegen": flow.send_to_weighing}.get(target)
    if action is None:
        raise Http404
    try:
        signal = action(request.user, signal=signal, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("signals:signal_detail", pk=signal.pk)
    if signal.weighing_id and target == "wegen":
        return redirect("weighing:weighing_detail", pk=signal.weighing_id)
    return redirect("signals:signal_detail", pk=signal.pk)
