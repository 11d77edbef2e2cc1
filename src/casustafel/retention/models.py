"""Retention (bewaartermijnen): schedules as versioned data, destruction runs, legal holds.

See docs/adr/0009-retention.md. A person is destroyed as a whole (per region) and only
when every record about them is past its destruction date; what remains is the
pseudonymous processing log, the destruction report (references, counts) and an
anonymous statistical trace.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.core.references import new_reference

#: Shown next to every schedule that still has to be checked against the statute.
TO_BE_CONFIRMED_LABEL = _("nog te bevestigen tegen de Wet PGA")


class Trigger(models.TextChoices):
    """The event from which a retention period runs."""

    SIGNAL_NOT_INCLUDED = "signal_not_included", _("Signaal niet opgenomen")
    CASE_CLOSED = "case_closed", _("Casus afgesloten")
    TRANSFER_COMPLETED = "transfer_completed", _("Overdracht afgerond")


#: Art. 9 Wet PGA: at the latest five years after the last processing. 1826 days is never
#: longer than five calendar years (a five-year span holds one or two leap days).
ART9_MAXIMUM_DAYS = 1826


class Basis(models.TextChoices):
    """From which date a schedule's period runs (ADR 0020)."""

    #: Version 1: from the trigger event itself (closure, decision), as the Modelconvenant did.
    TRIGGER = "trigger", _("termijn na de aanleiding (Modelconvenant PGA)")
    #: Version 2: from the last substantive processing of the person's data (art. 9 Wet PGA).
    LAST_PROCESSING = "last_processing", _("termijn na de laatste verwerking (art. 9 Wet PGA)")


