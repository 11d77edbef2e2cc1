"""Key rotation for encrypted columns (``casustafel keys ...``).

Procedure: put a new key in front of ``CASUSTAFEL_ENCRYPTION_KEYS`` (keep the old ones),
run ``casustafel keys rotate --to <fingerprint of the new key>``; every encrypted value is
re-encrypted under the new key in one transaction per table; then ``casustafel keys
check`` and finally remove the old key from the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from casustafel.core import identity

BATCH = 500


class KeyError_(Exception):  # noqa: N801, N818 - a CLI refusal, named after what it is about
    """A rotation that cannot be carried out (message in Dutch for the operator)."""


@dataclass
class RotationResult:
    table: str
    rotated: int


def configured_fingerprints() -> list[str]:
    return [identity.key_fingerprint(k) for k in settings.CASUSTAFEL_ENCRYPTION_KEYS]


def new_key() -> str:
    return Fernet.generate_key().decode()


def _encrypted_rows(model, fields):
    condition = Q()
    for field in fields:
        condition |= ~Q(**{field: ""})
    return model.objects.filter(condition)


def rotate(to_fingerprint: str) -> list[RotationResult]:
    """Re-encrypt every registered encrypted column under the key ``to_fingerprint``,
    which must be the first configured key. All or nothing per table."""
    fingerprints = configured_fingerprints()
    if to_fingerprint not in fingerprints:
        raise KeyError_(
            f"Sleutel {to_fingerprint} is niet geconfigureerd in CASUSTAFEL_ENCRYPTION_KEYS; er is niets gewijzigd."
        )
    if fingerprints[0] != to_fingerprint:
        raise KeyError_(
            f"Sleutel {to_fingerprint} staat niet vooraan in CASUSTAFEL_ENCRYPTION_KEYS "
            f"(vooraan staat {fingerprints[0]}); er is niets gewijzigd."
        )
    results = []
    for label, fields in identity.ENCRYPTED_FIELDS.items():
        model = apps.get_model(label)
        rotated = 0
        with transaction.atomic():
            rows = _encrypted_rows(model, fields).select_for_update().order_by("pk")
            batch = []
            for row in rows.iterator(chunk_size=BATCH):
                for field in fields:
                    value = getattr(row, field)
                    if value:
                        setattr(row, field, identity.rotate_token(value))
                batch.append(row)
                if len(batch) >= BATCH:
                    model.objects.bulk_update(batch, fields)
                    rotated += len(batch)
                    batch = []
            if batch:
                model.objects.bulk_update(batch, fields)
                rotated += len(batch)
        results.append(RotationResult(model._meta.db_table, rotated))
    return results


def check() -> dict[str, int]:
    """Count, per table, values NOT readable with the newest key (0 everywhere = done)."""
    stale = {}
    for label, fields in identity.ENCRYPTED_FIELDS.items():
        model = apps.get_model(label)
        count = 0
        for row in _encrypted_rows(model, fields).only("pk", *fields).iterator(chunk_size=BATCH):
            count += sum(1 for f in fields if getattr(row, f) and not identity.decrypts_with_primary(getattr(row, f)))
        stale[model._meta.db_table] = count
    return stale
