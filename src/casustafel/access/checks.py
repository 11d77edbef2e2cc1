"""System check: the application must not connect as a role that escapes row-level security."""

from django.conf import settings
from django.core.checks import Warning, register
from django.db import connection


@register("database")
def application_role_is_confined(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases or settings.DATABASE_ROLE != "app":
        return []
    superuser, bypass = _role_attributes()
    if superuser or bypass:
        return [
            Warning(
                "The application connects as a PostgreSQL role with SUPERUSER or BYPASSRLS; "
                "row-level security is not enforced.",
                hint="Set DATABASE_URL to a role without these attributes and DATABASE_OWNER_URL to the schema "
                "owner (ADR 0014).",
                id="casustafel.W001",
            )
        ]
    return []


def _role_attributes() -> tuple[bool, bool]:

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        return cursor.fetchone()
