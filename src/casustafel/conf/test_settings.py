"""Settings for the test suite: the test runner connects as the schema owner.

The owner creates the test database and migrates it, exactly as ``casustafel migrate``
does in production. Row-level security is FORCEd on every personal-data table, so the
owner is subject to the same policies as the application role; tests that check the
application role's own privileges connect as that role explicitly (tests/test_rls.py).

The test run is a command that needs a database: this module starts the embedded server
(in ``CASUSTAFEL_DATA_DIR``, ``.state-test`` under ``scripts/test``) unless
``DATABASE_URL`` points at your own PostgreSQL. It also supplies fixed, public test keys,
so the suite runs against an external database too, where the settings refuse to
generate keys; keys set in the environment take precedence.
"""

import os

from .database import ensure_database

#: Public test values, never secret and never for real data.
TEST_KEYS = {
    "DJANGO_SECRET_KEY": "casustafel-test-secret-key-public-never-use-for-real-data-0123456789",
    "CASUSTAFEL_ENCRYPTION_KEYS": "Y2FzdXN0YWZlbC10ZXN0LWVuY3J5cHRpb24ta2V5ISE=",
    "CASUSTAFEL_BLIND_INDEX_KEY": "casustafel-test-blind-index-key-public",
}

os.environ["CASUSTAFEL_DB_ROLE"] = "owner"
for _name, _value in TEST_KEYS.items():
    # In the environment, not only in these settings: `casustafel serve` started by a test
    # (tests/test_project.py) is a child process and must read the same keys.
    os.environ.setdefault(_name, _value)
# The test client speaks plain HTTP, also against your own PostgreSQL (DATABASE_URL set, where
# the HTTPS-only protections default on); tests of those protections switch them on themselves.
os.environ.setdefault("CASUSTAFEL_SSL_REDIRECT", "false")
os.environ.setdefault("CASUSTAFEL_SECURE_COOKIES", "false")
ensure_database()

from .settings import *  # noqa: E402,F403
from .settings import ALLOWED_HOSTS  # noqa: E402

# Django's test client's host name; never a host of a real installation.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
