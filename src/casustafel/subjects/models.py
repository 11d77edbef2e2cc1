"""The persons signals and cases are about (betrokkenen)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.core import identity


class Gender(models.TextChoices):
    MALE = "man", _("Man")
    FEMALE = "vrouw", _("Vrouw")
    OTHER = "anders", _("Anders / niet vastgelegd")


class Subject(models.Model):
    """A person about whom the region's table holds signals or a case (betrokkene)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    given_names = models.CharField(_("voornamen"), max_length=200)
    family_name = models.CharField(_("achternaam"), max_length=200)
    date_of_birth = models.DateField(_("geboortedatum"))
    gender = models.CharField(_("geslacht"), max_length=10, choices=Gender.choices)
    municipality = models.CharField(_("woongemeente"), max_length=100)
    bsn_encrypted = models.TextField(_("BSN (versleuteld)"), blank=True)
    bsn_index = models.CharField(max_length=64, blank=True, db_index=True)
    identity_index = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("betrokkene")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "bsn_index"], condition=~models.Q(bsn_index=""), name="subject_unique_bsn_per_region"
            )
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def bsn(self) -> str:
        return identity.decrypt(self.bsn_encrypted) if self.bsn_encrypted else ""

    @property
    def masked_bsn(self) -> str:
        bsn = self.bsn
        return f"*****{bsn[-4:]}" if bsn else ""

    def set_bsn(self, bsn: str) -> None:
        self.bsn_encrypted = identity.encrypt(bsn) if bsn else ""
        self.bsn_index = identity.bsn_index(bsn) if bsn else ""

    def refresh_identity_index(self) -> None:
        self.identity_index = identity.identity_index(self.given_names, self.family_name, self.date_of_birth)


class CrossRegionRequest(models.Model):
    """A formal request to another region's table after a "known elsewhere" hit.

    The hit itself is computed on keyed hashes and only says hit / no hit; the
    requesting table does not learn which region matched. The request carries no
    personal data: the receiving table matches it to its own record of the person and
    answers with a note (e.g. that it will make contact), not with data.
    """

    OPEN = "open"
    ANSWERED = "answered"
    STATUS_CHOICES = [(OPEN, _("Open")), (ANSWERED, _("Beantwoord"))]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(
        Subject,
        on_delete=models.CASCADE,
        related_name="outgoing_requests",
        verbose_name=_("betrokkene (verzoekende regio)"),
    )
    to_subject = models.ForeignKey(
        Subject,
        on_delete=models.CASCADE,
        related_name="incoming_requests",
        verbose_name=_("betrokkene (ontvangende regio)"),
    )
    #: Both tables on the request itself: each reads it without the other's person (RLS).
    from_region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    to_region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(_("reden van het verzoek"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=OPEN)
    answer = models.TextField(_("antwoord"), max_length=2000, blank=True)
    answered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verzoek aan andere casustafel")
        ordering = ["-requested_at"]
