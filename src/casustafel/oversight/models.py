"""Advice of the lawfulness advisory committee to the casusoverleg (Wet PGA art. 15).

The committee reviews the lawfulness of the processing when processing is new or changes and
makes proposals to the casusoverleg to resolve what is unlawful; the region tracks each advice
to its response, recorded by the process director who chairs the casusoverleg. No personal data
of the persons in a PGA belong here: the committee never reads case content (ADR 0030).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.core.references import new_reference


class AdviceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Beantwoord")


class Advice(models.Model):
    """An advice or proposal of the committee to the casusoverleg of its region, and the response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject_line = models.CharField(_("onderwerp"), max_length=200)
    text = models.TextField(_("advies of voorstel"), max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=AdviceStatus.choices, default=AdviceStatus.OPEN)
    response = models.TextField(_("reactie van het casusoverleg"), max_length=5000, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    responded_at = models.DateTimeField(_("gereageerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("advies rechtmatigheidsadviescommissie")
        verbose_name_plural = _("adviezen rechtmatigheidsadviescommissie")
        ordering = ["-recorded_at"]
        constraints = [
            # An answered advice has its response, who gave it and when; an open one has none.
            models.CheckConstraint(
                condition=models.Q(status="open", response="", responded_by__isnull=True, responded_at__isnull=True)
                | (
                    models.Q(status="answered", responded_by__isnull=False, responded_at__isnull=False)
                    & ~models.Q(response="")
                ),
                name="advice_open_or_answered",
            )
        ]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("ADV")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference
