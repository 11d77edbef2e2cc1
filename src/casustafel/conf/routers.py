"""The reporting replica: aggregate report reads on a PostgreSQL streaming replica (ADR 0053).

With ``DATABASE_REPLICA_URL`` set, the settings add a second database alias,
:data:`REPORTING`, pointing at a hot-standby replica of the one database (same roles, same
row-level-security policies: a physical copy). :class:`ReportingRouter` then sends the reads
made inside :func:`reporting_reads` there — the counting of the protected cubes every
report is composed from (``reporting.cube.protected_year``: the council report, the annual
report, the insight monitor, the national aggregate) — and everything else, every write
included, to ``default``. Without the URL there is no second alias and the router decides
nothing: everything runs on ``default``, as before.

Row-level security (ADR 0014) applies on the replica as on the primary: the scope is the
session setting ``casustafel.regions``, which a hot standby accepts like any other session
setting. :func:`reporting_reads` takes the regions to read and sets exactly that scope on
the replica connection (``rls.regions(..., using=)``, handed in as ``scope``), restoring
the previous one afterwards — so the replica is never read wider than the primary would be.

A replica lags the primary by the time its WAL takes to arrive and be replayed (normally
well under a second; see docs/operations.md, "Groei naar een landelijke inzet"): a report
may miss a change made that instant. Reports are aggregates over quarters and years;
nothing is written from what the replica returns.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

#: The database alias of the reporting replica (present only when a replica URL is configured).
REPORTING = "reporting"

_reporting: contextvars.ContextVar[bool] = contextvars.ContextVar("casustafel_reporting_reads", default=False)


def replica_configured() -> bool:
    return REPORTING in connections.settings


@contextmanager
def reporting_reads(*region_ids, scope: Callable[..., AbstractContextManager]) -> Iterator[str]:
    """Reads in this block go to the reporting replica, scoped to ``region_ids`` (ADR 0014).

    ``scope`` is :func:`casustafel.access.rls.regions` (handed in: ``access`` sits above
    ``conf`` in the layering); it is entered with ``using=`` the replica's connection. Yields
    the alias the reads use: :data:`REPORTING`, or ``default`` when no replica is configured
    (then this is a no-op; the caller has set the scope on ``default``)."""
    if not replica_configured():
        yield DEFAULT_DB_ALIAS
        return
    token = _reporting.set(True)
    try:
        with scope(*region_ids, using=connections[REPORTING]):
            yield REPORTING
    finally:
        _reporting.reset(token)


class ReportingRouter:
    """``reporting`` for reads inside :func:`reporting_reads`; ``default`` for everything else.

    Explicit ``default`` (rather than no opinion) also outside the block, so that an object
    read from the replica is written, and its relations read, on the primary."""

    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        return REPORTING if _reporting.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPORTING}:
            return True  # one database: the replica is a copy of the primary
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPORTING else None
