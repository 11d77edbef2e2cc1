"""Cases (PGA-casussen): the approach agreed for an included person."""

import uuid

from django.conf import settings
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


class CaseParticipant(models.Model):
    """An organisation taking part in a case, with the reason it is involved."""

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
    subject_id = property(lambda self: self.case.subject_id)

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
