"""The persons signals and cases are about (betrokkenen)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.core import identity


class Gender(models.TextChoices):
    MALE = "man", _("Man")
    FEMALE = "vrouw", _("Vrouw")
    OTHER = "anders", _("Anders / niet vastgelegd")
    #: Issue 12 item 10: an explicit choice when the gender is not known (nothing is pre-selected).
    UNKNOWN = "unknown", _("Onbekend")


class SubjectKind(models.TextChoices):
    """Wet PGA art. 2 lid 1: the casusoverleg concerns a natural person or a legal person."""

    NATURAL_PERSON = "natural_person", _("Natuurlijk persoon")
    LEGAL_PERSON = "legal_person", _("Rechtspersoon / organisatie")


class Subject(models.Model):
    """A person or organisation about whom the region's table holds signals or a case (betrokkene).

    A natural person has names, date of birth, gender and optionally a BSN; a legal person
    (Wet PGA art. 2, 4, 5) has its name, KvK number, RSIN and place of establishment. Both
    record the *gemeente van verblijf* (art. 1): ``municipality`` is its name (as the CBS
    names the gemeente; also for a gemeente outside the region), ``municipality_organisation``
    the region's gemeente organisation for it when the region has one — whose burgemeester
    carries the casusoverleg (art. 2 lid 1). A case copies both at opening (ADR 0021).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("soort betrokkene"), max_length=20, choices=SubjectKind.choices, default=SubjectKind.NATURAL_PERSON
    )
    given_names = models.CharField(_("voornamen"), max_length=200, blank=True)
    family_name = models.CharField(_("achternaam"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("geboortedatum"), null=True, blank=True)
    gender = models.CharField(_("geslacht"), max_length=10, choices=Gender.choices, blank=True)
    municipality = models.CharField(
        _("gemeente van verblijf"),
        max_length=100,
        help_text=_(
            "Waar de betrokkene verblijft of het laatst verbleef; voor een rechtspersoon: waar die gevestigd is."
        ),
    )
    municipality_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("gemeente van verblijf (organisatie)"),
    )
    bsn_encrypted = models.TextField(_("BSN (versleuteld)"), blank=True)
    bsn_index = models.CharField(max_length=64, blank=True, db_index=True)
    identity_index = models.CharField(max_length=64, db_index=True)
    # A legal person (rechtspersoon). Its numbers are public registry data, not personal data
    # of a natural person; they are kept in the clear and also as keyed indexes, so the
    # cross-region check compares hashes only, as for the BSN.
    legal_name = models.CharField(_("naam organisatie"), max_length=200, blank=True)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    kvk_index = models.CharField(max_length=64, blank=True, db_index=True)
    rsin = models.CharField(_("RSIN"), max_length=9, blank=True)
    rsin_index = models.CharField(max_length=64, blank=True, db_index=True)
    establishment_place = models.CharField(_("plaats van vestiging"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("betrokkene")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "bsn_index"], condition=~models.Q(bsn_index=""), name="subject_unique_bsn_per_region"
            ),
            models.UniqueConstraint(
                fields=["region", "kvk_index"], condition=~models.Q(kvk_index=""), name="subject_unique_kvk_per_region"
            ),
            models.UniqueConstraint(
                fields=["region", "rsin_index"],
                condition=~models.Q(rsin_index=""),
                name="subject_unique_rsin_per_region",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind=SubjectKind.NATURAL_PERSON,
                        date_of_birth__isnull=False,
                        legal_name="",
                        kvk_index="",
                        rsin_index="",
                    )
                    | models.Q(kind=SubjectKind.LEGAL_PERSON, bsn_index="", date_of_birth__isnull=True)
                    & ~models.Q(legal_name="")
                ),
                name="subject_kind_fields",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def is_legal_person(self) -> bool:
        return self.kind == SubjectKind.LEGAL_PERSON

    @property
    def full_name(self) -> str:
        """The name pages show: the person's name, or the organisation's name for a legal person."""
        if self.is_legal_person:
            return self.legal_name
        return f"{self.given_names} {self.family_name}"

    @property
    def residence_gemeente(self):
        """The gemeente organisation of the gemeente van verblijf (art. 1), if the region has it."""
        return self.municipality_organisation

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

    def set_registry_numbers(self, *, kvk_number: str, rsin: str) -> None:
        self.kvk_number, self.kvk_index = kvk_number, identity.kvk_index(kvk_number) if kvk_number else ""
        self.rsin, self.rsin_index = rsin, identity.rsin_index(rsin) if rsin else ""

    def refresh_identity_index(self) -> None:
        if self.is_legal_person:
            self.identity_index = identity.organisation_index(self.legal_name, self.establishment_place)
        else:
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
