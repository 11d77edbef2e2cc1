"""Row-level security: the database's own copy of the region rule (tweede verdedigingslinie).

``access.policy`` decides who may see what. This module makes PostgreSQL refuse the
same rows a second time, so that a selector that forgets its filter, a raw query or a
new report cannot cross a region boundary (ADR 0014):

* every table that holds personal data has ``ENABLE`` + ``FORCE ROW LEVEL SECURITY``
  and one policy ``casustafel_scope``: a row is visible and writable only when its
  region is in the connection's scope, ``current_setting('casustafel.regions')``
  (comma-separated region UUIDs). Child tables follow their parent row (``EXISTS`` on the
  parent, whose own policy applies), so a contribution is visible exactly when its
  weighing is. Without the setting the scope is empty and every such table is empty;
* the scope is set per unit of work: per web request and API call for the user's own
  region (:class:`ScopeMiddleware`, :func:`enter_request`), per job for the region it
  works on (:func:`regions`). Only two services widen it, each to the two regions a
  cross-region step involves: accepting a transfer, and the hit/no-hit check;
* the application role gets SELECT/INSERT/UPDATE/DELETE on every table, only
  SELECT/INSERT on models marked ``append_only = True`` (the processing log), and on the
  account tables (:data:`ACCOUNT_TABLES`) SELECT plus UPDATE of the columns logging in
  writes; it owns nothing, so it cannot alter or disable a policy or trigger.

The tables are declared once, below; ``tests/test_rls.py`` fails for a model in a
Casustafel app that is in neither :data:`REGION_TABLES`, :data:`CHILD_TABLES` nor
:data:`NOT_PERSONAL`.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection as default_connection
from django.db import connections
from psycopg.pq import TransactionStatus

from casustafel.accounts.models import AuthenticatorDevice, Region
from casustafel.conf.database import parse_database_url

SETTING = "casustafel.regions"
POLICY = "casustafel_scope"

#: Tables with their own region column(s): visible when any listed column is in scope.
REGION_TABLES: dict[str, tuple[str, ...]] = {
    "subjects.Subject": ("region",),
    "subjects.CrossRegionRequest": ("from_region", "to_region"),
    "signals.Signal": ("region",),
    "corrections.Correction": ("region",),
    "weighing.Weighing": ("region",),
    "cases.Case": ("region",),
    "cases.CaseTransfer": ("from_region", "to_region"),
    "governance.RestrictedDocument": ("region",),
    "governance.AccessRequest": ("region",),
    "governance.WithheldData": ("region",),
    "governance.PrivacyAudit": ("region",),
    "oversight.Advice": ("region",),
    "governance.RegionPrivacySettings": ("region",),
    "governance.RightsRequest": ("region",),
    "meetings.Meeting": ("region",),
    "partners.IdempotencyRecord": ("region",),
    "retention.LegalHold": ("region",),
    "retention.NecessityReview": ("region",),
    "retention.DestructionRun": ("region",),
    "meldpunt.PublicReport": ("region",),
    # No personal data by design (ADR 0043), but region-private: the region's own bottlenecks.
    "policy_signals.PolicySignal": ("region",),
    "imports.ImportedItem": ("region",),
}

#: Tables that follow a parent row: model → foreign key to the parent.
CHILD_TABLES: dict[str, str] = {
    "signals.SignalTransition": "signal",
    "weighing.Contribution": "weighing",
    "weighing.CriterionAssessment": "contribution",
    "corrections.CorrectionNotice": "correction",
    "weighing.Decision": "weighing",
    "weighing.DecisionConfirmation": "decision",
    "weighing.RegistrantNotice": "decision",
    "weighing.Consultation": "weighing",
    "cases.CaseParticipant": "case",
    "cases.CaseTransition": "case",
    "cases.TransferObjection": "transfer",
    "cases.LawfulnessReview": "case",
    "cases.BlockedCaseReuse": "case",
    "cases.ThirdPartyAdmission": "case",
    "cases.ThirdPartyConfirmation": "admission",
    "governance.InformingDecision": "case",
    "governance.Objection": "case",
    "governance.AuditPartResult": "audit",
    "governance.RestrictedDocument.designated_readers": "restricteddocument",
    "meetings.Invitation": "meeting",
    "meetings.AgendaItem": "meeting",
    "meetings.Decision": "item",
    "meetings.MeetingAction": "case",
    "plans.Plan": "case",
    "plans.Goal": "plan",
    "plans.Intervention": "plan",
    "plans.Contact": "intervention",
    "plans.Acknowledgement": "plan",
    "plans.CoordinationTask": "plan",
    "plans.Review": "plan",
    "plans.GoalScore": "review",
    "partners.PartnerRegistration": "signal",
    "plans.CheckIn": "case",
    "journal.JournalEntry": "case",
    "retention.DestructionItem": "run",
    "meldpunt.ReportAddition": "report",
}

#: Models of Casustafel apps without personal data of the persons in a PGA, and why.
NOT_PERSONAL: dict[str, str] = {
    "accounts.Region": "tafels (organisatiegegevens)",
    "national.ImportedAggregate": (
        "ondertekende regionale aggregaten (art. 24 Wet PGA): alleen gepubliceerde, onderdrukte cijfers "
        "per regio en jaar"
    ),
    "accounts.Organisation": "deelnemende organisaties",
    "accounts.User": "medewerkers; nodig om in te loggen, vóór er een regio bekend is",
    "accounts.User.groups": "Django-groepen van medewerkers (niet gebruikt)",
    "accounts.User.user_permissions": "Django-rechten van medewerkers (niet gebruikt)",
    "accounts.AuthenticatorDevice": "tweede factor van medewerkers (geheim versleuteld); nodig om in te loggen",
    "work.NotificationSettings": "meldingsvoorkeuren van medewerkers (welke soorten taken, hoe vaak)",
    "work.NotifiedItem": "welke taken een medewerker gemeld zijn: soort, kenmerk, link en termijn, geen inhoud",
    "work.OutgoingMail": "uitgaande meldingen aan medewerkers: alleen een kenmerk en een link, nooit inhoud",
    "accounts.ConfidentialityText": "geheimhoudingstekst art. 17 Wet PGA (regelgeving als data)",
    "accounts.ConfidentialityAcknowledgement": (
        "erkenning van de geheimhoudingsplicht door medewerkers; alleen aan te vullen (append_only)"
    ),
    "accounts.Designation": (
        "autorisatieregister art. 13 Wet PGA: aanwijzingen van medewerkers; nodig om in te loggen, vóór er een "
        "regio bekend is; alleen het accountbeheer schrijft (ACCOUNT_TABLES)"
    ),
    "partners.PartnerClient": "partnersystemen (clientgegevens van organisaties); alleen het beheer schrijft",
    "partners.ClientSecret": "SHA-256 van de geheimen van partnersystemen; alleen het beheer schrijft",
    "partners.WebhookSubscription": "webhookadressen van organisaties (geheim versleuteld)",
    "partners.WebhookDelivery": "webhookberichten: alleen kenmerken (UUID's), soort en moment, nooit inhoud",
    "partners.WebhookAttempt": "afleverpogingen van webhookberichten: moment, HTTP-status, fout",
    "weighing.CriteriaFramework": "wegingskader (regelgeving als data)",
    "weighing.Criterion": "wegingskader (regelgeving als data)",
    "governance.LegalBasisSet": "grondslagen (regelgeving als data)",
    "governance.LegalBasis": "grondslagen (regelgeving als data)",
    "plans.CatalogueVersion": "interventiecatalogus (regelgeving als data)",
    "plans.CatalogueEntry": "interventiecatalogus (regelgeving als data)",
    "plans.InterferenceRule": "interferentieregels (regelgeving als data)",
    "retention.RetentionSchedule": "bewaartermijnen (regelgeving als data)",
    "retention.DestructionStatistic": "anoniem statistisch spoor na vernietiging",
    "processing_log.ProcessingActivity": "register van verwerkingsactiviteiten",
    "processing_log.ProcessingLogEntry": (
        "pseudoniem (geen naam of BSN); de keten wordt over alle regio's geverifieerd en de FG "
        "bevraagt haar; alleen aan te vullen (append_only)"
    ),
    "processing_log.AuditRecord": "wie handelde (medewerker, organisatie); alleen aan te vullen (append_only)",
    "processing_log.LogLeaf": "bladnummer, logregelnummer en hash (ADR 0048); alleen aan te vullen (append_only)",
    "processing_log.MerkleNode": "hashes van de logboekboom (ADR 0048); alleen aan te vullen (append_only)",
    "processing_log.TreeHead": "ondertekende boomkoppen van het logboek (ADR 0048); alleen aan te vullen (append_only)",
    "processing_log.LogConsultation": (
        "raadpleging van het logboek: doel (art. 14 lid 2 Wet PGA), periode en welke zoekvelden, nooit hun "
        "waarden; alleen aan te vullen (append_only)"
    ),
    "meldpunt.GemeenteMeldpunt": "introductietekst en contactgegevens van het meldpunt van een gemeente",
    "meldpunt.SubmissionCounter": (
        "aantal verzendingen per tijdvak op het openbare meldpunt, per sleutel-gehasht adres (geen IP-adres)"
    ),
    "search.SearchRecord": (
        "zoekopdracht van een medewerker: welke soort zoekvelden en hoeveel resultaten, nooit de zoektermen; "
        "alleen aan te vullen (append_only)"
    ),
    "reporting.AnnualReport": (
        "jaarverslag art. 18 Wet PGA: jaar, status en de gepubliceerde, onderdrukte cijfers (nooit een persoon); "
        "wie het leest of wijzigt beslist access.policy, ook voor een gezamenlijk verslag van meerdere tafels"
    ),
    "reporting.AnnualReportRegion": "welke casustafels aan een jaarverslag meedoen en wie dat besloot",
    "reporting.Redaction": "weggelaten onderdeel van een jaarverslag met de reden (art. 18 lid 1 Wet PGA)",
}

#: Account tables: the application role reads them and updates only these columns, the
#: ones logging in writes (``last_login``; ``password`` when Django upgrades a hash at
#: login; a second-factor verification's counters). Creating an account, moving a user to
#: another organisation or role, granting rights and setting a second factor are
#: administration, done as the owner (``casustafel demo``, ``casustafel keys``; ADR 0018).
ACCOUNT_TABLES: dict[str, tuple[str, ...]] = {
    "accounts.Region": (),
    "accounts.Organisation": (),
    "accounts.User": ("last_login", "password"),
    "accounts.User.groups": (),
    "accounts.User.user_permissions": (),
    "accounts.AuthenticatorDevice": AuthenticatorDevice.VERIFICATION_FIELDS,
    "partners.PartnerClient": (),
    "partners.ClientSecret": (),
    "accounts.Designation": (),
}


# ---------------------------------------------------------------- scope at run time


def _format(region_ids) -> str:
    return ",".join(sorted({str(uuid.UUID(str(r))) for r in region_ids if r is not None}))


def _swap(value: str, using=None) -> str:
    """Set the scope for this connection's session; return the previous one (one round trip)."""
    conn = using or default_connection
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true), set_config(%s, %s, false)", [SETTING, SETTING, value])
        return cursor.fetchone()[0] or ""


