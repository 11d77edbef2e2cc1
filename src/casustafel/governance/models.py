"""Information governance: legal bases (versioned data), restricted documents (AIVD
ambtsberichten), transparency towards the person, objections and access requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casustafel.core.references import new_reference


class Classification(models.TextChoices):
    """What kind of personal data an item holds. Which values a version permits is data
    (``LegalBasisSet.classifications``): from version 2 (Wet PGA art. 8) the generic
    ``special_category`` gives way to the three special categories the law permits."""

    ORDINARY = "ordinary", _("Gewone persoonsgegevens")
    #: Version 1 only (records made before 1 July 2025 keep it).
    SPECIAL_CATEGORY = "special_category", _("Bijzondere persoonsgegevens")
    SPECIAL_ETHNICITY = "special_ethnicity", _("Bijzonder: ras of etnische afkomst (art. 8 lid 1)")
    SPECIAL_BELIEFS = (
        "special_beliefs",
        _("Bijzonder: politieke, religieuze of levensbeschouwelijke overtuiging (art. 8 lid 1)"),
    )
    SPECIAL_HEALTH = "special_health", _("Bijzonder: gezondheid (art. 8 lid 1)")
    CRIMINAL_LAW = "criminal_law", _("Strafrechtelijke gegevens (art. 8 lid 2)")
    AMBTSBERICHT = "ambtsbericht", _("Afgeleid van een ambtsbericht")


class DataCategory(models.TextChoices):
    """The categories of personal data of Wet PGA art. 4 (a–h). Their rules per version
    (default and permitted visibility, required bases) are data: ``LegalBasisSet.data_categories``."""

    IDENTIFYING = "identifying", _("a. Identificerende en contactgegevens")
    BSN = "bsn", _("b. Burgerservicenummer")
    SIGNALS = "signals", _("c. Omschrijving van de signalen")
    REGISTERING_PARTICIPANT = "registering_participant", _("d. Deelnemer die de signalen heeft ingebracht")
    PLAN_OF_ACTION = "plan_of_action", _("e. Gegevens voor het plan van aanpak")
    POLICE_DATA = "police_data", _("f. Politiegegevens (art. 20 Wpg)")
    JUDICIAL_DATA = "judicial_data", _("g. Justitiële en strafvorderlijke gegevens (Wjsg)")
    SOCIAL_RELATIONS = "social_relations", _("h. Personen met wie betrokkene een sociale relatie onderhoudt")


class LegalBasisUse(models.TextChoices):
    SHARING = "sharing", _("Verstrekken van gegevens")
    PARTICIPATION = "participation", _("Deelname aan een casus")


class LegalBasisSet(models.Model):
    """One version of the legal-bases data file (with the guidance per classification)."""

    version = models.PositiveIntegerField(_("versie"), unique=True)
    source = models.TextField(_("herkomst"), blank=True)
    #: First day records resolve against this version (None: since always, version 1).
    valid_from = models.DateField(_("geldig vanaf"), null=True, blank=True)
    #: classification → {"guidance": str, "organisation_kinds": [kinds; empty = all]}
    classifications = models.JSONField(default=dict)
    #: Special categories the law does not permit (art. 8): code → {"label", "message"}.
    refused_classifications = models.JSONField(default=dict, blank=True)
    #: art. 4 category → {"guidance", "default_visibility", "visibilities", "legal_bases"}; empty in version 1.
    data_categories = models.JSONField(default=dict, blank=True)
    #: What the implementing AMvB must still settle (art. 12 lid 4, 16 lid 5): [{"article", "text"}].
    pending_amvb = models.JSONField(default=list, blank=True)
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


class InformingOutcome(models.TextChoices):
    """What was decided about informing the person of their inclusion (Wet PGA art. 11, AVG art. 14)."""

    INFORMED = "informed", _("Geïnformeerd")
    DEFERRED = "deferred", _("Informeren uitgesteld")
    NOT_INFORMED = "not_informed", _("Niet informeren")


#: The ground of decisions migrated from before the Wet PGA, when a free-text reason was kept
#: without an interest of art. 41 lid 1 UAVG. Never accepted for a new decision.
GROUND_NOT_RECORDED = "not_recorded"


class InformingDecision(models.Model):
    """One decision about informing the person of a case (Wet PGA art. 11 with AVG art. 14 and
    art. 41 lid 1 UAVG). Informing is the default; not informing or deferring names the interest
    of art. 41 lid 1 it protects (a code from ``data/informing_grounds_v*.json``, its version
    kept), a written motivation for the casusoverleg and a review date. Append-only: a new
    decision is a new row, the newest is the current state (ADR 0010, revision 2026-11-30)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="informing_decisions")
    outcome = models.CharField(_("besluit"), max_length=20, choices=InformingOutcome.choices)
    informed_on = models.DateField(_("geïnformeerd op"), null=True, blank=True)
    ground = models.CharField(_("belang (art. 41 lid 1 UAVG)"), max_length=40, blank=True)
    grounds_version = models.PositiveIntegerField(_("versie belangen"), null=True, blank=True)
    motivation = models.TextField(_("motivering ten behoeve van het casusoverleg"), max_length=5000, blank=True)
    review_on = models.DateField(_("heroverwegen op"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: Not ``auto_now_add``: decisions migrated from the former transparency record keep their date.
    decided_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        verbose_name = _("besluit over informeren")
        verbose_name_plural = _("besluiten over informeren")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="informed", informed_on__isnull=False, ground="")
                | (~models.Q(outcome="informed") & ~models.Q(ground="") & ~models.Q(motivation="")),
                name="informing_decision_informed_or_grounded",
            )
        ]


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


