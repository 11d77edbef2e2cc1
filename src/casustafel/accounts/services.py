"""Account services: second factor and API tokens."""

from __future__ import annotations

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from .models import User


@transaction.atomic
def ensure_totp_device(user: User, *, key_hex: str | None = None) -> TOTPDevice:
    """Give the user a confirmed TOTP device (every account has a mandatory second factor)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        kwargs = {"key": key_hex} if key_hex else {}
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, **kwargs)
    return device


def current_totp(user: User) -> str:
    """The current code of a demo account's device (``casustafel totp``)."""

    if not user.is_demo:
        raise PermissionError("Alleen voor demo-accounts.")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def create_api_token(user: User) -> str:
    """Issue a personal API token bound to this natural person; only its hash is stored."""

    if not user.is_active or not user.organisation_id or not user.role:
        raise ValueError("Alleen actieve gebruikers met organisatie en rol krijgen een token.")
    _instance, token = AuthToken.objects.create(user=user)
    return token