def _restore(previous: str, using=None) -> None:
    conn = using or default_connection
    raw = conn.connection
    if raw is None or raw.closed:
        return  # a new connection starts with an empty scope anyway

    if raw.info.transaction_status == TransactionStatus.INERROR:
        return  # the rollback that follows restores the value set before the transaction
    _swap(previous, conn)


def current() -> list[str]:
    """The region ids in this connection's scope."""
    with default_connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        value = cursor.fetchone()[0] or ""
    return [v for v in value.split(",") if v]


@contextmanager
def regions(*region_ids, using=None):
    """Work on exactly these regions' rows, then restore the previous scope (``using``: another
    connection than the default, e.g. the reporting replica's, ADR 0053)."""
    previous = _swap(_format(region_ids), using)
    try:
        yield
    finally:
        _restore(previous, using)


def _all_region_ids():

    return Region.objects.values_list("pk", flat=True)


@contextmanager
def all_regions():
    """Every region, for a block that must see across tables (key rotation, the hit/no-hit check)."""
    with regions(*_all_region_ids()):
        yield


def extend(*region_ids) -> None:
    """Add regions to this session's scope (the test harness, for the regions a test builds)."""
    _swap(_format([*current(), *region_ids]))


def reset() -> None:
    """Empty this session's scope, if the connection is open and usable."""
    _restore("")


