"""Information governance: legal bases (versioned data), restricted documents (AIVD
ambtsberichten), transparency towards the person, objections and access requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.core.references import new_reference


class Classification(models.TextChoices):
    ORDINARY = "ordinary", _("Gewone persoonsgegevens")
    SPECIAL_CATEGORY = "special_category", _("Bijzondere persoonsgegevens")
    CRIMINAL_LAW = "criminal_law", _("Strafrechtelijke gegevens")
    AMBTSBERICHT = "ambtsbericht", _("Afgeleid van een ambtsbericht")


class LegalBasisUse(models.TextChoices):
    SHARING = "sharing", _("Verstrekken van gegevens")
    PARTICIPATION = "participation", _("Deelname aan een casus")


class LegalBasisSet(models.Model):
    """One version of the legal-bases data file (with the guidance per classification)."""

    version = models.PositiveIntegerField(_("versie"), unique=True)
    source = models.TextField(_("herkomst"), blank=True)
    #: classification → {"guidance": str, "organisation_kinds": [kinds; empty = all]}
    classifications = models.JSONField(default=dict)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("versie grondslagen")
        ordering = ["-version"]


class LegalBasis(models.Model):
    """A legal basis (grondslag) for providing data or for taking part in a case."""

    IN_FORCE = "in_force"
    TO_BE_CONFIRMED = "to_be_confirmed"
    STATUS_CHOICES = [(IN_FORCE, _("In werking")), (TO_BE_CONFIRMED, _("Te bevestigen (zodra in werking)"))]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    basis_set = models.ForeignKey(LegalBasisSet, on_delete=models.PROTECT, related_name="bases")
    code = models.SlugField(max_length=60)
    use = models.CharField(_("gebruik"), max_length=20, choices=LegalBasisUse.choices)
    label = models.CharField(_("grondslag"), max_length=300)
    explanation = models.TextField(_("toelichting"))
    organisation_kinds = models.JSONField(_("soorten organisaties"), default=list)
    classifications = models.JSONField(_("toegestane classificaties"), default=list)
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default=IN_FORCE)
    is_active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("grondslag")
        verbose_name_plural = _("grondslagen")
        ordering = ["use", "label"]
        constraints = [models.UniqueConstraint(fields=["basis_set", "code"], name="legal_basis_unique_code")]

    def __str__(self):
        if self.status == self.TO_BE_CONFIRMED:
            return f"{self.label} ({_('te bevestigen: zodra in werking')})"
        return self.label

    @property
    def to_be_confirmed(self) -> bool:
        return self.status == self.TO_BE_CONFIRMED


class RestrictedDocument(models.Model):
    """An AIVD ambtsbericht to the mayor. Content is encrypted and readable only by the
    mayor and the officials they designate; the table sees that it exists and the summary
    the mayor releases. Sources are never recorded: there is no field for them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="restricted_documents", null=True, blank=True
    )
    received_at = models.DateField(_("ontvangen op"))
    content_encrypted = models.TextField(editable=False)
    released_summary = models.TextField(_("vrijgegeven samenvatting"), max_length=5000, blank=True)
    released_at = models.DateTimeField(_("vrijgegeven op"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    designated_readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("aangewezen lezers")
    )

    class Meta:
        verbose_name = _("ambtsbericht")
        verbose_name_plural = _("ambtsberichten")
        ordering = ["-received_at", "-registered_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__isnull=False) | models.Q(case__isnull=False),
                name="restricted_document_has_subject_or_case",
            )
        ]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("AMB")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference


class CaseTransparency(models.Model):
    """Whether and when the person was informed of their inclusion, or why not (and until when)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="transparency", primary_key=True)
    informed = models.BooleanField(_("betrokkene is geïnformeerd"), default=False)
    informed_at = models.DateField(_("geïnformeerd op"), null=True, blank=True)
    not_informed_reason = models.TextField(_("reden om (nog) niet te informeren"), max_length=2000, blank=True)
    review_on = models.DateField(_("reden wordt heroverwogen op"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        verbose_name = _("transparantie")


class Objection(models.Model):
    """A person's objection (bezwaar) against the processing, as a simple workflow."""

    RECEIVED = "received"
    HANDLED = "handled"
    STATUS_CHOICES = [(RECEIVED, _("Ontvangen")), (HANDLED, _("Afgehandeld"))]

    class Outcome(models.TextChoices):
        UPHELD = "gegrond", _("Gegrond")
        PARTLY = "deels_gegrond", _("Deels gegrond")
        REJECTED = "ongegrond", _("Ongegrond")
        WITHDRAWN = "ingetrokken", _("Ingetrokken")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField(_("ontvangen op"))
    summary = models.TextField(_("inhoud van het bezwaar"), max_length=5000)
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default=RECEIVED)
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_rationale = models.TextField(_("motivering uitkomst"), max_length=5000, blank=True)
    handled_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        verbose_name = _("bezwaar")
        ordering = ["received_on"]


class AccessRequest(models.Model):
    """A data subject's access request (inzageverzoek), answered with an export.

    ``exempted_references`` lists the items (by kenmerk or id) withheld on the recorded
    ``exemption_ground``; the export marks them as withheld instead of showing them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("ontvangen op"))
    exempted_references = models.JSONField(_("uitgezonderde onderdelen"), default=list, blank=True)
    exemption_ground = models.TextField(_("grond voor uitzondering"), max_length=2000, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    exported_at = models.DateTimeField(_("laatst geëxporteerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("inzageverzoek")
        ordering = ["-registered_at"]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("INZ")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference
