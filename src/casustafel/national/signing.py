"""Ed25519 keys and signatures of aggregate files (ADR 0043).

A region signs its file with its private key (``CASUSTAFEL_AGGREGATE_SIGNING_KEY``); the
national instance trusts the public keys it is configured with, per region code
(``CASUSTAFEL_AGGREGATE_TRUSTED_KEYS``: ``CODE=base64,...``). The signature covers the
canonical JSON of everything in the file except the signature itself."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ALGORITHM = "Ed25519"


class SigningKeyError(ValueError):
    """A key that is missing or malformed; the message (Dutch) names the variable, never the key."""


def canonical(payload: dict) -> bytes:
    """The bytes that are signed: sorted keys, no whitespace, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public_b64: str) -> str:
    """A short, stable name of a public key (sha256 of the raw key, hex, 16 characters)."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


@dataclass(frozen=True)
class KeyPair:
    private_b64: str
    public_b64: str


def generate() -> KeyPair:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return KeyPair(base64.b64encode(private).decode(), base64.b64encode(_raw_public(key.public_key())).decode())


def _decode(raw: str, size: int) -> bytes:
    try:
        value = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SigningKeyError("geen base64") from None
    if len(value) != size:
        raise SigningKeyError(f"verwacht {size} bytes")
    return value


def signing_key() -> Ed25519PrivateKey:
    raw = settings.CASUSTAFEL_AGGREGATE_SIGNING_KEY
    if not raw:
        raise SigningKeyError(
            "Er is geen ondertekensleutel ingesteld (CASUSTAFEL_AGGREGATE_SIGNING_KEY). "
            "Maak er een met `casustafel report keygen`."
        )
    try:
        return Ed25519PrivateKey.from_private_bytes(_decode(raw, 32))
    except SigningKeyError:
        raise SigningKeyError(
            "CASUSTAFEL_AGGREGATE_SIGNING_KEY is geen geldige Ed25519-sleutel (base64, 32 bytes)."
        ) from None


def trusted_keys() -> dict[str, set[str]]:
    """Region code → the base64 public keys trusted for it on this (national) instance."""
    trusted: dict[str, set[str]] = {}
    for entry in settings.CASUSTAFEL_AGGREGATE_TRUSTED_KEYS:
        code, sep, key = entry.partition("=")
        if not sep or not code.strip():
            raise SigningKeyError(
                "CASUSTAFEL_AGGREGATE_TRUSTED_KEYS: verwacht REGIOCODE=publieke-sleutel, kommagescheiden."
            )
        try:
            _decode(key, 32)
        except SigningKeyError:
            raise SigningKeyError(
                f"CASUSTAFEL_AGGREGATE_TRUSTED_KEYS: de sleutel voor regio {code.strip()} is geen geldige "
                "publieke Ed25519-sleutel."
            ) from None
        trusted.setdefault(code.strip(), set()).add(key.strip())
    return trusted


def sign(payload: dict) -> dict:
    key = signing_key()
    public_b64 = base64.b64encode(_raw_public(key.public_key())).decode()
    return {
        "algorithm": ALGORITHM,
        "public_key": public_b64,
        "key_id": fingerprint(public_b64),
        "value": base64.b64encode(key.sign(canonical(payload))).decode(),
    }


def verify(payload: dict, signature: dict) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(_decode(str(signature["public_key"]), 32))
        public.verify(_decode(str(signature["value"]), 64), canonical(payload))
    except (KeyError, TypeError, SigningKeyError, InvalidSignature, ValueError):
        return False
    return True