def enter_system_scope() -> None:
    """For a short-lived command-line job over every table (``casustafel retention``):
    every region, for the rest of this process's session."""
    _swap(_format(_all_region_ids()))


def exists_in_any_region(model, pk) -> bool:
    """Whether the object exists at all, for logging a refused access to it (yes/no only)."""
    with all_regions():
        return model._default_manager.filter(pk=pk).exists()


_REQUEST_ATTR = "_casustafel_scope_before_request"


def enter_request(user) -> None:
    """Scope the rest of this request to ``user``'s region (web session or API token)."""
    conn = default_connection
    value = _format([getattr(user, "region_id", None)])
    previous = _swap(value)
    if not hasattr(conn, _REQUEST_ATTR):
        setattr(conn, _REQUEST_ATTR, previous)


def leave_request() -> None:
    conn = default_connection
    if hasattr(conn, _REQUEST_ATTR):
        previous = getattr(conn, _REQUEST_ATTR)
        delattr(conn, _REQUEST_ATTR)
        try:
            _restore(previous)
        except Exception:  # noqa: BLE001 - a connection we cannot reset must not be reused
            conn.close()


class ScopeMiddleware:
    """Sets the database scope to the signed-in user's region for the request, resets it after.

    The setting is session-level for the length of the request (not ``SET LOCAL``):
    requests run in autocommit, and a refused read is logged in its own transaction.
    API requests authenticate inside the view; their authentication class calls
    :func:`enter_request`, and this middleware resets the scope for them too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        try:
            if user is not None and user.is_authenticated:
                enter_request(user)
            return self.get_response(request)
        finally:
            leave_request()


# ---------------------------------------------------------------- installation


def _table(label: str) -> tuple[str, Any]:
    """``app.Model`` or, for a many-to-many table, ``app.Model.field``: (db table, model)."""
    app_label, model_name, *m2m = label.split(".")
    model = apps.get_model(app_label, model_name)
    if m2m:
        model = model._meta.get_field(m2m[0]).remote_field.through
    return model._meta.db_table, model


def _column(model, field_name: str) -> str:
    return model._meta.get_field(field_name).column


def policy_expression(label: str) -> str:
    """The USING / WITH CHECK expression of ``label``'s policy."""
    table, model = _table(label)
    if label in REGION_TABLES:
        # A scalar subquery (an InitPlan): the scope is computed once per statement, not per row.
        scope = "(SELECT casustafel_scope())::uuid[]"
        return " OR ".join(f"{_column(model, f)} = ANY ({scope})" for f in REGION_TABLES[label])
    field = model._meta.get_field(CHILD_TABLES[label])
    parent = field.related_model._meta.db_table
    return f"EXISTS (SELECT 1 FROM {parent} p WHERE p.id = {table}.{field.column})"