class RetentionSchedule(models.Model):
    """One version of the retention rule for a trigger. ``region`` empty = national default.

    The applicable rule for a record is the region's own newest version valid on the
    record's date, otherwise the national one (ADR 0020: records keep the version they were
    made under). Minors (under 18 on the trigger date) have their own period.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    trigger = models.CharField(_("aanleiding"), max_length=30, choices=Trigger.choices)
    version = models.PositiveIntegerField(_("versie"))
    valid_from = models.DateField(_("geldig vanaf"))
    period_days = models.PositiveIntegerField(_("bewaartermijn (dagen)"))
    minor_period_days = models.PositiveIntegerField(_("bewaartermijn minderjarigen (dagen)"))
    to_be_confirmed = models.BooleanField(_("nog te bevestigen tegen de Wet PGA"), default=True)
    source = models.TextField(_("herkomst"))
    basis = models.CharField(_("termijn loopt vanaf"), max_length=20, choices=Basis.choices, default=Basis.TRIGGER)
    #: Periodic necessity review (art. 9: destroy as soon as no longer necessary); empty = none.
    review_interval_days = models.PositiveIntegerField(_("noodzaaktoets elke (dagen)"), null=True, blank=True)

    class Meta:
        verbose_name = _("bewaarschema")
        ordering = ["trigger", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "trigger", "version"], name="retention_schedule_unique_version", nulls_distinct=False
            ),
            # Art. 9 Wet PGA: a period after the last processing never exceeds five years.
            models.CheckConstraint(
                condition=~models.Q(basis="last_processing")
                | models.Q(period_days__lte=ART9_MAXIMUM_DAYS, minor_period_days__lte=ART9_MAXIMUM_DAYS),
                name="retention_schedule_art9_maximum",
            ),
        ]

    def __str__(self):
        return f"{self.get_trigger_display()} v{self.version}"

    def period_for(self, minor: bool) -> int:
        return self.minor_period_days if minor else self.period_days


class RecordKind(models.TextChoices):
    SIGNAL = "signal", _("Signaal")
    CASE = "case", _("Casus")


class DestructionRun(models.Model):
    PROPOSED = "proposed"
    APPROVED = "approved"
    EXECUTED = "executed"
    STATUS_CHOICES = [(PROPOSED, _("Voorgesteld")), (APPROVED, _("Goedgekeurd")), (EXECUTED, _("Uitgevoerd"))]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default=PROPOSED)
    run_date = models.DateField(_("peildatum"))
    proposed_at = models.DateTimeField(_("voorgesteld op"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(_("goedgekeurd op"), null=True, blank=True)
    executed_at = models.DateTimeField(_("uitgevoerd op"), null=True, blank=True)
    #: Destruction report: counts per table, references destroyed and held (no names).
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("vernietigingsronde")
        ordering = ["-proposed_at"]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("VRN")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference


class DestructionItem(models.Model):
    """One due record in a run; kept after destruction (reference and dates, never a name)."""

    PENDING = "pending"
    DESTROYED = "destroyed"
    HELD = "held"
    SKIPPED = "skipped"
    RESULT_CHOICES = [
        (PENDING, _("Voorgesteld")),
        (DESTROYED, _("Vernietigd")),
        (HELD, _("Opgeschort: juridische blokkade")),
        (SKIPPED, _("Overgeslagen: niet meer verlopen")),
    ]

    run = models.ForeignKey(DestructionRun, on_delete=models.PROTECT, related_name="items")
    #: Pseudonymous id of the person (as in the processing log); no link once destroyed.
    subject_id = models.UUIDField(db_index=True)
    kind = models.CharField(_("soort"), max_length=10, choices=RecordKind.choices)
    object_id = models.UUIDField()
    reference = models.CharField(_("kenmerk"), max_length=20)
    trigger = models.CharField(_("aanleiding"), max_length=30, choices=Trigger.choices)
    trigger_date = models.DateField(_("datum aanleiding"))
    destruction_date = models.DateField(_("vernietigingsdatum"))
    minor = models.BooleanField(_("minderjarig op datum aanleiding"))
    schedule = models.ForeignKey(RetentionSchedule, on_delete=models.PROTECT, related_name="+")
    schedule_version = models.PositiveIntegerField(_("versie bewaarschema"))
    #: The rule applied (the schedule's basis at proposal), named in the report.
    rule = models.CharField(_("regel"), max_length=20, choices=Basis.choices, default=Basis.TRIGGER)
    #: Date of the last substantive processing of the person's data (ADR 0020).
    last_processing = models.DateField(_("laatste verwerking"), null=True, blank=True)
    #: A necessity review found the data no longer necessary: destruction brought forward.
    no_longer_necessary = models.BooleanField(_("niet langer noodzakelijk"), default=False)
    result = models.CharField(_("resultaat"), max_length=10, choices=RESULT_CHOICES, default=PENDING)

    class Meta:
        verbose_name = _("te vernietigen gegeven")
        ordering = ["id"]

    @property
    def rule_label(self) -> str:
        """Which rule and which version applied, in words (report and overview)."""
        return rule_label(self.rule, self.schedule_version, self.last_processing, self.no_longer_necessary)


def rule_label(rule: str, version: int, last_processing=None, no_longer_necessary: bool = False) -> str:
    text = f"{Basis(rule).label} — {_('versie')} {version}"
    if rule == Basis.LAST_PROCESSING and last_processing is not None:
        text += f"; {_('laatste verwerking')} {last_processing:%d-%m-%Y}"
    if no_longer_necessary:
        text += f"; {_('noodzaaktoets: niet langer noodzakelijk')}"
    return text


class HoldReason(models.TextChoices):
    COMPLAINT = "complaint", _("Klacht")
    COURT_CASE = "court_case", _("Rechtszaak")
    OTHER = "other", _("Anders")


class LegalHold(models.Model):
    """A recorded hold (bewaarplicht) that suspends destruction of a person until lifted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(_("reden"), max_length=20, choices=HoldReason.choices)
    explanation = models.TextField(_("toelichting"), max_length=2000)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("geplaatst op"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lifted_at = models.DateTimeField(_("opgeheven op"), null=True, blank=True)
    #: Art. 9 exception (legal claim) is reviewed: past this date the hold is listed for review.
    #: Empty only on holds placed before review dates existed (listed for review at once).
    review_date = models.DateField(_("heroverwegen op"), null=True, blank=True)

    class Meta:
        verbose_name = _("juridische blokkade")
        ordering = ["-placed_at"]

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class NecessityOutcome(models.TextChoices):
    STILL_NECESSARY = "still_necessary", _("Nog noodzakelijk")
    NO_LONGER_NECESSARY = "no_longer_necessary", _("Niet langer noodzakelijk")


class NecessityReview(models.Model):
    """A periodic necessity review of a person's data (art. 9 Wet PGA: destroy as soon as no
    longer necessary). "Niet langer noodzakelijk" brings destruction forward to the next run."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="necessity_reviews")
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=NecessityOutcome.choices)
    reason = models.TextField(_("motivering"), max_length=2000, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("getoetst op"), auto_now_add=True)

    class Meta:
        verbose_name = _("noodzaaktoets")
        ordering = ["-reviewed_at"]


class DestructionStatistic(models.Model):
    """Anonymous statistical trace of destroyed records: counts only, no id that links back."""

    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    trigger_year = models.PositiveSmallIntegerField(_("jaar aanleiding"))
    kind = models.CharField(_("soort"), max_length=10, choices=RecordKind.choices)
    phenomenon = models.CharField(_("fenomeen"), max_length=30)
    #: Signal: its final status (referred / no action / never weighed); case: its closure reason.
    outcome = models.CharField(_("uitkomst of reden afsluiting"), max_length=30)
    gender = models.CharField(_("geslacht"), max_length=10)
    age_band = models.CharField(_("leeftijdsklasse"), max_length=10)
    count = models.PositiveIntegerField(_("aantal"), default=0)

    class Meta:
        verbose_name = _("statistisch spoor vernietiging")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "trigger_year", "kind", "phenomenon", "outcome", "gender", "age_band"],
                name="destruction_statistic_unique_cell",
            )
        ]
