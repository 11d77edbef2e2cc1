"""Integral weighing (weging) by the weegploeg: gemeente, politie and OM.

The criteria framework (wegingskader) is versioned data; each weighing records the
version it applied, each party's contribution with an assessment per criterion, and
the joint decision with its rationale.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.access.policy import Visibility
from casustafel.accounts.models import OrganisationKind
from casustafel.core.concurrency import Versioned
from casustafel.core.references import new_reference
from casustafel.governance.models import Classification, DataCategory

from . import states


class CriteriaFramework(models.Model):
    """A version of the weighing criteria (wegingskader). ``region`` empty = national default."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(_("versie"))
    name = models.CharField(_("naam"), max_length=200)
    source = models.TextField(_("herkomst"), blank=True)
    valid_from = models.DateField(_("geldig vanaf"))
    is_active = models.BooleanField(_("actief"), default=False)

    class Meta:
        verbose_name = _("wegingskader")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="framework_unique_version", nulls_distinct=False)
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class Criterion(models.Model):
    framework = models.ForeignKey(CriteriaFramework, on_delete=models.PROTECT, related_name="criteria")
    code = models.SlugField(max_length=60)
    label = models.CharField(_("criterium"), max_length=200)
    guidance = models.TextField(_("toelichting"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="criterion_unique_code")]

    def __str__(self):
        return self.label


class Assessment(models.TextChoices):
    PRESENT = "aanwezig", _("Aanwezig")
    PARTLY = "deels", _("Deels aanwezig")
    ABSENT = "afwezig", _("Afwezig")
    UNKNOWN = "onbekend", _("Onbekend")


class Outcome(models.TextChoices):
    INCLUDE = "opnemen", _("Opnemen in de PGA")
    REFER = "doorverwijzen", _("Doorverwijzen")
    NO_ACTION = "geen_actie", _("Geen actie")
    MORE_INFORMATION = "meer_informatie", _("Meer informatie nodig")


class ReferralTarget(models.TextChoices):
    REGULAR_CARE = "reguliere_zorg", _("Reguliere zorg")
    OTHER_TABLE = "andere_casustafel", _("Andere casustafel")
    VEILIG_THUIS = "veilig_thuis", _("Veilig Thuis")
    REGULAR_POLICE = "regulier_politiewerk", _("Regulier politiewerk")


#: The parties that must each contribute before a decision (weegploeg).
WEIGHING_PARTIES = (OrganisationKind.GEMEENTE, OrganisationKind.POLITIE, OrganisationKind.OM)


class Weighing(models.Model):
    OPEN = states.OPEN
    AWAITING_INFORMATION = states.AWAITING_INFORMATION
    DECIDED = states.DECIDED
    STATUS_CHOICES = list(states.WEIGHING_MACHINE.labels.items())

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="weighings")
    framework = models.ForeignKey(CriteriaFramework, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=30, choices=STATUS_CHOICES, default=OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    #: When the set of signals last changed: contributions older than this must be renewed,
    #: so that all signals are weighed together.
    signals_changed_at = models.DateTimeField()
    information_deadline = models.DateField(_("termijn aanvullende informatie"), null=True, blank=True)

    class Meta:
        verbose_name = _("weging")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"], condition=~models.Q(status="decided"), name="weighing_one_open_per_subject"
            )
        ]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("WEG")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference


class Contribution(Versioned):
    """One core party's contribution: what it knows (or that it holds nothing), its assessment and view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    weighing = models.ForeignKey(Weighing, on_delete=models.CASCADE, related_name="contributions")
    party = models.CharField(_("partij"), max_length=20, choices=[(k.value, k.label) for k in WEIGHING_PARTIES])
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    contributor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    holds_information = models.BooleanField(_("organisatie heeft informatie"))
    information = models.TextField(_("informatie van de organisatie"), max_length=10000, blank=True)
    view = models.CharField(_("standpunt"), max_length=20, choices=Outcome.choices)
    view_rationale = models.TextField(_("onderbouwing standpunt"), max_length=5000)
    updated_at = models.DateTimeField(auto_now=True)
    # Provenance (herkomst): the providing organisation is ``organisation``.
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
    subject_id = property(lambda self: self.weighing.subject_id)

    class Meta:
        verbose_name = _("inbreng")
        constraints = [models.UniqueConstraint(fields=["weighing", "party"], name="contribution_one_per_party")]


class CriterionAssessment(models.Model):
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    assessment = models.CharField(_("beoordeling"), max_length=10, choices=Assessment.choices)
    reasons = models.TextField(_("onderbouwing"), max_length=5000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contribution", "criterion"], name="assessment_unique")]


class DecisionStatus(models.TextChoices):
    """A decision is the *eensluidende beoordeling* of art. 5 lid 3 Wet PGA only once politie,
    OM and the burgemeester's designated officials have each confirmed it."""

    PROPOSED = "proposed", _("Voorgesteld, wacht op bevestiging")
    IN_EFFECT = "in_effect", _("Eensluidend besloten")
    REJECTED = "rejected", _("Niet eensluidend (afgewezen)")
    LAPSED = "lapsed", _("Vervallen door een nieuw signaal")


