"""Key material for sessions, field encryption and blind indexes.

A real deployment (``DATABASE_URL`` set) provides all three through the environment
(``DJANGO_SECRET_KEY``, ``CASUSTAFEL_ENCRYPTION_KEYS``, ``CASUSTAFEL_BLIND_INDEX_KEY``)
and does not start without them: keys silently generated into a data folder would be
lost with that folder, and with them every encrypted BSN. ``casustafel config keys``
prints fresh values.

With the embedded database (development) missing keys are generated once into
``<data dir>/keys.json`` (mode 0600), so a fresh machine needs nothing and a restart
keeps data readable.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import Cast, config

GROUP = "Sleutels"
_DEVELOPMENT_ONLY = "niet gezet: alleen met de ingebedde database gegenereerd in `<datamap>/keys.json`"


@dataclass(frozen=True)
class Keys:
    secret_key: str
    encryption_keys: list[str]
    blind_index_key: str


def _fernet_keys(raw: str) -> list[str]:
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    for key in keys:
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise ValueError("geen Fernet-sleutel")
    return keys


FERNET_KEYS: Cast[list[str]] = Cast("Fernet-sleutels, kommagescheiden, nieuwste eerst", _fernet_keys)


def generate_keys() -> Keys:
    """Fresh random values for all three (development keys, and `casustafel config keys`)."""
    return Keys(
        secret_key=secrets.token_urlsafe(50),
        encryption_keys=[base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()],
        blind_index_key=secrets.token_urlsafe(32),
    )


def _from_environment() -> tuple[str | None, list[str] | None, str | None]:
    secret_key = config(
        "DJANGO_SECRET_KEY",
        None,
        group=GROUP,
        secret=True,
        default_text=_DEVELOPMENT_ONLY,
        help_text="Django's geheime sleutel (ondertekent sessies en CSRF-tokens).",
    )
    encryption_keys = config(
        "CASUSTAFEL_ENCRYPTION_KEYS",
        None,
        cast=FERNET_KEYS,
        group=GROUP,
        secret=True,
        default_text=_DEVELOPMENT_ONLY,
        help_text="Sleutels voor de versleutelde velden (o.a. BSN), nieuwste eerst; oudere blijven "
        "leesbaar zodat sleutels geroteerd kunnen worden (`casustafel keys rotate`).",
    )
    blind_index_key = config(
        "CASUSTAFEL_BLIND_INDEX_KEY",
        None,
        group=GROUP,
        secret=True,
        default_text=_DEVELOPMENT_ONLY,
        help_text="Apart geheim voor de blinde index (persoon vinden op BSN of naam en geboortedatum); "
        "nooit gelijk aan een versleutelingssleutel.",
    )
    return secret_key, encryption_keys, blind_index_key


def _development_keys(data_dir: Path) -> Keys:
    path = data_dir / "keys.json"
    if path.exists():
        return Keys(**json.loads(path.read_text()))
    keys = generate_keys()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(asdict(keys), fh)
    return keys


def load_keys(data_dir: Path, *, development: bool) -> Keys:
    """The keys from the environment; only in ``development`` are missing ones taken from keys.json."""
    secret_key, encryption_keys, blind_index_key = _from_environment()
    missing = [
        name
        for name, value in (
            ("DJANGO_SECRET_KEY", secret_key),
            ("CASUSTAFEL_ENCRYPTION_KEYS", encryption_keys),
            ("CASUSTAFEL_BLIND_INDEX_KEY", blind_index_key),
        )
        if not value
    ]
    if missing and not development:
        # Names only: the message ends up in logs and terminals, key material never does.
        verb = "ontbreekt" if len(missing) == 1 else "ontbreken"
        raise ImproperlyConfigured(
            f"Casustafel start niet: DATABASE_URL is gezet (een echte installatie), maar {', '.join(missing)} "
            f"{verb}. Zonder ingebedde database maakt Casustafel geen sleutels aan; zet ze in de omgeving "
            f"(nieuwe waarden: `casustafel config keys`; zie docs/configuration.md)."
        )
    if missing:
        stored = _development_keys(data_dir)
        secret_key = secret_key or stored.secret_key
        encryption_keys = encryption_keys or stored.encryption_keys
        blind_index_key = blind_index_key or stored.blind_index_key
    if blind_index_key in (encryption_keys or []):
        # One leaked secret must not open both the encrypted values and the index over them.
        raise ImproperlyConfigured(
            "CASUSTAFEL_BLIND_INDEX_KEY mag niet gelijk zijn aan een van de CASUSTAFEL_ENCRYPTION_KEYS."
        )
    assert secret_key and encryption_keys and blind_index_key  # for the type checker: all three are set
    return Keys(secret_key=secret_key, encryption_keys=encryption_keys, blind_index_key=blind_index_key)
