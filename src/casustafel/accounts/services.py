"""Account services: second factor, API tokens and the confidentiality acknowledgement."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from casustafel.core import identity

from .models import AuthenticatorDevice, ConfidentialityAcknowledgement, User
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
