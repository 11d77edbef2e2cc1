"""Cases (PGA-casussen): the approach agreed for an included person."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.core.references import new_reference

from . import states


class ClosureReason(models.TextChoices):
    GOALS_REACHED = "doelen_bereikt", _("Doelen bereikt")
    MOVED = "verhuisd", _("Verhuisd")
    DETENTION = "detentie", _("Detentie")
    LEFT_COUNTRY = "land_verlaten", _("Land verlaten")
    DECEASED = "overleden", _("Overleden")
    OTHER = "anders", _("Anders")


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("kenmerk"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="cases")
    origin_decision = models.OneToOneField("weighing.Decision", on_delete=models.PROTECT, related_name="case")
    status = models.CharField(
        _("status"), max_length=20, choices=list(states.CASE_MACHINE.labels.items()), default=states.ACTIVE
    )
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("casusregisseur")
    )
    closure_reason = models.CharField(_("reden afsluiting"), max_length=20, choices=ClosureReason.choices, blank=True)
    opened_at = models.DateTimeField(_("geopend op"), auto_now_add=True, db_index=True)
    status_changed_at = models.DateTimeField(_("status gewijzigd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        ordering = ["-opened_at"]

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference("PGA")
        super().save(*args, **kwargs)

    def __str__(self):
        return self.reference


class Capacity(models.TextChoices):
    """In what capacity an organisation takes part in a case (Wet PGA art. 3)."""

    PARTICIPANT = "participant", _("Deelnemer (art. 3 lid 1)")
    THIRD_PARTY = "third_party", _("Derde (art. 3 lid 3)")


class PlanRole(models.TextChoices):
    """A third party's role in the integrated plan of action (art. 3 lid 3)."""

    DRAFTING = "drafting", _("Opstellen van het plan van aanpak")
    CARRYING_OUT = "carrying_out", _("Uitvoeren van het plan van aanpak")
    EVALUATING = "evaluating", _("Evalueren van het plan van aanpak")


class ThirdPartyData(models.TextChoices):
    """What a third party may be given access to (art. 3 lid 3, last sentence): the art. 4
    categories that a case shows its participants. Signals, police and judicial data and
    data on the social circle are never shown to a third party (ADR 0025)."""

    IDENTIFYING = "identifying", _("a. Identificerende en contactgegevens van betrokkene")
    PLAN_OF_ACTION = "plan_of_action", _("e. Gegevens voor het plan van aanpak en de bespreking in het casusoverleg")


class CaseParticipant(models.Model):
    """An organisation taking part in a case, with the reason it is involved.

    A participant of art. 3 lid 1 sees the whole case; a third party (art. 3 lid 3) only the
    data the three marked necessary for it (``necessary_data``) and is not a joint
    controller (art. 3 lid 4 with art. 12 lid 1).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reden van betrokkenheid"), max_length=2000)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    #: Required for organisations that may only join on a recorded legal basis (NCTV).
    legal_basis = models.ForeignKey(
        "governance.LegalBasis",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("grondslag deelname"),
    )
    capacity = models.CharField(
        _("hoedanigheid"), max_length=20, choices=Capacity.choices, default=Capacity.PARTICIPANT
    )
    #: For a third party: the admission by the three (art. 3 lid 3) it takes part on.
    admission = models.OneToOneField(
        "ThirdPartyAdmission", on_delete=models.PROTECT, null=True, blank=True, related_name="participant"
    )
    necessary_data = ArrayField(
        models.CharField(max_length=30, choices=ThirdPartyData.choices), default=list, blank=True
    )
    subject_id = property(lambda self: self.case.subject_id)

    @property
    def is_third_party(self) -> bool:
        return self.capacity == Capacity.THIRD_PARTY

    class Meta:
        verbose_name = _("deelnemende organisatie")
        ordering = ["added_at"]
        constraints = [models.UniqueConstraint(fields=["case", "organisation"], name="participant_unique")]


class CaseTransition(models.Model):
    """Append-only history of a case's states: who, when, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(max_length=20, blank=True)
    target = models.CharField(max_length=20)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(max_length=2000)
    #: Open work at closing and why the case was closed anyway (empty when nothing was open).
    open_work_override = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def target_label(self):
        return states.CASE_MACHINE.labels.get(self.target, self.target)


class TransferStatus(models.TextChoices):
    OPEN = "open", _("Voorgesteld")
    ACCEPTED = "accepted", _("Aanvaard")
    DECLINED = "declined", _("Afgewezen")


