"""The Ed25519 key of the processing log's tree heads (ADR 0048).

Only the sequencer reads the private key, from the file named by
``CASUSTAFEL_LOG_SIGNING_KEY_FILE`` (the settings hold the path, never the key); with the
default path a fresh key is generated on first use (mode 0600) and its public key written
next to it (``.pub``). ``casustafel log verify`` checks heads with
``CASUSTAFEL_LOG_PUBLIC_KEY`` or, unset, that ``.pub`` file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

#: What a head signature covers (before the size, root and time).
DOMAIN = "casustafel-log-v3"


class LogKeyError(ValueError):
    """A missing or malformed key; the message (Dutch) names the file or variable, never the key."""


def head_text(tree_size: int, root_hex: str, timestamp: str) -> bytes:
    return f"{DOMAIN}\n{tree_size}\n{root_hex}\n{timestamp}".encode("ascii")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def _public_path(path: Path) -> Path:
    return path.with_name(path.name + ".pub")


def write_key_pair(path: Path) -> str:
    """A new key pair: the private key into ``path`` (0600, refused when it exists), the public key
    beside it. Returns the public key (base64)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(private).decode() + "\n")
    public = base64.b64encode(_raw_public(key.public_key())).decode()
    _public_path(path).write_text(public + "\n", encoding="ascii")
    return public


def _default_path() -> Path:
    return Path(settings.DATA_DIR) / "log-signing.key"


def load_signing_key() -> Ed25519PrivateKey:
    """The private key (sequencer only); generated on first use at the default path."""
    path = Path(settings.CASUSTAFEL_LOG_SIGNING_KEY_FILE)
    if not path.exists():
        if path != _default_path():
            raise LogKeyError(
                f"Het sleutelbestand van het logboek ({path}) bestaat niet (CASUSTAFEL_LOG_SIGNING_KEY_FILE). "
                "Maak het met `casustafel log keygen`."
            )
        with contextlib.suppress(FileExistsError):  # another sequencer start made it meanwhile
            write_key_pair(path)
    try:
        raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise LogKeyError(
            f"Het sleutelbestand van het logboek ({path}) bevat geen geldige Ed25519-sleutel (base64, 32 bytes)."
        ) from None


def public_key_raw() -> bytes | None:
    """The configured public key, or the one beside the key file; None when neither exists."""
    configured = settings.CASUSTAFEL_LOG_PUBLIC_KEY
    text = configured
    if not text:
        public_path = _public_path(Path(settings.CASUSTAFEL_LOG_SIGNING_KEY_FILE))
        if not public_path.exists():
            return None
        text = public_path.read_text(encoding="ascii")
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise LogKeyError("De publieke sleutel van het logboek (CASUSTAFEL_LOG_PUBLIC_KEY) is ongeldig.") from None
    return raw


def sign(key: Ed25519PrivateKey, tree_size: int, root_hex: str, timestamp: str) -> tuple[str, str]:
    """(signature base64, key id) of one head."""
    signature = key.sign(head_text(tree_size, root_hex, timestamp))
    return base64.b64encode(signature).decode(), key_id(_raw_public(key.public_key()))


def verify(public_raw: bytes, tree_size: int, root_hex: str, timestamp: str, signature_b64: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(
            base64.b64decode(signature_b64, validate=True), head_text(tree_size, root_hex, timestamp)
        )
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
