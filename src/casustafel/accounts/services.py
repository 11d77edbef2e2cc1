"""Account services: second factor, API tokens, the confidentiality acknowledgement and the
authorisation register."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from casustafel.core import identity

from .models import (
    AuthenticatorDevice,
    ConfidentialityAcknowledgement,
    Designation,
    DesignationPurpose,
    User,
    is_private_participant_kind,
)
from .selectors import confidentiality_text_in_force


@transaction.atomic
def ensure_totp_device(user: User, *, key_hex: str | None = None) -> AuthenticatorDevice:
    """Give the user a confirmed TOTP device (every account has a mandatory second factor).

    ``key_hex`` is a secret the authenticator app already holds; it is stored encrypted,
    like the random one otherwise generated.
    """
    if key_hex:
        bytes.fromhex(key_hex)  # ValueError for anything but a hex-encoded secret
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        kwargs = {"key_encrypted": identity.encrypt(key_hex)} if key_hex else {}
        device = AuthenticatorDevice.objects.create(user=user, name="authenticator", confirmed=True, **kwargs)
    return device


def current_totp(user: User) -> str:
    """The current code of a demo account's device (``casustafel totp``)."""

    if not user.is_demo:
        raise PermissionError("Alleen voor demo-accounts.")
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    return f"{device.totp().token():0{device.digits}d}"


def create_api_token(user: User) -> str:
    """Issue a personal API token bound to this natural person; only its hash is stored."""

    if not user.is_active or not user.organisation_id or not user.role:
        raise ValueError("Alleen actieve gebruikers met organisatie en rol krijgen een token.")
    _instance, token = AuthToken.objects.create(user=user)
    return token


@transaction.atomic
def acknowledge_confidentiality(actor: User, *, version: int) -> ConfidentialityAcknowledgement:
    """Record that ``actor`` acknowledges the confidentiality duty of Wet PGA art. 17.

    ``version`` is the version of the text the user read; it must be the one in force, so an
    acknowledgement always names the text that was shown. Kept as a new row (append-only):
    who, which version, when.
    """
    if actor.has_other_secrecy_duty:
        raise ValidationError(
            _("U heeft al een geheimhoudingsplicht uit ambt, beroep of wettelijk voorschrift; erkennen is niet nodig.")
        )
    text = confidentiality_text_in_force()
    if text is None or text.version != version:
        raise ValidationError(
            {"version": _("De tekst over geheimhouding is gewijzigd. Lees de nieuwe tekst en bevestig opnieuw.")}
        )
    return ConfidentialityAcknowledgement.objects.create(user=actor, text=text, acknowledged_at=timezone.now())


@transaction.atomic
def designate(
    actor: User | None,
    *,
    user: User,
    purpose: str,
    valid_from: date,
    valid_until: date | None = None,
    designated_by: str,
    no_commercial_tasks: bool = False,
) -> Designation:
    """Record that ``user``'s own organisation designates them for the casusoverleg (Wet PGA
    art. 12 lid 3, art. 13 lid 1), for one purpose of art. 13 lid 1, from ``valid_from``
    until ``valid_until`` (inclusive; open when ``None``), by the official ``designated_by``
    (name and function).

    ``actor``: the account administrator recording it (``None`` from the command line, which
    runs as the schema owner: the application role may not write the register, ADR 0018).
    A private participant designates only persons without commercial tasks for it (art. 12
    lid 3): ``no_commercial_tasks`` must be stated. Refused as a whole, nothing written.
    """
    errors: dict[str, str] = {}
    locked = User.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=user.pk)
    organisation = locked.organisation
    if organisation is None:
        errors["user"] = _("Deze medewerker hoort bij geen organisatie; alleen de eigen organisatie wijst aan.")
    if purpose not in DesignationPurpose.values:
        errors["purpose"] = _(
            "Kies een doel dat artikel 13 lid 1 Wet PGA toestaat: uitvoering van de gegevensverwerking, "
            "toetsing op rechtmatigheid, of onderhoud of ondersteuning van de systemen."
        )
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("De einddatum ligt vóór de begindatum.")
    designated_by = (designated_by or "").strip()
    if not designated_by:
        errors["designated_by"] = _("Vul naam en functie in van de functionaris die aanwijst.")
    elif len(designated_by) > 200:
        errors["designated_by"] = _("Naam en functie zijn samen ten hoogste 200 tekens.")
    if organisation is not None and is_private_participant_kind(organisation.kind) and not no_commercial_tasks:
        errors["no_commercial_tasks"] = _(
            "Een private deelnemer wijst alleen personen aan die geen commerciële werkzaamheden voor "
            "haar verrichten (art. 12 lid 3 Wet PGA). Bevestig dat dit voor deze persoon geldt."
        )
    if errors or organisation is None:
        raise ValidationError(errors)
    return Designation.objects.create(
        user=locked,
        organisation=organisation,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        designated_by=designated_by,
        no_commercial_tasks=no_commercial_tasks,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