class Decision(models.Model):
    """The joint decision of the weegploeg. A weighing may have several over time
    (more information needed → decided; proposals rejected or lapsed), all kept.

    One member proposes it; it takes effect when each of the three core parties has
    confirmed it (art. 5 lid 3 and 5 Wet PGA: eensluidend, and the three decide which
    participants take part).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    weighing = models.ForeignKey(Weighing, on_delete=models.PROTECT, related_name="decisions")
    framework = models.ForeignKey(CriteriaFramework, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("besluit"), max_length=20, choices=Outcome.choices)
    referral_target = models.CharField(
        _("doorverwezen naar"), max_length=30, choices=ReferralTarget.choices, blank=True
    )
    rationale = models.TextField(_("gezamenlijke onderbouwing"), max_length=10000)
    dissent = models.TextField(_("afwijkende standpunten"), max_length=5000, blank=True)
    information_deadline = models.DateField(_("termijn aanvullende informatie"), null=True, blank=True)
    #: Snapshot of the contributions the decision was based on (party → view, assessments).
    basis = models.JSONField(default=dict)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DecisionStatus.choices, default=DecisionStatus.IN_EFFECT
    )
    #: When the third confirmation made it the eensluidende beoordeling.
    effective_at = models.DateTimeField(_("eensluidend sinds"), null=True, blank=True)
    #: The proposed case director and participants, until the case is opened on confirmation.
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_participants = models.JSONField(default=list, blank=True)
    subject_id = property(lambda self: self.weighing.subject_id)

    class Meta:
        verbose_name = _("besluit")
        ordering = ["decided_at"]


class DecisionConfirmation(models.Model):
    """One core party's confirmation (or rejection, with its reason) of a proposed decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="confirmations")
    party = models.CharField(_("partij"), max_length=20, choices=[(k.value, k.label) for k in WEIGHING_PARTIES])
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)
    agrees = models.BooleanField(_("eens"))
    reason = models.TextField(_("toelichting"), max_length=5000, blank=True)
    subject_id = property(lambda self: self.decision.weighing.subject_id)

    class Meta:
        verbose_name = _("bevestiging besluit")
        ordering = ["confirmed_at"]
        constraints = [models.UniqueConstraint(fields=["decision", "party"], name="decision_confirmation_per_party")]


class RegistrantNotice(models.Model):
    """Art. 5 lid 6 Wet PGA: when the case is not put to the casusoverleg, the participant that
    registered it (aanmelding) is informed. A task per registering organisation, open until
    someone records that — and when — it was done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="registrant_notices")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    informed_on = models.DateField(_("geïnformeerd op"), null=True, blank=True)
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = property(lambda self: self.decision.weighing.subject_id)

    class Meta:
        verbose_name = _("informeren aanmelder")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "organisation"], name="registrant_notice_per_organisation")
        ]


class Consultation(models.Model):
    """Wet PGA art. 5 lid 3 (last sentence) and lid 4: while analysing the aanmelding, the three
    core parties may consult the other participants. The weighing records whom (an organisation
    of the table other than gemeente, politie and OM), on which date, the question asked and the
    answer received — which may follow later (``answer`` empty: awaiting the answer)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    weighing = models.ForeignKey(Weighing, on_delete=models.CASCADE, related_name="consultations")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("geraadpleegde organisatie")
    )
    #: The core party on whose behalf the consultation was made.
    consulting_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    consulted_on = models.DateField(_("geraadpleegd op"))
    question = models.TextField(_("vraag"), max_length=2000)
    answer = models.TextField(_("antwoord of samenvatting"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    answer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_recorded_at = models.DateTimeField(null=True, blank=True)
    subject_id = property(lambda self: self.weighing.subject_id)

    class Meta:
        verbose_name = _("raadpleging overige deelnemer")
        ordering = ["consulted_on", "recorded_at"]

    @property
    def awaiting_answer(self) -> bool:
        return not self.answer
