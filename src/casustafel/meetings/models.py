"""Case conferences (casusoverleg) of a region's table: agenda, minutes, decisions, actions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from casustafel.core.concurrency import Versioned

from .states import MEETING_MACHINE


class Meeting(Versioned):
    """One conference of the table of a region."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("begin"), db_index=True)
    ends_at = models.DateTimeField(_("einde"))
    location = models.CharField(_("locatie"), max_length=200)
    online = models.BooleanField(_("online"), default=False)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("voorzitter")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=list(MEETING_MACHINE.labels.items()),
        default=MEETING_MACHINE.initial,
        db_index=True,
    )
    #: Why the meeting was recorded afterwards (an emergency meeting), or why it was cancelled.
    status_reason = models.TextField(_("toelichting"), max_length=2000, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("casusoverleg")
        verbose_name_plural = _("casusoverleggen")
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start")]

    def __str__(self):
        return f"{self.starts_at:%d-%m-%Y %H:%M}"


class Attendance(models.TextChoices):
    UNKNOWN = "onbekend", _("Nog niet vastgelegd")
    PRESENT = "aanwezig", _("Aanwezig")
    ABSENT = "afwezig", _("Afwezig")


class Invitation(models.Model):
    """An organisation invited to a conference, and whether it attended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    attendance = models.CharField(
        _("aanwezigheid"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "organisation"], name="invitation_unique")]


class ItemReason(models.TextChoices):
    NEW_INCLUSION = "nieuwe_opname", _("Nieuw opgenomen sinds vorig overleg")
    OVERDUE_ACTIONS = "acties_verlopen", _("Openstaande acties over de termijn")
    REVIEW_DUE = "evaluatie", _("Evaluatie van het plan van aanpak gepland")
    REOPEN_PROPOSAL = "heropening", _("Nieuw signaal na afschalen of afsluiten: voorstel tot heropening")
    MANUAL = "handmatig", _("Door de procesregisseur toegevoegd")


class AgendaItem(Versioned):
    """A case on the agenda, with the minutes of its discussion."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="agenda_items")
    reason = models.CharField(_("reden agendering"), max_length=20, choices=ItemReason.choices)
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    minutes = models.TextField(_("verslag"), max_length=10000, blank=True)
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        ordering = ["position", "added_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_item_unique")]


class Decision(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("besluit"), max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    subject_id = property(lambda self: self.item.case.subject_id)

    class Meta:
        ordering = ["recorded_at", "id"]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "afgerond", _("Afgerond")


class MeetingAction(models.Model):
    """An action agreed on an agenda item, owned by one organisation, with a due date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="meeting_actions")
    description = models.TextField(_("actie"), max_length=2000)
    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("eigenaar")
    )
    due_date = models.DateField(_("uiterlijk op"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    done_at = models.DateTimeField(null=True, blank=True)
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        ordering = ["due_date", "created_at"]
        indexes = [models.Index(fields=["case", "status"])]
