"""Policy signals (beleidssignalen, issue 13 item 6): a bottleneck for policy that a
professional raises from a case or a conference — a missing intervention, a legal obstacle,
capacity — WITHOUT personal data, tracked by the region to a response.

Not personal data of the persons in a PGA by design: the text is refused when it holds the
names, a BSN-like number or the date of birth of the persons of the case or conference it
was raised from (``services.personal_data_errors``), and the case or conference itself is
NOT stored — only where it was raised (``origin``), so a list, a report or the retention of
the case never leads from a signal back to a person (ADR 0043)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .categories import every_code

DESCRIPTION_LIMIT = 2000
RESPONSE_LIMIT = 4000


class Origin(models.TextChoices):
    CASE = "case", _("Vanuit een casus")
    MEETING = "meeting", _("Vanuit een casusoverleg")


class State(models.TextChoices):
    RAISED = "raised", _("Ingediend")
    IN_PROGRESS = "in_progress", _("In behandeling")
    ANSWERED = "answered", _("Beantwoord")
    CLOSED = "closed", _("Gesloten")


class PolicySignal(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("ingediend op"), default=timezone.now, db_index=True)
    origin = models.CharField(_("herkomst"), max_length=10, choices=Origin.choices)
    category = models.CharField(_("categorie"), max_length=40)
    category_version = models.CharField(_("versie categorieën"), max_length=20)
    description = models.TextField(_("omschrijving"), max_length=DESCRIPTION_LIMIT)
    state = models.CharField(_("stand"), max_length=20, choices=State.choices, default=State.RAISED)
    state_changed_at = models.DateTimeField(_("stand gewijzigd op"), default=timezone.now)
    response = models.TextField(_("antwoord"), max_length=RESPONSE_LIMIT, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    responded_at = models.DateTimeField(_("beantwoord op"), null=True, blank=True)

    class Meta:
        verbose_name = _("beleidssignaal")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["region", "-raised_at"], name="policysignal_region_raised")]

    def __str__(self):
        return f"{self.get_category_display()} ({self.raised_at:%Y-%m-%d})"

    def get_category_display(self) -> str:
        return dict(every_code()).get(self.category, self.category)
