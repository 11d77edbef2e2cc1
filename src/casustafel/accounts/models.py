"""Regions (casustafels), organisations and users with their role."""

from __future__ import annotations

import time
import uuid
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from casustafel.core import identity


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

#: Wet PGA art. 3 lid 1: the participants the law designates (burgemeester and college of the
#: gemeenten, politie, OM, reclasseringsinstellingen, Raad voor de Kinderbescherming), with the
#: Zorg- en Veiligheidshuis, which facilitates the casusoverleg on behalf of the burgemeester
#: (ADR 0025). Every other kind takes part only as a third party per case (art. 3 lid 3).
PARTICIPANT_KINDS = (*CORE_PARTY_KINDS, OrganisationKind.RECLASSERING, OrganisationKind.RVDK, OrganisationKind.ZVH)


def is_third_party_kind(kind: str) -> bool:
    """An organisation of this kind takes part in a case only as a third party (art. 3 lid 3)."""
    return kind not in PARTICIPANT_KINDS


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

    @property
    def is_third_party(self) -> bool:
        """Wet PGA art. 3 lid 3: takes part in a case only when the three admit it there."""
        return is_third_party_kind(self.kind)


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
    #: Wet PGA art. 15: a member of the joint lawfulness advisory committee; reads motivations and
    #: the register of processing changes, never case content, and advises the casusoverleg.
    LAWFULNESS_COMMITTEE = "lawfulness_committee", _("Lid rechtmatigheidsadviescommissie")


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
    #: Wet PGA art. 17: set by the account administration when a duty of secrecy already
    #: follows from office (ambtseed, ambtelijke geheimhoudingsplicht), profession
    #: (beroepsgeheim) or statute. Without it the user acknowledges the confidentiality duty
    #: of art. 17 before working in Casustafel, and again every year (ADR 0027).
    has_other_secrecy_duty = models.BooleanField(
        _("geheimhoudingsplicht uit ambt, beroep of wettelijk voorschrift"),
        default=False,
        help_text=_("Aan als voor deze medewerker al een geheimhoudingsplicht geldt; anders erkent hij art. 17."),
    )

    class Meta:
        verbose_name = _("gebruiker")
        ordering = ["username"]

    @property
    def region_id(self):
        return self.organisation.region_id if self.organisation_id else None

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


