"""The public meldpunt (Wet PGA art. 5 lid 2): anyone may report a concern to the burgemeester
of the gemeente van verblijf. A report from the public lands here, in the intake queue of the
region's table, until the intake officer registers a signal from it (ADR 0044)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.core.concurrency import Versioned
from casustafel.core.references import new_reference
from casustafel.signals.models import Addressee, ReporterKind

#: The limits of the public form, also enforced by the model (the form says them in Dutch).
WHAT_LIMIT = 5000
ABOUT_LIMIT = 1000
NAME_LIMIT = 200
CONTACT_LIMIT = 300
ADDITION_LIMIT = 5000
INTRO_LIMIT = 2000

#: The username of the account that stands for "a member of the public via the meldpunt" in
#: the processing log and as the reports' registrant (created by migration, never able to log in).
SYSTEM_USERNAME = "meldpunt"


class Relation(models.TextChoices):
    """How the reporter relates to the person (the public form's words), mapped to a ReporterKind."""

    CITIZEN = "citizen", _("Ik ben burger (bijvoorbeeld buurtbewoner of kennis)")
    FAMILY = "family", _("Ik ben familielid of naaste")
    PROFESSIONAL = "professional", _("Ik meld beroepshalve (bijvoorbeeld leraar, hulpverlener, jongerenwerker)")


REPORTER_KIND_OF_RELATION = {
    Relation.CITIZEN: ReporterKind.CITIZEN,
    Relation.FAMILY: ReporterKind.CITIZEN,
    Relation.PROFESSIONAL: ReporterKind.PROFESSIONAL,
}


class GemeenteMeldpunt(Versioned):
    """A gemeente's page of the meldpunt: its address and its own intro text and contact details,
    managed by the region's functional administrator."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("gemeente")
    )
    region = models.ForeignKey("accounts.Region", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(
        _("code in het webadres"),
        max_length=40,
        help_text=_("Kleine letters, cijfers en koppeltekens, bijvoorbeeld ‘lindeveld’: /melden/<regio>/<code>/."),
    )
    intro_text = models.TextField(_("introductietekst"), max_length=INTRO_LIMIT, blank=True)
    contact_details = models.TextField(_("contactgegevens"), max_length=INTRO_LIMIT, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meldpunt van een gemeente")
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="meldpunt_unique_code_per_region")]

    def __str__(self):
        return self.code


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Ontvangen")
    HANDLED = "handled", _("Verwerkt")


class PublicReport(models.Model):
    """A melding from the public (art. 5 lid 2), addressed to the burgemeester of the chosen gemeente."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    #: scrypt of the secret code shown once to the reporter (``services.code_hash``); never the code.
    code_hash = models.CharField(max_length=200, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    addressed_to = models.CharField(_("gericht aan"), max_length=12, choices=Addressee.choices, default=Addressee.MAYOR)
    reporter_kind = models.CharField(_("soort melder"), max_length=12, choices=ReporterKind.choices)
    relation = models.CharField(_("relatie van de melder"), max_length=12, choices=Relation.choices)
    reporter_name = models.CharField(_("naam melder"), max_length=NAME_LIMIT, blank=True)
    reporter_contact = models.CharField(_("contactgegevens melder"), max_length=CONTACT_LIMIT, blank=True)
    what = models.TextField(_("wat heeft de melder gezien of gehoord"), max_length=WHAT_LIMIT)
    about_name = models.CharField(_("naam van de persoon"), max_length=NAME_LIMIT, blank=True)
    about_age = models.CharField(_("leeftijd of geboortedatum"), max_length=40, blank=True)
    about_place = models.CharField(_("woonplaats of wijk"), max_length=NAME_LIMIT, blank=True)
    about_other = models.TextField(_("wat de melder verder over de persoon weet"), max_length=ABOUT_LIMIT, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.RECEIVED)
    #: The signal the intake officer registered from this melding (art. 5 lid 2: a melding, to the mayor).
    signal = models.ForeignKey(
        "signals.Signal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("signaal")
    )
    received_at = models.DateTimeField(_("ontvangen op"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("melding via het meldpunt")
        verbose_name_plural = _("meldingen via het meldpunt")
        ordering = ["-received_at"]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("MLD")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference

    @property
    def is_anonymous(self) -> bool:
        return self.reporter_kind == ReporterKind.ANONYMOUS


class ReportAddition(models.Model):
    """Information the reporter added later with the reference and the secret code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="additions")
    text = models.TextField(_("aanvulling"), max_length=ADDITION_LIMIT)
    received_at = models.DateTimeField(_("ontvangen op"), auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]


class SubmissionCounter(models.Model):
    """Posts to the public pages per address and time window, for the rate limit. The address is
    kept only as a keyed hash (HMAC of the address and the window), never as such."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="meldpunt_counter_unique")]
        indexes = [models.Index(fields=["window_start"], name="meldpunt_counter_window")]
