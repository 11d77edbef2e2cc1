"""Writes of conferences: schedule, agenda, invitations, attendance, minutes, decisions,
actions. Each in one transaction, locking what it changes, the policy deciding access and
the processing log recording writes of personal data in the same transaction."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import Region, User
from casustafel.cases.models import Case, CaseParticipant
from casustafel.core.concurrency import check_version
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from . import states
from .models import ActionStatus, AgendaItem, Attendance, Decision, Invitation, ItemReason, Meeting, MeetingAction
from .selectors import AGENDA_STATES, agenda_suggestions

TEXT_LIMIT = 10000
SHORT_TEXT_LIMIT = 4000


def _require_manage(actor, meeting=None):
    policy.require(actor, policy.Action.MEETING_MANAGE, meeting)


def _text(value: str, field: str, missing: str, limit: int, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = missing
    elif len(value) > limit:
        errors[field] = _("Gebruik maximaal %(limit)d tekens.") % {"limit": limit}
    return value


# ------------------------------------------------------------------ scheduling


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")


def _check_moments(
    region, starts_at, ends_at, errors: dict, *, afterwards: bool = False, exclude: Meeting | None = None
) -> None:
    """The one check of a meeting's moment: given, with time zone, in order, at most twelve
    hours long, within the sensible bounds (planned: from now up to ``PLANNING_HORIZON``
    ahead; recorded afterwards: already over, at most ``RECORDING_WINDOW`` back), and not
    overlapping another (not cancelled) meeting of the same table."""
    if starts_at is None:
        errors["starts_at"] = _("Geef het begin van het overleg.")
    if ends_at is None:
        errors["ends_at"] = _("Geef het einde van het overleg.")
    if not (starts_at and ends_at):
        return
    now = timezone.now()
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        errors["starts_at"] = _("Geef begin en einde met tijdzone.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("Het einde moet na het begin liggen.")
    elif ends_at - starts_at > states.LONGEST_MEETING:
        errors["ends_at"] = _("Een casusoverleg duurt hoogstens twaalf uur.")
    elif afterwards and ends_at > now:
        errors["starts_at"] = _(
            "Alleen een overleg dat al is afgelopen kan achteraf worden vastgelegd; plan een komend overleg."
        )
    elif afterwards and starts_at < now - states.RECORDING_WINDOW:
        errors["starts_at"] = _("Een overleg kan tot uiterlijk %(earliest)s terug achteraf worden vastgelegd.") % {
            "earliest": _when(now - states.RECORDING_WINDOW)
        }
    elif not afterwards and starts_at <= now:
        errors["starts_at"] = _(
            "Een casusoverleg kan niet in het verleden worden gepland. Was het een spoedoverleg dat al "
            "heeft plaatsgevonden? Leg het dan achteraf vast."
        )
    elif not afterwards and starts_at > now + states.PLANNING_HORIZON:
        errors["starts_at"] = _("Een casusoverleg kan tot uiterlijk %(latest)s vooruit worden gepland.") % {
            "latest": _when(now + states.PLANNING_HORIZON)
        }
    else:
        others = Meeting.objects.filter(region=region, starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(
            status=states.CANCELLED
        )
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        clash = others.order_by("starts_at").first()
        if clash:
            errors["starts_at"] = _(
                "Dit overlapt met het casusoverleg van %(start)s tot %(end)s van deze casustafel."
            ) % {"start": _when(clash.starts_at), "end": timezone.localtime(clash.ends_at).strftime("%H:%M")}


def _locked_region(actor) -> Region:
    # One scheduler per region at a time, so two overlapping meetings cannot both pass the check.
    return Region.objects.select_for_update().get(pk=policy.organisation_of(actor).region_id)


def _require_working(meeting: Meeting, field: str = "status") -> None:
    """A cancelled meeting stays in the record as it was: nothing more is written to it."""
    if meeting.status not in states.WORKING_STATES:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Dit casusoverleg is geannuleerd en kan niet meer worden gewijzigd."), code="cancelled"
                )
            }
        )


@transaction.atomic
def schedule_meeting(
    actor: User, *, starts_at: datetime, ends_at: datetime, location: str, online: bool = False
) -> Meeting:
    """Schedule a conference of the actor's table: not in the past, within the planning
    horizon, not overlapping another."""
    _require_manage(actor)
    region = _locked_region(actor)
    errors: dict[str, str] = {}
    location = _text(location, "location", _("Geef de locatie of de link van het online overleg."), 200, errors)
    _check_moments(region, starts_at, ends_at, errors)
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        region=region, starts_at=starts_at, ends_at=ends_at, location=location, online=bool(online), chair=actor
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[meeting])
    return meeting


@transaction.atomic
def record_meeting_afterwards(
    actor: User, *, starts_at: datetime, ends_at: datetime, location: str, reason: str, online: bool = False
) -> Meeting:
    """Record an (emergency) meeting that already took place: its moment lies in the past
    (within the recording window), with why it was not planned ahead; the chair then puts
    its cases on the agenda and records the minutes, decisions and actions."""
    _require_manage(actor)
    region = _locked_region(actor)
    errors: dict[str, str] = {}
    location = _text(location, "location", _("Geef de locatie of de link van het online overleg."), 200, errors)
    reason = _text(reason, "reason", _("Geef aan waarom het overleg achteraf wordt vastgelegd."), 2000, errors)
    _check_moments(region, starts_at, ends_at, errors, afterwards=True)
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        region=region,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        online=bool(online),
        chair=actor,
        status=states.RECORDED_AFTERWARDS,
        status_reason=reason,
        status_changed_at=timezone.now(),
        status_changed_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[meeting])
    return meeting


def _locked_meeting(actor, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_manage(actor, meeting)
    return meeting


def _record_meeting_write(actor, meeting: Meeting, action: Action = Action.UPDATE) -> None:
    """The meeting and the cases on its agenda (their persons) are touched by a change."""
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("case"))
    record(actor, action=action, purpose=Purpose.CASE_MANAGEMENT, objects=[meeting, *items])


@transaction.atomic
def edit_meeting(
    actor: User,
    *,
    meeting: Meeting,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    online: bool = False,
    expected_version: int | None = None,
) -> Meeting:
    """Change a meeting's moment and location. A planned meeting moves within the planning
    bounds; a meeting recorded afterwards stays in the past (within the recording window).
    A change made since ``expected_version`` was read refuses the edit (ADR 0052)."""
    _locked_region(actor)
    meeting = _locked_meeting(actor, meeting)
    _require_working(meeting)
    check_version(meeting, expected_version)
    errors: dict[str, str] = {}
    location = _text(location, "location", _("Geef de locatie of de link van het online overleg."), 200, errors)
    moved = (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at)
    afterwards = meeting.status == states.RECORDED_AFTERWARDS
    if moved or afterwards:
        _check_moments(meeting.region, starts_at, ends_at, errors, afterwards=afterwards, exclude=meeting)
    elif meeting.ends_at <= timezone.now():
        errors["starts_at"] = _("Dit overleg heeft al plaatsgevonden en kan niet meer worden gewijzigd.")
    if errors:
        raise ValidationError(errors)
    meeting.starts_at, meeting.ends_at, meeting.location, meeting.online = starts_at, ends_at, location, bool(online)
    meeting.save(update_fields=["starts_at", "ends_at", "location", "online", "updated_at"])
    _record_meeting_write(actor, meeting)
    return meeting


@transaction.atomic
def cancel_meeting(actor: User, *, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting, with a reason. It stays in the record as cancelled, with
    its agenda; the cases on it come back as suggestions for the next meeting."""
    meeting = _locked_meeting(actor, meeting)
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", _("Geef de reden van de annulering."), 2000, errors)
    if errors:
        raise ValidationError(errors)
    states.MEETING_MACHINE.check(meeting.status, states.CANCELLED)
    if meeting.ends_at <= timezone.now():
        raise ValidationError({"status": _("Een overleg dat al heeft plaatsgevonden kan niet worden geannuleerd.")})
    meeting.status = states.CANCELLED
    meeting.status_reason = reason
    meeting.status_changed_at = timezone.now()
    meeting.status_changed_by = actor
    meeting.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by", "updated_at"])
    _record_meeting_write(actor, meeting, Action.TRANSITION)
    return meeting


