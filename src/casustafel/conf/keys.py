"""Key material for field encryption and blind indexes.

Production provides the keys through environment variables:

* ``CASUSTAFEL_ENCRYPTION_KEYS`` — comma-separated Fernet keys, newest first; older
  keys stay readable so keys can be rotated.
* ``CASUSTAFEL_BLIND_INDEX_KEY`` — a separate secret for the keyed hashes used to
  find a person by BSN or by name and date of birth (never the encryption key).
* ``DJANGO_SECRET_KEY``.

On a developer machine, when they are unset, random keys are generated once into
``<data dir>/keys.json`` (mode 0600) so a restart keeps data readable.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def _generate() -> dict:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "encryption_keys": [base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()],
        "blind_index_key": secrets.token_urlsafe(32),
    }


def load_keys(data_dir: Path) -> dict:
    path = data_dir / "keys.json"
    if path.exists():
        stored = json.loads(path.read_text())
    else:
        stored = _generate()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(stored, fh)
    env_enc = os.environ.get("CASUSTAFEL_ENCRYPTION_KEYS")
    return {
        "secret_key": os.environ.get("DJANGO_SECRET_KEY") or stored["secret_key"],
        "encryption_keys": (
            [k.strip() for k in env_enc.split(",") if k.strip()] if env_enc else stored["encryption_keys"]
        ),
        "blind_index_key": os.environ.get("CASUSTAFEL_BLIND_INDEX_KEY") or stored["blind_index_key"],
    }
