"""Corrections of supplied data, Wet PGA art. 10 (ADR 0032).

A :class:`Correction` records that the organisation that supplied an item (a signal, a
weighing contribution) corrected some of its text fields: who, when, which fields, why. The
earlier values are kept encrypted for the log and shown to nobody. A
:class:`CorrectionNotice` is the melding of art. 10 to the organisation the data came from,
open in its work queue until one of its people marks it handled.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Correction(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    item_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    item_id = models.UUIDField()
    item = GenericForeignKey("item_type", "item_id")
    #: The corrected field names (labels are shown, never the earlier values).
    fields = models.JSONField(_("gecorrigeerde velden"))
    #: The earlier values as encrypted JSON (``core.identity.encrypt``): for the log, not for display.
    previous_values = models.TextField(editable=False)
    reason = models.TextField(_("reden"), max_length=2000)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_by_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("gecorrigeerd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("correctie")
        ordering = ["corrected_at"]
        indexes = [models.Index(fields=["item_type", "item_id"], name="correction_item")]


class CorrectionNotice(models.Model):
    """The melding of art. 10 to the organisation the corrected data came from."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    correction = models.OneToOneField(Correction, on_delete=models.CASCADE, related_name="notice")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("melding van een correctie")

    @property
    def subject_id(self):
        return self.correction.subject_id
