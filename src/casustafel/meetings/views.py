"""Conference pages. Reads through selectors (policy + processing log), writes through
services; forbidden objects are "not found"; refusals are shown as Dutch form errors."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.accounts.models import Organisation
from casustafel.core.concurrency import StaleVersion, refuse_stale
from casustafel.core.web import apply_service_errors

from . import selectors, services, states
from .forms import (
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    CancelMeetingForm,
    DecisionForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    RecordAfterwardsForm,
)
from .models import ActionStatus, ItemReason
from .pdf import render_agenda_pdf

PAGE_SIZE = 25


@require_GET
def meeting_list(request):
    policy.require(request.user, policy.Action.MEETING_VIEW)
    page = Paginator(selectors.visible_meetings(request.user), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "meetings/meeting_list.html",
        {"page": page, "can_manage": policy.can(request.user, policy.Action.MEETING_MANAGE), "now": timezone.now()},
    )


def _meeting_form_page(request, form_class, write, success: str, **context):
    """Schedule or record a meeting: the form, the service ``write(starts_at, ends_at, data)``
    with its moment errors on the form fields, and the meeting page on success."""
    policy.require(request.user, policy.Action.MEETING_MANAGE)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            meeting = write(starts_at, ends_at, form.cleaned_data)
        except ValidationError as error:
            _map_moment_errors(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/meeting_form.html", {"form": form, **context}, status=status)


@require_http_methods(["GET", "POST"])
def meeting_create(request):
    return _meeting_form_page(
        request,
        MeetingForm,
        lambda starts_at, ends_at, data: services.schedule_meeting(
            request.user, starts_at=starts_at, ends_at=ends_at, location=data["location"], online=data["online"]
        ),
        _("Het casusoverleg is gepland."),
    )


@require_http_methods(["GET", "POST"])
def meeting_record(request):
    """Record afterwards an (emergency) meeting that already took place."""
    return _meeting_form_page(
        request,
        RecordAfterwardsForm,
        lambda starts_at, ends_at, data: services.record_meeting_afterwards(
            request.user,
            starts_at=starts_at,
            ends_at=ends_at,
            location=data["location"],
            online=data["online"],
            reason=data["reason"],
        ),
        _("Het overleg is achteraf vastgelegd. Agendeer nu de besproken casussen."),
        afterwards=True,
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _managed(request, pk)
    if meeting.status not in states.WORKING_STATES:
        messages.error(request, _("Dit casusoverleg is geannuleerd en kan niet meer worden gewijzigd."))
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    local_start, local_end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    initial = {
        "date": local_start.date(),
        "start": local_start.time(),
        "end": local_end.time(),
        "location": meeting.location,
        "online": meeting.online,
        "version": meeting.version,
    }
    form = MeetingEditForm(request.POST or None, initial=initial)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            services.edit_meeting(
                request.user,
                meeting=meeting,
                starts_at=starts_at,
                ends_at=ends_at,
                location=form.cleaned_data["location"],
                online=form.cleaned_data["online"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _map_moment_errors(error)
            apply_service_errors(form, error)
        except StaleVersion as stale:
            now = stale.obj
            start, end = timezone.localtime(now.starts_at), timezone.localtime(now.ends_at)
            current = {"date": start.date(), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
            status = refuse_stale(form, stale, {**current, "location": now.location, "online": now.online})
        else:
            messages.success(request, _("Het casusoverleg is gewijzigd."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting}, status=status)


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    meeting = _managed(request, pk)
    form = CancelMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Het casusoverleg is geannuleerd."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/meeting_cancel.html", {"form": form, "meeting": meeting}, status=status)


def _map_moment_errors(error):
    """The service speaks of starts_at/ends_at; the form of start/end."""
    if hasattr(error, "error_dict"):
        for service_name, form_name in (("starts_at", "start"), ("ends_at", "end")):
            if service_name in error.error_dict:
                error.error_dict[form_name] = error.error_dict.pop(service_name)


def _context(request, meeting, bound=None, status_forms=None):
    user = request.user
    bound = bound or {}
    status_forms = status_forms or {}
    can_manage = policy.can(user, policy.Action.MEETING_MANAGE, meeting) and meeting.status in states.WORKING_STATES
    items = selectors.agenda(user, meeting)
    for item in items:
        item.involved = [p.organisation for p in item.case.participants.all()]
        if can_manage:
            item.minutes_form = bound.get((item.pk, "minutes")) or MinutesForm(
                initial={"minutes": item.minutes, "version": item.version}, prefix=f"m{item.pk.hex[:8]}"
            )
            item.decision_form = bound.get((item.pk, "decision")) or DecisionForm(prefix=f"d{item.pk.hex[:8]}")
            item.action_form = bound.get((item.pk, "action")) or ActionForm(
                item=item, involved=item.involved, prefix=f"a{item.pk.hex[:8]}"
            )
        for action in item.actions.all():
            action.can_complete = action.status == ActionStatus.OPEN and policy.can(
                user, policy.Action.MEETING_COMPLETE_ACTION, action
            )
    return {
        "meeting": meeting,
        "items": items,
        "machine": states.MEETING_MACHINE,
        "may_cancel": can_manage and states.MEETING_MACHINE.can(meeting.status, states.CANCELLED),
        "invitations": meeting.invitations.select_related("organisation"),
        "can_manage": can_manage,
        "sees_whole_agenda": policy.can(user, policy.Action.MEETING_MANAGE)
        or policy.sees_whole_agenda(user.organisation),
        "suggestions": selectors.agenda_suggestions(meeting) if can_manage else [],
        "item_form": status_forms.get("item") or (AgendaItemForm(meeting=meeting) if can_manage else None),
        "attendance_form": status_forms.get("attendance") or (AttendanceForm(meeting=meeting) if can_manage else None),
        "print_organisations": (
            Organisation.objects.filter(region_id=meeting.region_id) if can_manage else [user.organisation]
        ),
    }


@require_GET
def meeting_detail(request, pk):
    meeting = selectors.get_meeting(request.user, pk)
    return render(request, "meetings/meeting_detail.html", _context(request, meeting))


def _managed(request, pk):
    meeting = selectors.get_meeting(request.user, pk)
    policy.require(request.user, policy.Action.MEETING_MANAGE, meeting)
    return meeting


def _refused(request, meeting, error, **kwargs):
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)
    return TemplateResponse(request, "meetings/meeting_detail.html", _context(request, meeting, **kwargs), status=400)


@require_POST
def build_agenda(request, pk):
    meeting = _managed(request, pk)
    try:
        items = services.build_agenda(request.user, meeting=meeting)
    except ValidationError as error:
        return _refused(request, meeting, error)
    messages.success(request, _("%(count)d casussen op de agenda gezet.") % {"count": len(items)})
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@require_POST
def add_item(request, pk):
    meeting = _managed(request, pk)
    form = AgendaItemForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.add_agenda_item(
                request.user, meeting=meeting, case=form.cleaned_data["case"], reason=ItemReason.MANUAL
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De casus staat op de agenda."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return TemplateResponse(
        request, "meetings/meeting_detail.html", _context(request, meeting, status_forms={"item": form}), status=400
    )


@require_POST
def invite(request, pk):
    meeting = _managed(request, pk)
    try:
        invited = services.invite(request.user, meeting=meeting, organisations=None)
    except ValidationError as error:
        return _refused(request, meeting, error)
    messages.success(request, _("%(count)d organisaties uitgenodigd.") % {"count": len(invited)})
    return redirect("meetings:meeting_detail", pk=meeting.pk)


@require_POST
def attendance(request, pk):
    meeting = _managed(request, pk)
    form = AttendanceForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.record_attendance(
                request.user,
                meeting=meeting,
                organisation=form.cleaned_data["organisation"],
                attendance=form.cleaned_data["attendance"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De aanwezigheid is vastgelegd."))
            return redirect("meetings:meeting_detail", pk=meeting.pk)
    return TemplateResponse(
        request,
        "meetings/meeting_detail.html",
        _context(request, meeting, status_forms={"attendance": form}),
        status=400,
    )


def _item_write(request, pk, kind, form_class, write, success):
    item = selectors.get_item(request.user, pk)
    meeting = item.meeting
    policy.require(request.user, policy.Action.MEETING_MANAGE, meeting)
    kwargs = {"item": item} if form_class is ActionForm else {}
    form = form_class(request.POST, prefix=f"{kind[0]}{item.pk.hex[:8]}", **kwargs)
    status = 400
    if form.is_valid():
        try:
            write(item, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except StaleVersion as stale:
            status = refuse_stale(form, stale)
        else:
            messages.success(request, success)
            return redirect(f"{meeting_url(meeting)}#punt-{item.pk}")
    return TemplateResponse(
        request,
        "meetings/meeting_detail.html",
        _context(request, meeting, bound={(item.pk, kind): form}),
        status=status,
    )


def meeting_url(meeting):

    return reverse("meetings:meeting_detail", kwargs={"pk": meeting.pk})


@require_POST
def item_minutes(request, pk):
    return _item_write(
        request,
        pk,
        "minutes",
        MinutesForm,
        lambda item, d: services.set_minutes(
            request.user, item=item, minutes=d["minutes"], expected_version=d["version"]
        ),
        _("Het verslag is opgeslagen."),
    )


@require_POST
def item_decision(request, pk):
    return _item_write(
        request,
        pk,
        "decision",
        DecisionForm,
        lambda item, d: services.add_decision(request.user, item=item, text=d["text"]),
        _("Het besluit is vastgelegd."),
    )


@require_POST
def item_action(request, pk):
    return _item_write(
        request,
        pk,
        "action",
        ActionForm,
        lambda item, d: services.add_action(
            request.user, item=item, description=d["description"], owner=d["owner"], due_date=d["due_date"]
        ),
        _("De actie is vastgelegd."),
    )


@require_POST
def item_remove(request, pk):
    item = selectors.get_item(request.user, pk)
    meeting = item.meeting
    policy.require(request.user, policy.Action.MEETING_MANAGE, meeting)
    try:
        services.remove_agenda_item(request.user, item=item)
    except ValidationError as error:
        return _refused(request, meeting, error)
    messages.success(request, _("De casus is van de agenda gehaald."))
    return redirect(meeting_url(meeting))


@require_POST
def action_done(request, pk):
    action = selectors.get_action(request.user, pk)
    policy.require(request.user, policy.Action.MEETING_COMPLETE_ACTION, action)
    meeting = action.item.meeting
    try:
        services.complete_action(request.user, action=action)
    except ValidationError as error:
        return _refused(request, meeting, error)
    messages.success(request, _("De actie is afgerond."))
    return redirect(meeting_url(meeting))


@require_GET
def meeting_pdf(request, pk):
    """The agenda and minutes as one organisation may see them (default: one's own)."""
    meeting = selectors.get_meeting(request.user, pk)
    organisation = request.user.organisation
    requested = request.GET.get("organisatie")
    if requested:
        try:
            organisation = Organisation.objects.get(pk=uuid.UUID(requested), region_id=meeting.region_id)
        except (ValueError, Organisation.DoesNotExist):
            raise Http404 from None
    items = selectors.agenda_for_organisation(request.user, meeting, organisation)
    pdf = render_agenda_pdf(meeting, organisation, items)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="casusoverleg-{meeting.starts_at:%Y%m%d}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
