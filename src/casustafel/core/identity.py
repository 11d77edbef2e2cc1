"""Identity helpers: BSN validation (elfproef), field encryption and keyed blind indexes.

The BSN is stored encrypted (Fernet, several keys for rotation) and found through a
keyed HMAC blind index whose key is separate from the encryption key (ADR 0004).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def is_valid_bsn(value: str) -> bool:
    """The elfproef: 9 digits, weights 9..2 and -1, sum divisible by 11, not all zero."""
    if len(value) != 9 or not (value.isascii() and value.isdigit()) or value == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(value[:8], range(9, 1, -1), strict=True)) - int(value[8])
    return total % 11 == 0


def is_valid_rsin(value: str) -> bool:
    """An RSIN (legal person's number) passes the same elfproef as the BSN."""
    return is_valid_bsn(value)


def is_valid_kvk_number(value: str) -> bool:
    """A KvK number: 8 digits (the Handelsregister gives it no check digit), not all zero."""
    return len(value) == 8 and value.isascii() and value.isdigit() and value != "00000000"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(plaintext: str) -> str:
    return _fernet(tuple(settings.CASUSTAFEL_ENCRYPTION_KEYS)).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(tuple(settings.CASUSTAFEL_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()


def blind_index(purpose: str, value: str) -> str:
    """Keyed hash of ``value`` for equality search; ``purpose`` separates index domains."""
    key = settings.CASUSTAFEL_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if c.isalnum())
    return letters.casefold()


def bsn_index(bsn: str) -> str:
    return blind_index("bsn", bsn)


def kvk_index(kvk_number: str) -> str:
    return blind_index("kvk", kvk_number)


def rsin_index(rsin: str) -> str:
    return blind_index("rsin", rsin)


def organisation_index(name: str, place: str) -> str:
    """Index of a legal person's name + place of establishment, for the check without numbers."""
    return blind_index("org-name-place", f"{normalise_name(name)}|{normalise_name(place)}")


def identity_index(given_names: str, family_name: str, date_of_birth: date) -> str:
    """Index of name + date of birth, for the known-person check without a BSN."""
    return blind_index(
        "name-dob", f"{normalise_name(given_names)}|{normalise_name(family_name)}|{date_of_birth.isoformat()}"
    )


# ---------------------------------------------------------------- key rotation

#: Encrypted columns, as "app_label.Model" → field names. Apps that store encrypted
#: values register them here so ``casustafel keys rotate`` re-encrypts every one.
ENCRYPTED_FIELDS: dict[str, tuple[str, ...]] = {"subjects.Subject": ("bsn_encrypted",)}


def register_encrypted_field(model_label: str, *fields: str) -> None:
    ENCRYPTED_FIELDS[model_label] = tuple(dict.fromkeys(ENCRYPTED_FIELDS.get(model_label, ()) + fields))


def key_fingerprint(key: str) -> str:
    """A short, non-secret name for a key (so keys are never printed or logged)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def rotate_token(token: str) -> str:
    """Re-encrypt a value under the newest key (any configured key may have encrypted it)."""
    return _fernet(tuple(settings.CASUSTAFEL_ENCRYPTION_KEYS)).rotate(token.encode()).decode()


def decrypts_with_primary(token: str) -> bool:

    try:
        Fernet(settings.CASUSTAFEL_ENCRYPTION_KEYS[0].encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True
