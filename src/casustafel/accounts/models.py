"""Regions (casustafels), organisations and users with their role."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A regional table (casustafel): the unit every record belongs to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("naam"), max_length=200)

    class Meta:
        verbose_name = _("regio")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationKind(models.TextChoices):
    GEMEENTE = "gemeente", _("Gemeente")
    POLITIE = "politie", _("Politie")
    OM = "om", _("Openbaar Ministerie")
    ZVH = "zvh", _("Zorg- en Veiligheidshuis")
    RECLASSERING = "reclassering", _("Reclassering")
    RVDK = "rvdk", _("Raad voor de Kinderbescherming")
    JEUGDBESCHERMING = "jeugdbescherming", _("Jeugdbescherming")
    GGZ = "ggz", _("GGZ / zorg")
    WIJKTEAM = "wijkteam", _("Wijkteam")
    WERK_INKOMEN = "werk_inkomen", _("Werk & Inkomen")
    ONDERWIJS = "onderwijs", _("Onderwijs")
    LSE_EXIT = "lse_exit", _("Landelijk Steunpunt Extremisme / Exit")
    IND = "ind", _("Immigratie- en Naturalisatiedienst")
    DTENV = "dtenv", _("Dienst Terugkeer en Vertrek")
    NCTV = "nctv", _("NCTV")


#: The three core parties of the weegploeg (gemeente, politie, OM).
CORE_PARTY_KINDS = (OrganisationKind.GEMEENTE, OrganisationKind.POLITIE, OrganisationKind.OM)


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("regio"))
    kind = models.CharField(_("soort"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("naam"), max_length=200)
    #: For a gemeente: the municipality it is (used for "municipality of residence").
    municipality_code = models.CharField(_("gemeentecode"), max_length=4, blank=True)

    class Meta:
        verbose_name = _("organisatie")
        ordering = ["region__name", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_name_per_region")]

    def __str__(self):
        return self.name

    @property
    def is_core_party(self) -> bool:
        return self.kind in CORE_PARTY_KINDS


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", _("Intakemedewerker / dossierhouder")
    WEIGHING_MEMBER = "weighing_member", _("Lid weegploeg")
    PROCESS_DIRECTOR = "process_director", _("Procesregisseur")
    CASE_DIRECTOR = "case_director", _("Casusregisseur")
    PARTICIPANT = "participant", _("Deelnemer casusoverleg")
    MAYOR = "mayor", _("Burgemeester / gemachtigde")
    PRIVACY_OFFICER = "privacy_officer", _("Functionaris gegevensbescherming / auditor")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functioneel beheerder")
    ANALYST = "analyst", _("Analist / verantwoording")


class User(AbstractUser):
    """A natural person working for one organisation, in one role."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("organisatie"),
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices, blank=True)
    #: Demo accounts may have their second factor printed by ``casustafel totp``.
    is_demo = models.BooleanField(_("demo-account"), default=False)

    class Meta:
        verbose_name = _("gebruiker")
        ordering = ["username"]

    @property
    def region_id(self):
        return self.organisation.region_id if self.organisation_id else None

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
