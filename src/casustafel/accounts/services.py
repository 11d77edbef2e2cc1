"""Account services: second factor and API tokens."""

from __future__ import annotations

from django.db import transaction
from knox.models import AuthToken

from casustafel.core import identity

from .models import AuthenticatorDevice, User


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