class WithholdingReason(models.TextChoices):
    """Why a participant withholds data (Wet PGA art. 4 aanhef: "zwaarwegende redenen"). A code
    and at most a short motivation: the record itself carries no personal content."""

    SOURCE_PROTECTION = "source_protection", _("Bescherming van een bron of melder")
    ONGOING_INVESTIGATION = "ongoing_investigation", _("Belang van een lopend opsporingsonderzoek")
    SAFETY = "safety", _("Veiligheid van betrokkene of derden")
    LEGAL_SECRECY = "legal_secrecy", _("Wettelijke geheimhoudingsplicht van de deelnemer")
    OTHER = "other", _("Andere zwaarwegende reden (kort gemotiveerd)")


class WithheldData(models.Model):
    """That a participant withholds data about a person or a weighing for weighty reasons
    (Wet PGA art. 4 aanhef) — who, which organisation, when, which art. 4 category and a
    reason code; never the data itself. Visible to the three core parties and the FG."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    weighing = models.ForeignKey("weighing.Weighing", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    data_category = models.CharField(_("categorie (art. 4)"), max_length=30, choices=DataCategory.choices)
    reason = models.CharField(_("reden"), max_length=30, choices=WithholdingReason.choices)
    motivation = models.CharField(_("korte motivering (zonder persoonsgegevens)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("achtergehouden gegevens")
        verbose_name_plural = _("achtergehouden gegevens")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.organisation} · {self.get_data_category_display()}"


class PrivacyAudit(models.Model):
    """A privacy audit of the casusoverleg (Wet PGA art. 16 lid 1), recorded by the region's
    privacy officer: when, what it covered, who audited, a result per part (the parts are data,
    ``governance/data/audit_parts_v*.json``), and when the results went to the Autoriteit
    Persoonsgegevens (lid 2; for a re-audit too, lid 3). No personal data of the persons in a PGA."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    audited_on = models.DateField(_("datum van de audit"))
    scope = models.TextField(_("reikwijdte"), max_length=2000)
    auditor = models.CharField(_("auditor (persoon of organisatie)"), max_length=200)
    #: The version of the audit parts file the results refer to (the one valid on ``audited_on``).
    parts_version = models.PositiveIntegerField(_("versie onderdelen"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    sent_to_ap_on = models.DateField(_("verzonden aan de Autoriteit Persoonsgegevens op"), null=True, blank=True)
    sent_to_ap_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("privacy-audit")
        verbose_name_plural = _("privacy-audits")
        ordering = ["-audited_on", "-recorded_at"]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("AUD")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference


class AuditPartResult(models.Model):
    """The result of one part of a privacy audit. A failed part is re-audited within a year
    (Wet PGA art. 16 lid 3): ``reaudit_due_on``; a later audit's result for the same part
    records which result it re-audits (``reaudit_of``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audit = models.ForeignKey(PrivacyAudit, on_delete=models.PROTECT, related_name="results")
    part = models.CharField(_("onderdeel"), max_length=40)
    passed = models.BooleanField(_("voldoet"))
    note = models.TextField(_("toelichting"), max_length=2000, blank=True)
    reaudit_due_on = models.DateField(_("hercontrole uiterlijk op"), null=True, blank=True)
    reaudit_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("hercontrole van")
    )

    class Meta:
        verbose_name = _("resultaat per onderdeel")
        verbose_name_plural = _("resultaten per onderdeel")
        constraints = [
            models.UniqueConstraint(fields=["audit", "part"], name="audit_part_result_unique_part"),
            models.CheckConstraint(
                condition=models.Q(passed=True, reaudit_due_on__isnull=True)
                | models.Q(passed=False, reaudit_due_on__isnull=False),
                name="audit_part_result_failed_has_reaudit",
            ),
        ]


class RegionPrivacySettings(models.Model):
    """The table's coordinating privacy officer and contact point (Wet PGA art. 12; ADR 0031).

    One row per region. The coordinating FG is one of the FGs of the public participants (lid 2,
    ``policy.may_coordinate_privacy``). The contact point for the data subject's rights of AVG
    chapter III is free text per table until the AMvB of lid 4 b names the participant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.OneToOneField("accounts.Region", on_delete=models.PROTECT, related_name="+")
    coordinating_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("coördinerend functionaris voor gegevensbescherming"),
    )
    contact_point = models.TextField(_("contactpunt voor betrokkenen"), max_length=2000, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("privacy-instellingen van de casustafel")
        verbose_name_plural = _("privacy-instellingen van de casustafels")


class RightsRequestKind(models.TextChoices):
    """The rights of the data subject the table tracks (AVG chapter III)."""

    ACCESS = "access", _("Inzage (art. 15 AVG)")
    RECTIFICATION = "rectification", _("Rectificatie (art. 16 AVG)")
    ERASURE = "erasure", _("Wissing (art. 17 AVG)")
    RESTRICTION = "restriction", _("Beperking van de verwerking (art. 18 AVG)")
    OBJECTION = "objection", _("Bezwaar (art. 21 AVG)")


class RightsRequest(models.Model):
    """A data subject's request under AVG art. 15-18 or 21, tracked to its answer within the
    deadline of AVG art. 12 lid 3: a month after receipt, extended once by at most two months
    with a reason. The summary holds no more personal data than needed; the person is linked
    only when known to the table (``subject``)."""

    OPEN = "open"
    ANSWERED = "answered"
    STATUS_CHOICES = [(OPEN, _("Open")), (ANSWERED, _("Beantwoord"))]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("soort verzoek"), max_length=20, choices=RightsRequestKind.choices)
    received_on = models.DateField(_("ontvangen op"))
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    summary = models.TextField(_("samenvatting (zonder onnodige persoonsgegevens)"), max_length=2000)
    deadline = models.DateField(_("uiterste antwoorddatum (art. 12 lid 3 AVG)"))
    extended_deadline = models.DateField(_("verlengd tot"), null=True, blank=True)
    extension_reason = models.TextField(_("reden van verlenging"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default=OPEN)
    answered_on = models.DateField(_("beantwoord op"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    outcome = models.TextField(_("uitkomst"), max_length=5000, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verzoek van betrokkene")
        verbose_name_plural = _("verzoeken van betrokkenen")
        ordering = ["deadline", "received_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extended_deadline__isnull=True, extension_reason="")
                | (models.Q(extended_deadline__gt=models.F("deadline")) & ~models.Q(extension_reason="")),
                name="rights_request_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", answered_on__isnull=True, answered_by__isnull=True)
                | models.Q(
                    status="answered",
                    answered_on__isnull=False,
                    answered_by__isnull=False,
                    answered_on__gte=models.F("received_on"),
                ),
                name="rights_request_answered_has_date",
            ),
        ]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("REC")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference

    @property
    def due_on(self):
        """The deadline in force: the extended one when extended."""
        return self.extended_deadline or self.deadline