def protected_tables() -> list[str]:
    return [_table(label)[0] for label in [*REGION_TABLES, *CHILD_TABLES]]


def append_only_tables() -> list[str]:
    return sorted(m._meta.db_table for m in apps.get_models() if getattr(m, "append_only", False))


_SCOPE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION casustafel_scope() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_to_array(nullif(current_setting('{SETTING}', true), ''), ',')::uuid[], '{{}}'::uuid[])
$$;
"""


def app_role() -> str | None:
    """The application role that receives the grants (``None`` when it is the connecting role)."""

    user = parse_database_url(settings.CASUSTAFEL_APP_DATABASE_URL or "")["USER"]
    return user or None


def install(using="default") -> None:
    """Create or refresh every policy and grant (idempotent; run after each migrate)."""

    conn = connections[using]
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        cursor.execute(_SCOPE_FUNCTION)
        cursor.execute(
            "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity, obj_description(p.oid, 'pg_policy') "
            "FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = %s "
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'",
            [POLICY],
        )
        installed = {name: (forced, comment) for name, forced, comment in cursor.fetchall()}
        for label in [*REGION_TABLES, *CHILD_TABLES]:
            table, _model = _table(label)
            if table not in existing:
                continue  # a partial migrate; the policy follows on the migrate that creates it
            expression = policy_expression(label)
            if installed.get(table) == (True, expression):
                continue  # in place (and no DDL: a migrate inside a busy transaction stays possible)
            cursor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
            cursor.execute(f"CREATE POLICY {POLICY} ON {table} USING ({expression}) WITH CHECK ({expression})")
            cursor.execute(f"COMMENT ON POLICY {POLICY} ON {table} IS %s", [expression])
        role = app_role()
        cursor.execute("SELECT current_user")
        if role and role != cursor.fetchone()[0]:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                _grant(cursor, role, existing)


def _grant(cursor, role: str, existing: set[str]) -> None:
    quoted = '"' + role.replace('"', '""') + '"'
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
    cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {quoted}")
    for table in append_only_tables():
        cursor.execute(f"REVOKE UPDATE, DELETE ON {table} FROM {quoted}")
    # Partitions (the log by month, ADR 0049) are reached through their parent only.
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent IN (SELECT to_regclass(t) FROM unnest(%s::text[]) t)",
        [append_only_tables()],
    )
    for (partition,) in cursor.fetchall():
        cursor.execute(f'REVOKE ALL ON "{partition}" FROM {quoted}')
    for label, columns in ACCOUNT_TABLES.items():
        table, model = _table(label)
        if table not in existing:
            continue  # a partial migrate; the grant follows on the migrate that creates it
        # Revoking the table-level UPDATE also drops earlier column grants: always in step.
        cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {quoted}")
        if columns:
            granted = ", ".join(_column(model, c) for c in columns)
            cursor.execute(f"GRANT UPDATE ({granted}) ON {table} TO {quoted}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    cursor.execute(f"GRANT EXECUTE ON FUNCTION casustafel_scope() TO {quoted}")


def install_after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` handler (connected once, for the access app)."""
    install(using)


def migration_scope_all_regions(schema_editor) -> None:
    """For data migrations (run as the owner, who is subject to FORCEd policies too):
    every region in scope for the rest of the migration's transaction."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT set_config('{SETTING}', coalesce(string_agg(id::text, ','), ''), true) FROM accounts_region"
        )
