"""Models of the reporting app: the annual report of Wet PGA art. 18 with its redaction step and
publication (ADR 0040).

A report holds no personal data: its regions, year, state, who did what, the parts left out with
their reason, and — once published — a frozen snapshot of the displayed figures (the strings a
reader sees, "< 5" and "×" included; never a raw count below the threshold), so the published
report never changes afterwards, also when data are corrected or destroyed later (art. 9).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from casustafel.reporting import states

#: Art. 18 lid 1: the part of the law a part is left out on (shown in the report).
REDACTION_GROUND = "art. 18 lid 1"


class AnnualReport(models.Model):
    """The yearly report of a casusoverleg (a region's table), or one joint report of several
    (Wet PGA art. 18 lid 1, last sentence), on the effectiveness and usefulness of the exchanged
    data; made public on the internet (lid 2)."""

    DRAFT = states.DRAFT
    REDACTED = states.REDACTED
    PUBLISHED = states.PUBLISHED

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    year = models.PositiveSmallIntegerField(_("verslagjaar"))
    regions = models.ManyToManyField(
        "accounts.Region", through="AnnualReportRegion", related_name="+", verbose_name=_("casustafels")
    )
    state = models.CharField(_("status"), max_length=20, choices=states.STATUS_CHOICES, default=states.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    redacted_at = models.DateTimeField(_("redactie afgerond op"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    #: The published report as its reader sees it (displayed strings only), frozen at publication.
    snapshot = models.JSONField(_("gepubliceerde inhoud"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("jaarverslag (art. 18)")
        verbose_name_plural = _("jaarverslagen (art. 18)")
        ordering = ["-year", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state=states.PUBLISHED, snapshot__isnull=False, published_at__isnull=False)
                | (~models.Q(state=states.PUBLISHED) & models.Q(snapshot__isnull=True, published_at__isnull=True)),
                name="annual_report_published_has_snapshot",
            )
        ]

    def __str__(self):
        return f"{_('Jaarverslag')} {self.year}"

    @cached_property
    def region_ids(self) -> set:
        """The tables the report is about (access.policy decides on these)."""
        return {m.region_id for m in self.memberships.all()}

    @cached_property
    def joined_region_ids(self) -> set:
        """The tables that decided to take part (for a single table's report: that table)."""
        return {m.region_id for m in self.memberships.all() if m.joined_at is not None}

    @property
    def is_joint(self) -> bool:
        return len(self.region_ids) > 1

    @property
    def is_published(self) -> bool:
        return self.state == states.PUBLISHED

    @property
    def state_label(self) -> str:
        return str(states.ANNUAL_REPORT_MACHINE.labels[self.state])


class AnnualReportRegion(models.Model):
    """A casusoverleg that takes part in a report. For a joint report every table decides to
    take part (art. 18 lid 1: "kunnen beslissen"): ``joined_at``/``joined_by``, its own process
    director; the table that creates the report joins at creation."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="memberships")
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    joined_at = models.DateTimeField(_("doet mee sinds"), null=True, blank=True)

    class Meta:
        verbose_name = _("casustafel van een jaarverslag")
        constraints = [models.UniqueConstraint(fields=["report", "region"], name="annual_report_region_unique")]


class Redaction(models.Model):
    """A part of the report left out because publishing it would make the purposes of the
    casusoverleg impossible or seriously endanger them (Wet PGA art. 18 lid 1): a whole section
    or one table, with the reason the report shows in its place. No personal data in the reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="redactions")
    #: ``section:<code>`` or ``table:<fact name>`` (``annual.sections``).
    target = models.CharField(_("onderdeel"), max_length=80)
    reason = models.TextField(_("reden (wordt in het verslag getoond)"), max_length=1000)
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redacted_at = models.DateTimeField(_("weggelaten op"), auto_now_add=True)

    class Meta:
        verbose_name = _("weggelaten onderdeel")
        verbose_name_plural = _("weggelaten onderdelen")
        ordering = ["redacted_at"]
        constraints = [models.UniqueConstraint(fields=["report", "target"], name="redaction_unique_target")]