def new_encrypted_secret() -> str:
    """A fresh 20-byte TOTP secret (hex, as authenticator apps are provisioned), encrypted."""
    return identity.encrypt(random_hex(20))


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """The mandatory second factor: a TOTP authenticator whose secret is stored encrypted.

    The fields and the verification follow django-otp's ``TOTPDevice``; only the secret
    differs: it is Fernet-encrypted with the project's keys (``core.identity``, rotated by
    ``casustafel keys rotate``) and decrypted in memory for one computation (ADR 0018).
    """

    key_encrypted = models.TextField(_("geheime sleutel (versleuteld)"), default=new_encrypted_secret)
    step = models.PositiveSmallIntegerField(_("tijdstap in seconden"), default=30)
    t0 = models.BigIntegerField(_("begintijd (Unix-tijd)"), default=0)
    digits = models.PositiveSmallIntegerField(_("aantal cijfers"), choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(_("toegestane tijdstappen ernaast"), default=1)
    drift = models.SmallIntegerField(_("afwijking van de klok in tijdstappen"), default=0)
    #: The time step of the last accepted code: a code is accepted once, never again.
    last_t = models.BigIntegerField(_("laatst geaccepteerde tijdstap"), default=-1)

    #: What a verification writes; the application role may update these columns and no
    #: others of this table (``access.rls``), so verification saves exactly these.
    VERIFICATION_FIELDS = (
        "last_t",
        "drift",
        "throttling_failure_timestamp",
        "throttling_failure_count",
        "last_used_at",
    )

    class Meta(Device.Meta):
        verbose_name = _("authenticator-app")

    @property
    def bin_key(self) -> bytes:
        """The secret, decrypted (in memory only, for this computation)."""
        return unhexlify(identity.decrypt(self.key_encrypted))

    def totp(self) -> TOTP:
        return TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        """django-otp's TOTP verification, saving only :data:`VERIFICATION_FIELDS`."""
        allowed, _reason = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(token)
        except (TypeError, ValueError):
            code = None
        verified = False
        if code is not None:
            totp = self.totp()
            totp.time = time.time()
            verified = totp.verify(code, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
        if not verified:
            self.throttle_increment(commit=False)
        self.save(update_fields=self.VERIFICATION_FIELDS)
        return verified


class ConfidentialityText(models.Model):
    """One version of the confidentiality text of Wet PGA art. 17 (regelgeving als data).

    Seeded from ``data/confidentiality_v<n>.json``; the version in force is the newest whose
    ``valid_from`` has come. A new version asks every user who must acknowledge it anew.
    """

    version = models.PositiveIntegerField(_("versie"), unique=True)
    valid_from = models.DateField(_("geldig vanaf"))
    title = models.CharField(_("titel"), max_length=200)
    text = models.TextField(_("tekst"))
    #: How long an acknowledgement holds before it is asked again (every year: 365 days).
    renew_after_days = models.PositiveIntegerField(_("opnieuw erkennen na (dagen)"), default=365)
    source = models.TextField(_("herkomst"), blank=True)

    class Meta:
        verbose_name = _("geheimhoudingstekst")
        verbose_name_plural = _("geheimhoudingsteksten")
        ordering = ["-valid_from", "-version"]

    def __str__(self):
        return f"{self.title} (versie {self.version})"


class ConfidentialityAcknowledgement(models.Model):
    """A user acknowledged a version of the art. 17 text at a moment. Only added, never changed."""

    #: The database role work grants the application role only SELECT/INSERT on such models.
    append_only = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="confidentiality_acknowledgements", verbose_name=_("gebruiker")
    )
    text = models.ForeignKey(
        ConfidentialityText, on_delete=models.PROTECT, related_name="acknowledgements", verbose_name=_("tekst")
    )
    acknowledged_at = models.DateTimeField(_("erkend op"))

    class Meta:
        verbose_name = _("erkenning geheimhoudingsplicht")
        verbose_name_plural = _("erkenningen geheimhoudingsplicht")
        ordering = ["-acknowledged_at"]
        indexes = [models.Index(fields=["user", "text", "-acknowledged_at"], name="confidentiality_ack_lookup")]

    def __str__(self):
        return f"{self.acknowledged_at:%Y-%m-%d %H:%M}"


class DesignationPurpose(models.TextChoices):
    """Wet PGA art. 13 lid 1: the only tasks for which a designated person is authorised."""

    PROCESSING = (
        "processing",
        _("Uitvoering van de gegevensverwerking voor het doel van het casusoverleg (art. 13 lid 1 a)"),
    )
    LAWFULNESS_REVIEW = "lawfulness_review", _("Toetsing op rechtmatigheid (art. 13 lid 1 b)")
    SYSTEM_SUPPORT = "system_support", _("Onderhoud of ondersteuning van de systemen (art. 13 lid 1 c)")


#: Wet PGA art. 12 lid 3, second sentence: a *private* participant designates only persons who
#: have no commercial tasks for it. The organisation kinds that are, as a rule, private legal
#: persons (stichtingen, verenigingen) rather than public bodies: care providers, wijkteams
#: (mostly stichtingen), the Landelijk Steunpunt Extremisme / Exit, the gecertificeerde
#: instellingen for jeugdbescherming, the reclasseringsinstellingen (Reclassering Nederland,
#: SVG, Leger des Heils J&R are stichtingen) and bijzonder onderwijs. When in doubt a kind is
#: listed: the flag costs the designating official one statement.
PRIVATE_PARTICIPANT_KINDS = frozenset(
    {
        OrganisationKind.GGZ,
        OrganisationKind.WIJKTEAM,
        OrganisationKind.LSE_EXIT,
        OrganisationKind.JEUGDBESCHERMING,
        OrganisationKind.RECLASSERING,
        OrganisationKind.ONDERWIJS,
    }
)


def is_private_participant_kind(kind: str) -> bool:
    """Art. 12 lid 3: designations by an organisation of this kind state "no commercial tasks"."""
    return kind in PRIVATE_PARTICIPANT_KINDS


class Designation(models.Model):
    """One entry of the authorisation register (Wet PGA art. 12 lid 3, art. 13 lid 1).

    A person's own organisation designates them for the casusoverleg, for one purpose of
    art. 13 lid 1, from a date and optionally until one (inclusive). Access to Casustafel
    follows a designation valid today for the user's current organisation (ADR 0029).
    Recorded by the account administration (``casustafel designate``, as the schema owner);
    the application role only reads the register.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="designations", verbose_name=_("medewerker"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="designations", verbose_name=_("aanwijzende organisatie")
    )
    purpose = models.CharField(_("doel (art. 13 lid 1)"), max_length=30, choices=DesignationPurpose.choices)
    valid_from = models.DateField(_("aangewezen vanaf"))
    valid_until = models.DateField(_("aangewezen tot en met"), null=True, blank=True)
    designated_by = models.CharField(
        _("aangewezen door"), max_length=200, help_text=_("Naam en functie van de functionaris die aanwees.")
    )
    #: Art. 12 lid 3: stated for a designation by a private participant (required there).
    no_commercial_tasks = models.BooleanField(
        _("geen commerciële werkzaamheden voor de private deelnemer"), default=False
    )
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="designations_recorded",
        null=True,
        blank=True,
        verbose_name=_("vastgelegd door"),
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"))

    class Meta:
        verbose_name = _("aanwijzing")
        verbose_name_plural = _("aanwijzingen")
        ordering = ["-valid_from", "-recorded_at"]
        indexes = [models.Index(fields=["user", "valid_from"], name="designation_user_from")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=DesignationPurpose.values), name="designation_purpose_of_art13"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="designation_until_after_from",
            ),
            models.CheckConstraint(condition=~models.Q(designated_by=""), name="designation_designated_by_given"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.valid_from:%Y-%m-%d})"
