"""Settings for the test suite: the test runner connects as the schema owner.

The owner creates the test database and migrates it, exactly as ``casustafel migrate``
does in production. Row-level security is FORCEd on every personal-data table, so the
owner is subject to the same policies as the application role; tests that check the
application role's own privileges connect as that role explicitly (tests/test_rls.py).
"""

import os

os.environ["CASUSTAFEL_DB_ROLE"] = "owner"

from .settings import *  # noqa: E402,F403