# ------------------------------------------------------------------ agenda


def _next_position(meeting) -> int:
    return (meeting.items.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def add_agenda_item(actor: User, *, meeting: Meeting, case: Case, reason: str = ItemReason.MANUAL) -> AgendaItem:
    meeting = _locked_meeting(actor, meeting)
    _require_working(meeting)
    errors: dict[str, str] = {}
    if case is None or case.region_id != meeting.region_id:
        errors["case"] = _("Kies een casus van deze casustafel.")
    elif case.status not in AGENDA_STATES:
        errors["case"] = _("Alleen actieve of heropende casussen kunnen worden geagendeerd.")
    elif meeting.items.filter(case=case).exists():
        errors["case"] = _("Deze casus staat al op de agenda.")
    if reason not in ItemReason.values:
        errors["reason"] = _("Kies een geldige reden van agendering.")
    if errors:
        raise ValidationError(errors)
    item = AgendaItem.objects.create(
        meeting=meeting, case=case, reason=reason, added_by=actor, position=_next_position(meeting)
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[item])
    return item


@transaction.atomic
def remove_agenda_item(actor: User, *, item: AgendaItem) -> None:
    """Take a case off the agenda again, as long as nothing was recorded on it (minutes,
    decisions, actions stay in the record)."""
    item = _locked_item(actor, item)
    if item.minutes or item.decisions.exists() or item.actions.exists():
        raise ValidationError(
            {"item": _("Bij dit agendapunt is al een verslag, besluit of actie vastgelegd; het blijft op de agenda.")}
        )
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[item])
    item.delete()


@transaction.atomic
def build_agenda(actor: User, *, meeting: Meeting) -> list[AgendaItem]:
    """Put the suggested cases (new inclusions, overdue actions) on the agenda."""
    meeting = _locked_meeting(actor, meeting)
    _require_working(meeting)
    position = _next_position(meeting)
    items = [
        AgendaItem(meeting=meeting, case=case, reason=reason, added_by=actor, position=position + index)
        for index, (case, reason) in enumerate(agenda_suggestions(meeting))
    ]
    AgendaItem.objects.bulk_create(items)
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=items)
    return items