class CaseTransfer(models.Model):
    """The audited handover of a case to another table (when the person moves)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    #: Kept on the transfer itself: until it accepts, the receiving table cannot read the
    #: sending table's case (row-level security), only what the proposal tells it.
    subject = models.ForeignKey("subjects.Subject", on_delete=models.CASCADE, related_name="+")
    case_reference = models.CharField(_("kenmerk"), max_length=20)
    municipality = models.CharField(_("woongemeente"), max_length=100, blank=True)
    from_region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    to_region = models.ForeignKey(
        "accounts.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("ontvangende casustafel")
    )
    reason = models.TextField(_("reden overdracht"), max_length=2000)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("toelichting besluit"), max_length=2000, blank=True)
    new_case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("overdracht")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="open"), name="transfer_one_open_per_case"
            )
        ]


class TransferObjection(models.Model):
    """Wet PGA art. 7 lid 2: a participant that originally supplied items about the person
    objects, for weighty reasons, to providing them to the receiving table. Its items stay
    behind when the transfer is accepted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    transfer = models.ForeignKey(CaseTransfer, on_delete=models.CASCADE, related_name="objections")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("zwaarwegende reden"), max_length=2000)
    objected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    objected_at = models.DateTimeField(auto_now_add=True)
    subject_id = property(lambda self: self.transfer.subject_id)

    class Meta:
        verbose_name = _("bezwaar tegen verstrekking")
        ordering = ["objected_at"]
        constraints = [models.UniqueConstraint(fields=["transfer", "organisation"], name="transfer_objection_unique")]


class LawfulnessReview(models.Model):
    """Wet PGA art. 6 lid 3 with art. 13/14: the privacy officer reads a blocked (closed) case
    to review the lawfulness of its processing; every such read is recorded with its reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lawfulness_reviews")
    reason = models.TextField(_("reden rechtmatigheidscontrole"), max_length=2000)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        verbose_name = _("rechtmatigheidscontrole")
        ordering = ["-reviewed_at"]


class ReuseDecision(models.TextChoices):
    MAY_SERVE = "may_serve", _("De gegevens mogen de nieuwe weging dienen")
    STAYS_BLOCKED = "stays_blocked", _("De gegevens blijven afgeschermd")


class BlockedCaseReuse(models.Model):
    """Wet PGA art. 6 lid 3 with art. 5 lid 3: after a new aanmelding about the person of a
    blocked (closed) case, politie, OM and the burgemeester record whether its data may
    serve the renewed weighing: who, when, the decision and why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reuse_decisions")
    decision = models.CharField(_("besluit"), max_length=20, choices=ReuseDecision.choices)
    reason = models.TextField(_("onderbouwing"), max_length=2000)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        verbose_name = _("besluit over afgeschermde casus")
        ordering = ["-decided_at"]


class AdmissionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Voorgesteld")
    ADMITTED = "admitted", _("Toegelaten")
    REJECTED = "rejected", _("Niet toegelaten")


class ThirdPartyAdmission(models.Model):
    """Wet PGA art. 3 lid 3: the burgemeester of the gemeente van verblijf, the politie and
    the OM together let a third party take part in one case, because it has expertise the
    case needs and a role in drafting, carrying out or evaluating the plan of action. One
    proposes, each of the three confirms (the proposer's party by proposing, if it is one of
    them); a rejection ends the proposal with its reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="third_party_admissions")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    expertise = models.TextField(_("benodigde deskundigheid"), max_length=2000)
    plan_roles = ArrayField(models.CharField(max_length=20, choices=PlanRole.choices), verbose_name=_("rol"))
    necessary_data = ArrayField(
        models.CharField(max_length=30, choices=ThirdPartyData.choices), verbose_name=_("noodzakelijke gegevens")
    )
    legal_basis = models.ForeignKey(
        "governance.LegalBasis",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("grondslag deelname"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AdmissionStatus.choices, default=AdmissionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        verbose_name = _("toelating derde")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=models.Q(status="proposed"),
                name="third_party_one_open_admission",
            )
        ]

    def get_plan_roles_display(self) -> str:
        labels = dict(PlanRole.choices)
        return ", ".join(str(labels.get(role, role)) for role in self.plan_roles)

    def get_necessary_data_display(self) -> str:
        labels = dict(ThirdPartyData.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.necessary_data)


class ThirdPartyConfirmation(models.Model):
    """One of the three (gemeente, politie, OM) agrees with — or rejects, with its reason —
    the admission of a third party (art. 3 lid 3)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    admission = models.ForeignKey(ThirdPartyAdmission, on_delete=models.CASCADE, related_name="confirmations")
    party = models.CharField(_("partij"), max_length=20)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)
    agrees = models.BooleanField(_("eens"))
    reason = models.TextField(_("toelichting"), max_length=2000, blank=True)
    subject_id = property(lambda self: self.admission.case.subject_id)

    class Meta:
        verbose_name = _("bevestiging toelating derde")
        ordering = ["confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["admission", "party"], name="third_party_confirmation_per_party")
        ]
