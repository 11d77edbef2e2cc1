"""Database backend for settings imported without a known server (DATABASE_URL unset).

Importing the settings starts no PostgreSQL (the commands that need one do, through
``casustafel.conf.database.ensure_database``). Code that imports the settings some other
way and then queries gets this message instead of a connection attempt to a default
socket or Django's generic "supply the ENGINE value".
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.dummy import base as dummy

MESSAGE = (
    "Geen database: DATABASE_URL is niet gezet en de ingebedde PostgreSQL is niet gestart. "
    "Gebruik een casustafel-opdracht (serve, migrate, demo, manage …), die de ingebedde server "
    "start, of zet DATABASE_URL (zie docs/configuration.md)."
)


def complain(*args: object, **kwargs: object) -> NoReturn:
    raise ImproperlyConfigured(MESSAGE)


class DatabaseOperations(dummy.DatabaseOperations):
    quote_name = complain


class DatabaseClient(dummy.DatabaseClient):
    runshell = complain


class DatabaseIntrospection(dummy.DatabaseIntrospection):
    get_table_list = complain
    get_table_description = complain
    get_relations = complain
    get_indexes = complain


class DatabaseWrapper(dummy.DatabaseWrapper):
    vendor = "unstarted"
    display_name = "geen (server niet gestart)"
    _cursor = complain
    ensure_connection = complain
    _commit = complain
    _savepoint_commit = complain
    _set_autocommit = complain
    client_class = DatabaseClient
    introspection_class = DatabaseIntrospection
    ops_class = DatabaseOperations
