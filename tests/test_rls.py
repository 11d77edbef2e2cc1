"""Row-level security and the application role: the database as second line (ADR 0014)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.test import Client, RequestFactory

from casustafel.access import checks, rls
from casustafel.accounts.models import User
from casustafel.cases.models import Case
from casustafel.conf.database import parse_database_url
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject

from .conftest import make_case


def _casustafel_app_labels() -> set[str]:
    """Every app of the project (a new app is covered without being listed here)."""
    return {config.label for config in apps.get_app_configs() if config.name.startswith("casustafel.")}


def _labels_of_casustafel_models() -> set[str]:
    labels = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in _casustafel_app_labels():
            continue
        if model._meta.auto_created:  # a many-to-many table: app.Model.field
            owner = model._meta.auto_created
            field = next(f.name for f in owner._meta.many_to_many if f.remote_field.through is model)
            labels.add(f"{owner._meta.label}.{field}")
        else:
            labels.add(model._meta.label)
    return labels


def test_every_model_is_either_protected_or_declared_not_personal():
    declared = [*rls.REGION_TABLES, *rls.CHILD_TABLES, *rls.NOT_PERSONAL]
    assert len(declared) == len(set(declared)), "a model is declared twice"
    models = _labels_of_casustafel_models()
    assert sorted(models - set(declared)) == [], "add these to REGION_TABLES, CHILD_TABLES or NOT_PERSONAL"
    assert sorted(set(declared) - models) == [], "declared but not a model"


@pytest.mark.django_db
def test_row_level_security_is_enabled_and_forced_on_every_personal_data_table():
    tables = rls.protected_tables()
    assert len(tables) == len(rls.REGION_TABLES) + len(rls.CHILD_TABLES) > 30
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s) AND relkind = 'r'",
            [tables],
        )
        flags = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = %s", [rls.POLICY])
        with_policy = {row[0] for row in cursor.fetchall()}
    assert flags == dict.fromkeys(tables, (True, True))
    assert with_policy == set(tables)


def _app_connection():
    """A direct connection to the test database as the application role."""
    url = settings.CASUSTAFEL_APP_DATABASE_URL
    return psycopg.connect(url, dbname=connection.settings_dict["NAME"], autocommit=True)


def test_application_role_is_neither_superuser_nor_bypassrls_and_differs_from_owner():
    app_user = parse_database_url(settings.CASUSTAFEL_APP_DATABASE_URL)["USER"]
    assert app_user and app_user != connection.settings_dict["USER"]
    with psycopg.connect(settings.CASUSTAFEL_APP_DATABASE_URL) as conn:
        superuser, bypass = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert (superuser, bypass) == (False, False)


@pytest.mark.django_db
def test_migrations_ran_as_the_owner_and_the_application_role_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        owners = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        owner_attributes = cursor.fetchone()
    assert owners == {connection.settings_dict["USER"]}
    assert owner_attributes == (False, False), "the owner must be subject to the FORCEd policies too"


@pytest.mark.django_db
def test_application_role_privileges_table_by_table():
    append_only = set(rls.append_only_tables())
    assert {"processing_log_processinglogentry", "processing_log_auditrecord"} <= append_only
    role = rls.app_role()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, has_table_privilege(%s, tablename, 'SELECT'), has_table_privilege(%s, tablename, "
            "'INSERT'), has_table_privilege(%s, tablename, 'UPDATE'), has_table_privilege(%s, tablename, 'DELETE'),"
            " has_table_privilege(%s, tablename, 'TRUNCATE') FROM pg_tables WHERE schemaname = 'public'",
            [role] * 5,
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT relname FROM pg_class WHERE relispartition")
        partitions = {row[0] for row in cursor.fetchall()}
    assert len(rows) > 50
    account_tables = {rls._table(label)[0] for label in rls.ACCOUNT_TABLES}
    for table, select, insert, update, delete, truncate in rows:
        if table in partitions:  # the log's monthly partitions: reached through the log only (ADR 0049)
            assert (table, select, insert, update, delete, truncate) == (table, False, False, False, False, False)
            continue
        if table in account_tables:  # UPDATE of named columns only; see the next test
            assert (table, select, insert, update, delete, truncate) == (table, True, False, False, False, False)
            continue
        writable = table not in append_only
        assert (table, select, insert, update, delete, truncate) == (table, True, True, writable, writable, False)


@pytest.mark.django_db
def test_application_role_updates_only_the_columns_logging_in_writes():
    """ADR 0018: no organisation, role or superuser flag, and no second-factor secret, from the application."""
    role = rls.app_role()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, has_column_privilege(%s, table_name, column_name, 'UPDATE') "
            "FROM information_schema.columns WHERE table_name = ANY(%s)",
            [role, [rls._table(label)[0] for label in rls.ACCOUNT_TABLES]],
        )
        updatable = {(table, column) for table, column, allowed in cursor.fetchall() if allowed}
        cursor.execute(
            "SELECT has_table_privilege(%s, 'django_session', 'SELECT, INSERT, UPDATE, DELETE')"
            ", has_table_privilege(%s, 'django_session', 'TRUNCATE')",
            [role, role],
        )
        sessions = cursor.fetchone()
    assert updatable == {
        ("accounts_user", "last_login"),
        ("accounts_user", "password"),
        ("accounts_authenticatordevice", "last_t"),
        ("accounts_authenticatordevice", "drift"),
        ("accounts_authenticatordevice", "throttling_failure_timestamp"),
        ("accounts_authenticatordevice", "throttling_failure_count"),
        ("accounts_authenticatordevice", "last_used_at"),
    }
    assert sessions == (True, False)  # log in, touch, log out; never empty the table


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE processing_log_processinglogentry SET status = 'x'",
        "DELETE FROM processing_log_processinglogentry",
        "TRUNCATE processing_log_processinglogentry",
        "UPDATE processing_log_auditrecord SET role = 'x'",
        "DELETE FROM processing_log_auditrecord",
        "ALTER TABLE subjects_subject DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE processing_log_processinglogentry DISABLE TRIGGER USER",
        "DROP POLICY casustafel_scope ON cases_case",
        "SET row_security = off; SELECT count(*) FROM subjects_subject",
        # Accounts are administered as the owner (ADR 0018): not by the application.
        "UPDATE accounts_user SET organisation_id = (SELECT id FROM accounts_organisation LIMIT 1)",
        "UPDATE accounts_user SET role = 'functional_admin'",
        "UPDATE accounts_user SET is_superuser = true",
        "INSERT INTO accounts_user (username) VALUES ('nieuw')",
        "DELETE FROM accounts_user",
        "UPDATE accounts_organisation SET region_id = (SELECT id FROM accounts_region LIMIT 1)",
        "INSERT INTO accounts_region (id, code, name) VALUES (gen_random_uuid(), 'x', 'x')",
        "INSERT INTO accounts_user_groups (user_id, group_id) VALUES (1, 1)",
        "UPDATE accounts_authenticatordevice SET key_encrypted = 'x'",
        "UPDATE accounts_authenticatordevice SET user_id = 1",
        "INSERT INTO accounts_authenticatordevice (user_id, name, confirmed) VALUES (1, 'x', true)",
        "DELETE FROM accounts_authenticatordevice",
    ],
)
def test_application_role_cannot_change_the_log_or_escape_the_policies(statement):
    *preparation, last = statement.split("; ")
    with _app_connection() as conn:
        for step in preparation:
            conn.execute(step)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(last)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fail_closed_without_the_setting_every_personal_data_table_is_empty(world):
    a, b = world["a"], world["b"]
    make_case(a)
    make_case(b, family_name="Anderregio")
    rls.reset()
    counts = {}
    with _app_connection() as conn:
        for table in rls.protected_tables():
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        conn.execute("SELECT set_config('casustafel.regions', %s, false)", [str(a.region.pk)])
        scoped = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("subjects_subject", "signals_signal", "cases_case", "weighing_contribution")
        }
        conn.execute("SELECT set_config('casustafel.regions', %s, false)", [f"{a.region.pk},{b.region.pk}"])
        both = conn.execute("SELECT count(*) FROM subjects_subject").fetchone()[0]
    assert counts == dict.fromkeys(rls.protected_tables(), 0)
    # The data is there: the region's own scope shows exactly its rows.
    assert scoped == {"subjects_subject": 1, "signals_signal": 1, "cases_case": 1, "weighing_contribution": 3}
    assert both == 2
    # The owner (the test runner's role) is subject to the same FORCEd policies.
    assert Subject.objects.count() == 0 and Case.objects.count() == 0
    rls.extend(a.region.pk, b.region.pk)


@pytest.mark.django_db
def test_scope_hides_and_refuses_another_regions_rows(world):
    a, b = world["a"], world["b"]
    case_b = make_case(b)
    subject_b = Subject.objects.get(pk=case_b.subject_id)
    with rls.regions(a.region.pk):
        assert not Case.objects.filter(pk=case_b.pk).exists()
        assert not Signal.objects.filter(subject_id=subject_b.pk).exists()
        assert Case.objects.filter(pk=case_b.pk).update(status="closed") == 0  # invisible: 0 rows, no error
        subject_b.pk = uuid.uuid4()
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            subject_b.save(force_insert=True)  # an insert for region B under region A's scope
    with rls.regions(b.region.pk):
        assert Case.objects.filter(pk=case_b.pk).exists()


@pytest.mark.django_db
def test_regions_restores_the_previous_scope_also_after_an_error(world):
    before = rls.current()
    with pytest.raises(ValueError), rls.regions(world["a"].region.pk):
        assert rls.current() == [str(world["a"].region.pk)]
        raise ValueError
    assert rls.current() == before
    with pytest.raises(IntegrityError), transaction.atomic(), rls.regions(world["a"].region.pk):
        User.objects.create(username=world["a"].users["intake"].username)  # duplicate: the transaction fails
    assert rls.current() == before


@pytest.mark.django_db
def test_middleware_scopes_the_request_to_the_users_region_and_resets_after(world):
    user = world["a"].users["intake"]
    seen = []
    request = RequestFactory().get("/")
    request.user = user
    before = rls.current()
    rls.ScopeMiddleware(lambda r: seen.append(rls.current()) or "response")(request)
    assert seen == [[str(world["a"].region.pk)]]
    assert rls.current() == before
    request.user = User(username="zonder-organisatie")
    rls.ScopeMiddleware(lambda r: seen.append(rls.current()) or "response")(request)
    assert seen[-1] == []
    assert rls.current() == before


@pytest.mark.django_db
def test_api_token_authentication_scopes_the_call(world):
    from casustafel.access.authentication import ScopedTokenAuthentication
    from casustafel.accounts.services import create_api_token

    user = world["b"].users["intake"]
    token = create_api_token(user)
    request = RequestFactory().get("/api/v1/signals", HTTP_AUTHORIZATION=f"Token {token}")
    before = rls.current()
    authenticated, _token = ScopedTokenAuthentication().authenticate(request)
    assert authenticated == user and rls.current() == [str(world["b"].region.pk)]
    rls.leave_request()
    assert rls.current() == before


@pytest.mark.django_db
def test_web_request_of_one_region_cannot_read_the_others_case_even_past_the_policy(client, world, monkeypatch):
    """Simulate a selector that forgets the policy: the database still returns nothing."""
    from casustafel.access import policy

    from .helpers import login

    case_b = make_case(world["b"])
    monkeypatch.setattr(policy, "scope_cases", lambda user, qs: qs)
    monkeypatch.setattr(policy, "can", lambda *args, **kwargs: True)
    monkeypatch.setattr(policy, "require", lambda *args, **kwargs: None)
    login(client, world["a"].users["case_director"])
    response = client.get(f"/casussen/{case_b.pk}/")
    assert response.status_code == 404
    assert case_b.reference not in client.get("/casussen/").content.decode()


def test_system_check_warns_when_the_application_role_bypasses_row_level_security(monkeypatch, settings):
    settings.DATABASE_ROLE = "app"
    monkeypatch.setattr(checks, "_role_attributes", lambda: (False, True))
    assert [w.id for w in checks.application_role_is_confined(databases=["default"])] == ["casustafel.W001"]
    monkeypatch.setattr(checks, "_role_attributes", lambda: (False, False))
    assert checks.application_role_is_confined(databases=["default"]) == []


@contextmanager
def _connected_as_application_role():
    """The default connection, reconnected as the application role for the block."""
    conn = connection
    app = parse_database_url(settings.CASUSTAFEL_APP_DATABASE_URL)
    original = {key: conn.settings_dict[key] for key in ("USER", "PASSWORD")}
    conn.close()
    conn.settings_dict.update(USER=app["USER"], PASSWORD=app["PASSWORD"])
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.update(original)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_application_role_serves_web_and_api_reads_writes_and_the_log(world):
    """End to end as production runs: API write, API and web reads, processing log, other region hidden."""
    from rest_framework.test import APIClient

    from casustafel.accounts.services import create_api_token
    from casustafel.processing_log.verify import verify

    from .api.conftest import signal_body
    from .helpers import login

    a, b = world["a"], world["b"]
    other_signal = Signal.objects.get(subject_id=make_case(b).subject_id)
    token = create_api_token(a.users["intake"])
    with _connected_as_application_role():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == rls.app_role()
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        created = api.post("/api/v1/signals", signal_body(), format="json")
        assert created.status_code == 201, created.content
        listed = api.get("/api/v1/signals").json()["results"]
        assert [s["id"] for s in listed] == [created.json()["id"]]
        assert api.get(f"/api/v1/signals/{other_signal.pk}").status_code == 404
        web = Client()
        login(web, a.users["intake"])
        page = web.get("/signalen/")
        assert page.status_code == 200 and created.json()["reference"] in page.content.decode()
        assert rls.current() == []  # reset after each request: the connection holds no scope
    rls.extend(a.region.pk, b.region.pk)
    assert Signal.objects.filter(region=a.region).count() == 1
    assert verify().intact


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_application_role_logs_in_with_password_and_second_factor(world):
    """The narrowed account grants (ADR 0018) leave login working: a refused code writes the
    throttling columns, an accepted one the verification columns and ``last_login``."""
    import time_machine
    from django.utils import timezone

    from casustafel.accounts.models import AuthenticatorDevice

    from .factories import PASSWORD

    user = world["a"].users["intake"]
    device = AuthenticatorDevice.objects.get(user=user)
    code = f"{device.totp().token():06d}"
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with _connected_as_application_role():
        web = Client()
        form = {"username": user.username, "password": PASSWORD}
        assert web.post("/inloggen/", {**form, "otp_token": wrong}).status_code == 400
        with time_machine.travel(timezone.now() + timezone.timedelta(seconds=3)):  # past the 1 s throttle
            code = f"{AuthenticatorDevice.objects.get(pk=device.pk).totp().token():06d}"
            assert web.post("/inloggen/", {**form, "otp_token": code}).status_code == 302
            assert web.get("/").status_code == 200
        assert web.post("/uitloggen/").status_code == 302
    device.refresh_from_db()
    user.refresh_from_db()
    assert device.throttling_failure_count == 0 and device.last_used_at is not None and device.last_t > 0
    assert user.last_login is not None
    rls.extend(world["a"].region.pk, world["b"].region.pk)
