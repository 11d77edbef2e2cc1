"""Signals (signalen / meldingen) about a person."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.access.policy import Visibility
from casustafel.core.concurrency import Versioned
from casustafel.core.references import new_reference
from casustafel.governance.models import Classification, DataCategory

from . import states


class SourceType(models.TextChoices):
    POLICE = "politie", _("Politie")
    PROSECUTION = "om", _("Openbaar Ministerie")
    AIVD = "aivd_ambtsbericht", _("AIVD-ambtsbericht")
    MUNICIPAL = "gemeentelijke_dienst", _("Gemeentelijke dienst")
    SCHOOL = "school", _("School / onderwijs")
    CARE = "zorg", _("Zorg")
    YOUTH_WORK = "jongerenwerk", _("Jongerenwerk")
    PROBATION = "reclassering", _("Reclassering")
    FAMILY = "familie_omgeving", _("Familie / omgeving")
    CITIZEN = "burger", _("Burger")
    ONLINE = "online", _("Online waarneming")
    OTHER = "anders", _("Anders")


class Phenomenon(models.TextChoices):
    """Phenomenon / ideology — grounds are behaviour, never religion or origin."""

    JIHADIST = "jihadistisch", _("Jihadistisch")
    RIGHT_WING = "rechts_extremistisch", _("Rechts-extremistisch")
    LEFT_WING = "links_extremistisch", _("Links-extremistisch")
    ANTI_INSTITUTIONAL = "anti_institutioneel", _("Anti-institutioneel")
    SINGLE_ISSUE = "single_issue", _("Single-issue")
    LONE_ACTOR = "eenling_zonder_ideologie", _("Potentieel gewelddadige eenling zonder duidelijke ideologie")
    MIXED = "gemengd_onduidelijk", _("Gemengd / onduidelijk")


class Urgency(models.TextChoices):
    NORMAL = "normaal", _("Normaal")
    HIGH = "hoog", _("Hoog")
    ACUTE = "acuut", _("Acuut gevaar")


class IntakeRoute(models.TextChoices):
    """The two ways in (Wet PGA art. 5 lid 1–2)."""

    REFERRAL = "referral", _("Aanmelding door een deelnemer (art. 5 lid 1)")
    REPORT = "report", _("Melding (art. 5 lid 2)")


class Addressee(models.TextChoices):
    """To whom an aanmelding or melding is addressed (art. 5 lid 1–2)."""

    POLICE = "police", _("Politie")
    PROSECUTION = "prosecution", _("Openbaar Ministerie")
    MAYOR = "mayor", _("Burgemeester van de gemeente van verblijf")


class ReporterKind(models.TextChoices):
    """Who made a melding: anyone may (art. 5 lid 2)."""

    CITIZEN = "citizen", _("Burger")
    PROFESSIONAL = "professional", _("Professional")
    ANONYMOUS = "anonymous", _("Anoniem")


#: The addressee an organisation receives an aanmelding as, when none is chosen.
ADDRESSEE_OF_KIND = {"politie": Addressee.POLICE, "om": Addressee.PROSECUTION}


def default_addressee(organisation_kind: str) -> str:
    return ADDRESSEE_OF_KIND.get(organisation_kind, Addressee.MAYOR)


class Signal(Versioned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="signals")
    weighing = models.ForeignKey(
        "weighing.Weighing", on_delete=models.PROTECT, related_name="signals", null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=list(states.SIGNAL_MACHINE.labels.items()), default=states.RECEIVED
    )
    # The way in (art. 5 lid 1–2). An aanmelding's registering participant (art. 4 d) is
    # ``registered_by_organisation`` and ``registered_by``; a melding records its reporter.
    intake_route = models.CharField(
        _("soort binnenkomst"), max_length=10, choices=IntakeRoute.choices, default=IntakeRoute.REFERRAL
    )
    addressed_to = models.CharField(_("gericht aan"), max_length=12, choices=Addressee.choices, default=Addressee.MAYOR)
    reporter_kind = models.CharField(_("soort melder"), max_length=12, choices=ReporterKind.choices, blank=True)
    reporter_name = models.CharField(_("naam melder"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("contactgegevens melder"), max_length=300, blank=True)
    source_type = models.CharField(_("soort bron"), max_length=30, choices=SourceType.choices)
    source_description = models.CharField(_("bron (organisatie of functie)"), max_length=200, blank=True)
    phenomenon = models.CharField(_("fenomeen"), max_length=30, choices=Phenomenon.choices)
    facts = models.TextField(_("waargenomen feiten"), max_length=10000)
    opinions = models.TextField(_("meningen en duidingen (als mening gemarkeerd)"), max_length=10000, blank=True)
    counter_indications = models.TextField(_("contra-indicaties"), max_length=10000, blank=True)
    online_component = models.BooleanField(_("online component"), default=False)
    urgency = models.CharField(_("urgentie"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    observed_on = models.DateField(_("datum waarneming"), null=True, blank=True)
    escalated_to_police_at = models.DateTimeField(_("direct geëscaleerd naar politie"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_by_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("geregistreerd op"), auto_now_add=True, db_index=True)
    # Provenance (herkomst): the providing organisation is ``registered_by_organisation``.
    legal_basis = models.ForeignKey(
        "governance.LegalBasis", on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("grondslag")
    )
    classification = models.CharField(
        _("classificatie"), max_length=20, choices=Classification.choices, default=Classification.ORDINARY
    )
    visibility = models.CharField(
        _("zichtbaar voor"), max_length=20, choices=Visibility.choices, default=Visibility.ALL_PARTICIPANTS
    )
    #: Wet PGA art. 4 category (a–h); its rules per version are data (governance).
    data_category = models.CharField(
        _("categorie (art. 4)"), max_length=30, choices=DataCategory.choices, default=DataCategory.SIGNALS
    )
    #: Client-supplied key so a repeated submission does not create a second signal.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)
    #: SHA-256 of the submitted body under that key: the same key with another body is refused.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("signaal")
        verbose_name_plural = _("signalen")
        ordering = ["-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registered_by", "idempotency_key"],
                name="signal_unique_submission",
                condition=models.Q(idempotency_key__isnull=False),
            )
        ]

    def clean(self):
        """The two ways in (art. 5 lid 1–2): a melding names its reporter kind; an aanmelding has none."""
        super().clean()
        errors = {}
        if self.intake_route == IntakeRoute.REPORT:
            if not self.reporter_kind:
                errors["reporter_kind"] = _("Kies wie de melding deed: burger, professional of anoniem.")
            elif self.reporter_kind == ReporterKind.ANONYMOUS:
                for field in ("reporter_name", "reporter_contact"):
                    if getattr(self, field).strip():
                        errors[field] = _("Een anonieme melding heeft geen naam of contactgegevens van de melder.")
        else:
            for field in ("reporter_kind", "reporter_name", "reporter_contact"):
                if getattr(self, field).strip():
                    errors[field] = _(
                        "Bij een aanmelding is de aanmeldende deelnemer uw organisatie; vul geen melder in "
                        "(of kies ‘Melding’)."
                    )
        if errors:
            raise ValidationError(errors)

    @property
    def is_report(self) -> bool:
        return self.intake_route == IntakeRoute.REPORT

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("SIG")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference

    @property
    def is_acute(self) -> bool:
        return self.urgency == Urgency.ACUTE


class SignalTransition(models.Model):
    """Append-only history of a signal's states: who, when, why."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(max_length=20, blank=True)
    target = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def target_label(self):
        return states.SIGNAL_MACHINE.labels.get(self.target, self.target)