@transaction.atomic
def invite(actor: User, *, meeting: Meeting, organisations) -> list[Invitation]:
    """Invite organisations (by default: every organisation participating in an agenda item)."""
    meeting = _locked_meeting(actor, meeting)
    _require_working(meeting)
    if organisations is None:
        organisations = {
            p.organisation
            for p in CaseParticipant.objects.filter(case__agenda_items__meeting=meeting).select_related("organisation")
        }
    if any(org.region_id != meeting.region_id for org in organisations):
        raise ValidationError({"organisations": _("Nodig alleen organisaties van deze casustafel uit.")})
    existing = set(meeting.invitations.values_list("organisation_id", flat=True))
    new = [
        Invitation(meeting=meeting, organisation=org, invited_by=actor)
        for org in organisations
        if org.pk not in existing
    ]
    return Invitation.objects.bulk_create(new)


@transaction.atomic
def record_attendance(actor: User, *, meeting: Meeting, organisation, attendance: str) -> Invitation:
    meeting = _locked_meeting(actor, meeting)
    _require_working(meeting)
    errors: dict[str, str] = {}
    if organisation is None or organisation.region_id != meeting.region_id:
        errors["organisation"] = _("Kies een organisatie van deze casustafel.")
    if attendance not in (Attendance.PRESENT, Attendance.ABSENT):
        errors["attendance"] = _("Kies aanwezig of afwezig.")
    if errors:
        raise ValidationError(errors)
    invitation, _created = Invitation.objects.select_for_update().get_or_create(
        meeting=meeting, organisation=organisation, defaults={"invited_by": actor}
    )
    invitation.attendance = attendance
    invitation.save(update_fields=["attendance"])
    return invitation


# ------------------------------------------------------------------ per item


def _locked_item(actor, item: AgendaItem) -> AgendaItem:
    item = AgendaItem.objects.select_for_update().select_related("meeting", "case").get(pk=item.pk)
    if not policy.scope_agenda_items(actor, AgendaItem.objects.filter(pk=item.pk)).exists():
        raise ValidationError(_("Dit agendapunt bestaat niet."), code="not_found")
    _require_manage(actor, item.meeting)
    _require_working(item.meeting)
    return item


@transaction.atomic
def set_minutes(actor: User, *, item: AgendaItem, minutes: str, expected_version: int | None = None) -> AgendaItem:
    """Write (or rewrite) the minutes of an agenda item; refused when they changed since
    ``expected_version`` was read (ADR 0052)."""
    item = _locked_item(actor, item)
    check_version(item, expected_version)
    errors: dict[str, str] = {}
    item.minutes = _text(minutes, "minutes", _("Schrijf het verslag van dit agendapunt."), TEXT_LIMIT, errors)
    if errors:
        raise ValidationError(errors)
    item.save(update_fields=["minutes"])
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[item])
    return item


@transaction.atomic
def add_decision(actor: User, *, item: AgendaItem, text: str) -> Decision:
    item = _locked_item(actor, item)
    errors: dict[str, str] = {}
    text = _text(text, "text", _("Beschrijf het besluit."), SHORT_TEXT_LIMIT, errors)
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(item=item, text=text, recorded_by=actor)
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[decision])
    return decision


@transaction.atomic
def add_action(actor: User, *, item: AgendaItem, description: str, owner, due_date: date | None) -> MeetingAction:
    """An action on a case, owned by a participating organisation, with a due date."""
    item = _locked_item(actor, item)
    errors: dict[str, str] = {}
    description = _text(description, "description", _("Beschrijf de actie."), 2000, errors)
    if owner is None:
        errors["owner"] = _("Een actie heeft een eigenaar nodig: kies de organisatie die de actie uitvoert.")
    elif not item.case.participants.filter(organisation=owner).exists():
        errors["owner"] = _("De eigenaar moet een organisatie zijn die aan deze casus deelneemt.")
    if due_date is None:
        errors["due_date"] = _("Geef de datum waarop de actie uiterlijk klaar is.")
    elif due_date < timezone.localdate():
        errors["due_date"] = _("De uiterste datum kan niet in het verleden liggen.")
    if errors or due_date is None:
        raise ValidationError(errors)
    action = MeetingAction.objects.create(
        item=item, case=item.case, description=description, owner=owner, due_date=due_date, created_by=actor
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[action])
    return action


@transaction.atomic
def complete_action(actor: User, *, action: MeetingAction) -> MeetingAction:
    action = MeetingAction.objects.select_for_update().select_related("case", "owner").get(pk=action.pk)
    policy.require(actor, policy.Action.MEETING_COMPLETE_ACTION, action)
    if action.status == ActionStatus.DONE:
        raise ValidationError({"status": _("Deze actie is al afgerond.")})
    action.status = ActionStatus.DONE
    action.done_by = actor
    action.done_at = timezone.now()
    action.save(update_fields=["status", "done_by", "done_at"])
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[action])
    return action
