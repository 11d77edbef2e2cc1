"""Human-readable reference numbers without personal data (e.g. ``SIG-2026-7K3Q9X``)."""

import secrets

from django.utils import timezone

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def new_reference(prefix: str) -> str:
    token = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"{prefix}-{timezone.now().year}-{token}"
