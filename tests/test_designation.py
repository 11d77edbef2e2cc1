"""Wet PGA art. 12 lid 3 and art. 13: the authorisation register (ADR 0029).

Only persons designated for the casusoverleg by their own organisation, for one of the three
purposes of art. 13 lid 1, have access; a private participant designates only persons without
commercial tasks (art. 12 lid 3). The region's FG exports the register for an audit.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casustafel import cli
from casustafel.access import rls
from casustafel.accounts.models import Designation, DesignationPurpose, OrganisationKind, is_private_participant_kind
from casustafel.accounts.selectors import is_designated
from casustafel.accounts.services import designate
from casustafel.cli import main
from casustafel.demo import _designate_demo_users

from .factories import UserFactory
from .helpers import api_client, login

pytestmark = pytest.mark.django_db

NO_DESIGNATION = "/geen-aanwijzing/"


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def undesignated(region_a):
    """A gemeente intake officer whom nobody designated."""
    return UserFactory(username="niet-aangewezen", organisation=region_a.orgs["gemeente"], designation=False)


def designate_now(user, **overrides):
    values = dict(
        user=user,
        purpose=DesignationPurpose.PROCESSING,
        valid_from=today(),
        designated_by="J. Jansen, teamleider Veiligheid",
    )
    values.update(overrides)
    return designate(None, **values)


def _get_routes(resolver=None, namespace=""):
    """Every page reachable without URL arguments (the gate is path-based: these stand for all)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _get_routes(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace not in ("api", "") and entry.name:
            name = f"{namespace}:{entry.name}"
            if not entry.pattern.converters and name not in {"accounts:login", "accounts:logout"}:
                yield name


# ------------------------------------------------------------------ the purposes of art. 13 lid 1


def test_art_13_lid_1_purposes_are_exactly_the_three_of_the_law():
    assert set(DesignationPurpose.values) == {"processing", "lawfulness_review", "system_support"}
    labels = " ".join(str(label) for label in DesignationPurpose.labels)
    for letter in ("art. 13 lid 1 a", "art. 13 lid 1 b", "art. 13 lid 1 c"):
        assert letter in labels


def test_art_13_another_purpose_is_refused_by_the_service_and_by_the_database(undesignated):
    with pytest.raises(ValidationError) as refused:
        designate_now(undesignated, purpose="marketing")
    assert "artikel 13 lid 1" in str(refused.value.message_dict["purpose"])
    assert not Designation.objects.filter(user=undesignated).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Designation.objects.create(
            user=undesignated,
            organisation=undesignated.organisation,
            purpose="marketing",
            valid_from=today(),
            designated_by="Iemand",
            recorded_at=timezone.now(),
        )


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"valid_until": date(2026, 1, 1), "valid_from": date(2026, 2, 1)}, "valid_until"),
        ({"designated_by": "   "}, "designated_by"),
        ({"designated_by": "x" * 201}, "designated_by"),
    ],
)
def test_art_13_bad_designation_is_refused_with_a_dutch_message_and_writes_nothing(undesignated, overrides, field):
    with pytest.raises(ValidationError) as refused:
        designate_now(undesignated, **overrides)
    assert field in refused.value.message_dict
    assert not Designation.objects.filter(user=undesignated).exists()


def test_art_13_a_user_without_organisation_cannot_be_designated():
    loose = UserFactory(organisation=None)
    with pytest.raises(ValidationError) as refused:
        designate_now(loose)
    assert "user" in refused.value.message_dict
    assert not Designation.objects.filter(user=loose).exists()


# ------------------------------------------------------------------ art. 12 lid 3: private participants


def test_art_12_lid_3_private_participant_must_state_no_commercial_tasks(region_a):
    care = UserFactory(organisation=region_a.orgs["ggz"], designation=False)
    assert is_private_participant_kind(OrganisationKind.GGZ)
    with pytest.raises(ValidationError) as refused:
        designate_now(care)
    assert "commerciële werkzaamheden" in str(refused.value.message_dict["no_commercial_tasks"])
    assert not Designation.objects.filter(user=care).exists()
    designation = designate_now(care, no_commercial_tasks=True)
    assert designation.no_commercial_tasks and designation.organisation == region_a.orgs["ggz"]


def test_art_12_lid_3_a_public_participant_needs_no_such_statement(undesignated):
    assert not is_private_participant_kind(OrganisationKind.GEMEENTE)
    designation = designate_now(undesignated)
    assert designation.organisation == undesignated.organisation and designation.recorded_by is None


# ------------------------------------------------------------------ access follows the designation


def test_art_13_without_a_designation_no_page_opens(client, undesignated):
    login(client, undesignated)
    routes = sorted(set(_get_routes()) - {"accounts:no_designation"})
    assert "web:dashboard" in routes and "signals:signal_list" in routes
    for route in routes:
        response = client.get(reverse(route))
        assert response.status_code == 302 and response["Location"] == NO_DESIGNATION, route
    page = client.get(NO_DESIGNATION)
    assert page.status_code == 403
    content = page.content.decode()
    assert "Geen geldige aanwijzing" in content and "artikel 13 Wet PGA" in content
    # Logging out stays possible.
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_art_13_htmx_request_without_designation_gets_a_whole_page_redirect(client, undesignated):
    login(client, undesignated)
    response = client.get(reverse("signals:signal_list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == NO_DESIGNATION


def test_art_13_api_without_designation_is_problem_json_403(undesignated):
    response = api_client(undesignated).get("/api/v1/signals")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert "artikel 13 Wet PGA" in response.json()["detail"]


def test_art_13_designated_user_works_and_is_sent_on_from_the_explanation(client, undesignated):
    designate_now(undesignated)
    login(client, undesignated)
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert client.get(NO_DESIGNATION)["Location"] == reverse("web:dashboard")
    assert api_client(undesignated).get("/api/v1/signals").status_code == 200


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_art_13_an_expired_designation_logs_in_to_nothing(client, undesignated):
    last_day = today() + timedelta(days=10)
    designate_now(undesignated, valid_from=today() - timedelta(days=30), valid_until=last_day)
    login(client, undesignated)
    assert client.get(reverse("web:dashboard")).status_code == 200
    with time_machine.travel(_at(last_day, 23, 55), tick=False):  # the last day still counts
        login(client, undesignated)
        assert client.get(reverse("web:dashboard")).status_code == 200
    with time_machine.travel(_at(last_day + timedelta(days=1), 0, 5), tick=False):
        # The same session ten minutes later: the span kept at login has passed, the gate looks again.
        response = client.get(reverse("web:dashboard"))
        assert response.status_code == 302 and response["Location"] == NO_DESIGNATION
        assert api_client(undesignated).get("/api/v1/signals").status_code == 403
        login(client, undesignated)
        assert client.get(reverse("signals:signal_list"))["Location"] == NO_DESIGNATION


def test_art_13_a_future_designation_gives_access_only_from_its_date(client, undesignated):
    first_day = today() + timedelta(days=5)
    designate_now(undesignated, valid_from=first_day)
    login(client, undesignated)
    assert client.get(reverse("web:dashboard"))["Location"] == NO_DESIGNATION
    assert api_client(undesignated).get("/api/v1/signals").status_code == 403
    with time_machine.travel(_at(first_day - timedelta(days=1), 23, 55), tick=False):
        login(client, undesignated)
        assert client.get(reverse("web:dashboard"))["Location"] == NO_DESIGNATION
    with time_machine.travel(_at(first_day, 0, 5), tick=False):
        assert client.get(reverse("web:dashboard")).status_code == 200  # same session, from its date
        assert api_client(undesignated).get("/api/v1/signals").status_code == 200


def test_art_13_a_designation_by_a_former_organisation_no_longer_counts(region_a, undesignated):
    designate_now(undesignated)
    assert is_designated(undesignated)
    undesignated.organisation = region_a.orgs["zvh"]
    undesignated.save(update_fields=["organisation"])
    assert not is_designated(undesignated)


def test_art_13_the_application_role_only_reads_the_register():
    """Designations are account administration, done as the schema owner (ADR 0018)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, %s, 'SELECT'), has_table_privilege(%s, %s, 'INSERT'),"
            " has_table_privilege(%s, %s, 'UPDATE'), has_table_privilege(%s, %s, 'DELETE')",
            [rls.app_role(), Designation._meta.db_table] * 4,
        )
        assert cursor.fetchone() == (True, False, False, False)


# ------------------------------------------------------------------ the register for an audit


def test_art_13_register_csv_for_the_privacy_officer_current_and_historical(client, world, undesignated):
    designate_now(undesignated, valid_from=date(2025, 7, 1), valid_until=today() - timedelta(days=1))
    designate_now(undesignated, purpose=DesignationPurpose.LAWFULNESS_REVIEW, valid_from=today())
    foreign = world["b"].users["intake"]
    login(client, world["a"].users["privacy_officer"])
    page = client.get(reverse("governance:designation_list"))
    assert page.status_code == 200
    assert "niet-aangewezen" in page.content.decode() and foreign.username not in page.content.decode()
    response = client.get(reverse("governance:designation_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    mine = [r for r in rows if r["gebruikersnaam"] == "niet-aangewezen"]
    assert sorted((r["vanaf"], r["geldig op exportdatum"]) for r in mine) == [
        ("2025-07-01", "nee"),
        (today().isoformat(), "ja"),
    ]
    assert {r["aangewezen door"] for r in mine} == {"J. Jansen, teamleider Veiligheid"}
    assert {r["vastgelegd door"] for r in mine} == {"accountbeheer (opdrachtregel)"}
    assert any("art. 13 lid 1 b" in r["doel (art. 13 lid 1)"] for r in mine)
    assert foreign.username not in response.content.decode()
    assert len(rows) == Designation.objects.filter(organisation__region=world["a"].region).count()


@pytest.mark.parametrize("key", ["intake", "functional_admin", "mayor"])
def test_art_13_register_only_for_the_privacy_officer(client, region_a, key):
    login(client, region_a.users[key])
    # A section page the role cannot use: "Geen toegang" (issue 12 item 11), not "niet gevonden".
    assert client.get(reverse("governance:designation_list")).status_code == 403
    assert client.get(reverse("governance:designation_export")).status_code == 403


# ------------------------------------------------------------------ recorded by the administration


def test_art_13_cli_designate_records_a_designation(capsys, undesignated):
    argv = ["designate", "niet-aangewezen", "--purpose", "system_support", "--from", "2026-01-01"]
    assert main([*argv, "--until", "2027-12-31", "--by", "P. de Vries, hoofd ICT"]) == 0
    assert "niet-aangewezen" in capsys.readouterr().out
    (designation,) = Designation.objects.filter(user=undesignated)
    assert designation.purpose == DesignationPurpose.SYSTEM_SUPPORT
    assert (designation.valid_from, designation.valid_until) == (date(2026, 1, 1), date(2027, 12, 31))
    assert designation.designated_by == "P. de Vries, hoofd ICT" and designation.recorded_by is None


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--purpose", "marketing", "--from", "2026-01-01", "--by", "X"], "artikel 13 lid 1"),
        (["--purpose", "processing", "--from", "2026-02-01", "--until", "2026-01-01", "--by", "X"], "einddatum"),
        (["--purpose", "processing", "--from", "2026-01-01", "--by", " "], "naam en functie"),
    ],
)
def test_art_13_cli_designate_refuses_bad_input(capsys, undesignated, argv, message):
    assert main(["designate", "niet-aangewezen", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
    assert not Designation.objects.filter(user=undesignated).exists()


def test_art_12_lid_3_cli_private_participant_needs_the_flag(capsys, region_a):
    UserFactory(username="zorg-medewerker", organisation=region_a.orgs["ggz"], designation=False)
    argv = ["designate", "zorg-medewerker", "--purpose", "processing", "--from", "2026-01-01", "--by", "Y, manager"]
    assert main(argv) == 2
    assert "commerciële werkzaamheden" in capsys.readouterr().err
    assert main([*argv, "--no-commercial-tasks"]) == 0
    assert Designation.objects.get(user__username="zorg-medewerker").no_commercial_tasks


def test_art_13_cli_designate_unknown_user_or_bad_date(capsys):
    assert main(["designate", "niemand", "--purpose", "processing", "--from", "2026-01-01", "--by", "X"]) == 2
    assert "Onbekende gebruiker" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["designate", "niemand", "--purpose", "processing", "--from", "1-1-2026", "--by", "X"])
    assert exited.value.code == 2


def test_art_13_cli_designate_connects_as_the_schema_owner(monkeypatch, undesignated):
    roles = []
    monkeypatch.setattr(cli, "setup_django", lambda *, as_owner=False: roles.append(as_owner))
    assert main(["designate", "niet-aangewezen", "--purpose", "processing", "--from", "2026-01-01", "--by", "X"]) == 0
    assert roles == [True]


def test_art_13_demo_designates_every_demo_user_for_a_purpose_of_the_law(region_a):
    care = UserFactory(organisation=region_a.orgs["ggz"], is_demo=True, designation=False)
    officer = UserFactory(
        organisation=region_a.orgs["gemeente"], role="privacy_officer", is_demo=True, designation=False
    )
    _designate_demo_users()
    _designate_demo_users()  # idempotent
    (for_care,) = Designation.objects.filter(user=care)
    assert for_care.no_commercial_tasks and for_care.purpose == DesignationPurpose.PROCESSING
    (for_officer,) = Designation.objects.filter(user=officer)
    assert for_officer.purpose == DesignationPurpose.LAWFULNESS_REVIEW
    assert is_designated(care) and is_designated(officer)
