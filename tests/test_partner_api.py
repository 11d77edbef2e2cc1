"""Aanmeldingen from partner systems (issue 14 item 2, ADR 0045): client credentials with scopes,
rotation and revocation; POST /api/v1/referrals with a required Idempotency-Key; traceparent;
the Wgs flag of a Zorg- en Veiligheidshuis's registration."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from casustafel.flow.services import send_to_weighing
from casustafel.partners import services
from casustafel.partners.models import ClientSecret, IdempotencyRecord, PartnerClient, PartnerRegistration
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.signals.models import Signal

from .api.conftest import assert_problem, signal_body
from .helpers import api_client

URL = "/api/v1/referrals"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def partner(organisation, scopes=("aanmelding:schrijven",), name="Zaaksysteem"):
    """A partner client of ``organisation`` and an API client speaking with its credentials."""
    issued = services.create_client(organisation=organisation, name=name, scopes=list(scopes))
    return issued.client, basic_client(issued.client.client_id, issued.secret)


def basic_client(client_id: str, secret: str) -> APIClient:
    client = APIClient()
    token = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {token}")
    return client


def post(client, body, key="sleutel-1", **headers):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    extra.update({f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
    return client.post(URL, data=body, format="json", **extra)


@pytest.fixture
def gemeente_client(region_a):
    return partner(region_a.orgs["gemeente"])


@pytest.mark.django_db
def test_referral_registers_an_aanmelding_for_the_clients_organisation_art_5_lid_1(region_a, gemeente_client):
    """Art. 5 lid 1: a participant registers a case; the registering participant is the client's
    organisation, through the intake services, logged with the partner system as the actor."""
    client, http = gemeente_client
    response = post(http, signal_body())
    assert response.status_code == 201, response.content
    body = response.json()
    signal = Signal.objects.get(pk=body["id"])
    assert signal.registered_by_organisation == region_a.orgs["gemeente"]
    assert signal.registered_by == client.service_user
    assert signal.intake_route == "referral"
    assert signal.region == region_a.region
    # Identifiers only: no name, date of birth or facts in the answer.
    assert set(body) == {"id", "reference", "status", "registered_at", "trace_id", "wgs_registration"}
    assert "Apitest" not in response.content.decode()
    entry = ProcessingLogEntry.objects.get(object_id=signal.pk, action="create")
    assert entry.audit_record.user == client.service_user


@pytest.mark.django_db
def test_same_key_and_payload_returns_the_stored_response_and_one_record(gemeente_client):
    _client, http = gemeente_client
    first = post(http, signal_body())
    again = post(http, signal_body())
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (201, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert Signal.objects.filter(subject__family_name="Apitest").count() == 1
    # The same JSON in another key order is the same submission.
    reordered = dict(reversed(list(signal_body().items())))
    assert post(http, reordered).json() == first.json()


@pytest.mark.django_db
def test_same_key_with_other_payload_is_422(gemeente_client):
    _client, http = gemeente_client
    assert post(http, signal_body()).status_code == 201
    response = post(http, signal_body(facts="Iets anders."))
    assert_problem(response, 422)
    assert "Iets anders" not in response.content.decode()
    assert Signal.objects.filter(subject__family_name="Apitest").count() == 1


@pytest.mark.django_db
def test_keys_are_scoped_per_client(region_a, gemeente_client):
    _client, http = gemeente_client
    _other, other_http = partner(region_a.orgs["politie"], name="Politiesysteem")
    first = post(http, signal_body())
    second = post(other_http, signal_body())
    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]


@pytest.mark.django_db
def test_idempotency_key_is_required_and_well_formed(gemeente_client):
    _client, http = gemeente_client
    assert_problem(post(http, signal_body(), key=None), 400, "Idempotency-Key")
    assert_problem(post(http, signal_body(), key="a" * 256), 400, "Idempotency-Key")
    assert_problem(post(http, signal_body(), key="met spatie"), 400, "Idempotency-Key")
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_invalid_payload_is_400_and_leaves_the_key_free(gemeente_client):
    """Bad input: problem+json naming the field, nothing half-written; the key may be used again."""
    _client, http = gemeente_client
    response = post(http, signal_body(phenomenon="onbekend"))
    assert_problem(response, 400, "phenomenon")
    assert not IdempotencyRecord.objects.exists()
    assert post(http, signal_body()).status_code == 201


@pytest.mark.django_db
def test_key_expires_after_the_documented_period(gemeente_client, settings):
    """A key is remembered CASUSTAFEL_IDEMPOTENCY_HOURS (24 h by default), then forgotten and purged."""
    client, http = gemeente_client
    assert services.idempotency_period() == timedelta(hours=24)
    first = post(http, signal_body())
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    reused = post(http, signal_body(facts="Een nieuwe aanmelding onder een verlopen sleutel."))
    assert reused.status_code == 201
    assert reused.json()["id"] != first.json()["id"]
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert services.purge_idempotency() == 1
    assert not IdempotencyRecord.objects.exists()
    settings.CASUSTAFEL_IDEMPOTENCY_HOURS = 1
    assert services.idempotency_period() == timedelta(hours=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicate_is_409(region_a, gemeente_client, monkeypatch):
    """Two connections, one key: while the first submission is in progress the second gets 409;
    afterwards the same key returns the stored answer — one record."""
    _client, http = gemeente_client
    entered, release = threading.Event(), threading.Event()
    original = services.flow.register_signal

    def slow_register(*args, **kwargs):
        entered.set()
        assert release.wait(20)
        return original(*args, **kwargs)

    monkeypatch.setattr(services.flow, "register_signal", slow_register)
    results = {}

    def first():
        try:
            results["first"] = post(http, signal_body())
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert entered.wait(20)
        second = post(basic_client(*_credentials(gemeente_client)), signal_body())
        assert_problem(second, 409)
    finally:
        release.set()
        thread.join(30)
    assert results["first"].status_code == 201
    monkeypatch.setattr(services.flow, "register_signal", original)
    replay = post(http, signal_body())
    assert replay.json() == results["first"].json()
    assert Signal.objects.filter(subject__family_name="Apitest").count() == 1


def _credentials(pair):
    client, http = pair
    header = http._credentials["HTTP_AUTHORIZATION"].split()[1]
    return tuple(base64.b64decode(header).decode().split(":", 1))


@pytest.mark.django_db
def test_scope_is_required(region_a):
    """A client without 'aanmelding:schrijven' and a person's token both get 403."""
    _client, http = partner(region_a.orgs["gemeente"], scopes=("webhooks:beheren",))
    assert_problem(post(http, signal_body()), 403)
    person = api_client(region_a.users["intake"])
    assert_problem(post(person, signal_body()), 403)
    assert_problem(post(APIClient(), signal_body()), 401)
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_only_a_participant_may_hold_the_registration_scope_art_5_lid_1(region_a):
    """Art. 5 lid 1: 'een deelnemer kan een casus aanmelden' — not a third party such as the ggz."""
    with pytest.raises(ValidationError):
        services.create_client(organisation=region_a.orgs["ggz"], name="Zorgsysteem", scopes=["aanmelding:schrijven"])
    assert not PartnerClient.objects.exists()
    services.create_client(organisation=region_a.orgs["ggz"], name="Zorgsysteem", scopes=["webhooks:beheren"])


@pytest.mark.django_db
def test_revoked_client_and_wrong_secret_get_401(gemeente_client):
    client, http = gemeente_client
    client_id, secret = _credentials(gemeente_client)
    assert_problem(post(basic_client(client_id, secret + "x"), signal_body()), 401)
    assert_problem(post(basic_client("pc_onbekend", secret), signal_body()), 401)
    malformed = APIClient()
    malformed.credentials(HTTP_AUTHORIZATION="Basic !!!")
    assert_problem(post(malformed, signal_body()), 401)
    services.revoke_client(client=client)
    response = post(http, signal_body())
    assert_problem(response, 401)
    assert "ingetrokken" in response.json()["detail"]
    client.service_user.refresh_from_db()
    assert not client.service_user.is_active
    assert not Signal.objects.exists()


@pytest.mark.django_db
def test_rotation_keeps_two_secrets_valid_for_the_grace_period(gemeente_client):
    client, http = gemeente_client
    old = _credentials(gemeente_client)
    new_secret = services.rotate_secret(client=client, grace=timedelta(hours=1))
    assert post(basic_client(*old), signal_body(), key="k-oud").status_code == 201
    assert post(basic_client(client.client_id, new_secret), signal_body(), key="k-nieuw").status_code == 201
    # After the grace period only the new secret works.
    ClientSecret.objects.filter(client=client, expires_at__isnull=False).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert_problem(post(basic_client(*old), signal_body(), key="k-later"), 401)
    assert post(basic_client(client.client_id, new_secret), signal_body(), key="k-later").status_code == 201
    # Secrets are stored as digests only.
    assert not ClientSecret.objects.filter(digest=new_secret).exists()


@pytest.mark.django_db
def test_traceparent_is_recorded_on_the_registration_and_in_the_processing_log(gemeente_client):
    _client, http = gemeente_client
    response = post(http, signal_body(), traceparent=TRACEPARENT)
    assert response.status_code == 201
    assert response.json()["trace_id"] == TRACE_ID
    assert TRACE_ID in response["traceparent"]
    registration = PartnerRegistration.objects.get(signal_id=response.json()["id"])
    assert (registration.traceparent, registration.trace_id) == (TRACEPARENT, TRACE_ID)
    entry = ProcessingLogEntry.objects.get(object_id=registration.signal_id, action="create")
    assert entry.trace_id == TRACE_ID
    # A malformed traceparent starts a new trace and is not stored.
    other = post(http, signal_body(), key="k2", traceparent="geen-trace")
    registration = PartnerRegistration.objects.get(signal_id=other.json()["id"])
    assert registration.traceparent == "" and len(registration.trace_id) == 32


@pytest.mark.django_db
def test_zvh_registration_records_that_wgs_rules_stop_when_the_weighing_takes_it_on(region_a):
    """Art. 5 lid 1 Wet PGA with the Wgs: a Zorg- en Veiligheidshuis must register a suspected case;
    its Wgs case rules stop applying at the moment the weighing takes the aanmelding on."""
    _client, http = partner(region_a.orgs["zvh"], name="ZVH-systeem")
    response = post(http, signal_body())
    assert response.status_code == 201, response.content
    assert response.json()["wgs_registration"] is True
    registration = PartnerRegistration.objects.get(signal_id=response.json()["id"])
    assert registration.wgs_registration and registration.wgs_rules_end_at is None
    before = timezone.now()
    send_to_weighing(region_a.users["intake"], signal=registration.signal)
    registration.refresh_from_db()
    assert registration.wgs_rules_end_at is not None and registration.wgs_rules_end_at >= before
    # Another organisation's registration carries no Wgs flag.
    _other, gemeente = partner(region_a.orgs["gemeente"])
    assert post(gemeente, signal_body(), key="k-gemeente").json()["wgs_registration"] is False


@pytest.mark.django_db
def test_cli_creates_rotates_and_revokes_a_client(region_a, monkeypatch, capsys):
    """``casustafel partner create|rotate|revoke``: the secret is shown once, stored as a digest."""
    from casustafel import cli

    monkeypatch.setattr(cli, "setup_django", lambda **kwargs: None)
    organisation = region_a.orgs["zvh"]
    assert (
        cli.main(
            [
                "partner",
                "create",
                "--organisation",
                organisation.name,
                "--name",
                "ZVH",
                "--scope",
                "aanmelding:schrijven",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    client_id, secret = lines[0].split()[-1], lines[1].split()[-1]
    http = basic_client(client_id, secret)
    assert post(http, signal_body()).status_code == 201
    assert cli.main(["partner", "rotate", client_id]) == 0
    new_secret = capsys.readouterr().out.split()[-1]
    assert new_secret != secret
    assert cli.main(["partner", "revoke", client_id]) == 0
    assert_problem(post(basic_client(client_id, new_secret), signal_body(), key="k2"), 401)
    assert (
        cli.main(["partner", "create", "--organisation", "bestaat niet", "--name", "X", "--scope", "webhooks:beheren"])
        == 2
    )


@pytest.mark.django_db
def test_hostile_bodies_are_refused_with_problem_json_and_nothing_stored(gemeente_client):
    """Bad input: form-encoded 415, oversized 413, broken JSON 400, script and NUL in a field 400 or
    stored as text — never echoed back (the answer carries identifiers only)."""
    _client, http = gemeente_client
    headers = {"HTTP_IDEMPOTENCY_KEY": "vijandig"}
    assert_problem(http.post(URL, "a=1", content_type="application/x-www-form-urlencoded", **headers), 415)
    oversized = b'{"a": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    assert_problem(http.post(URL, oversized, content_type="application/json", **headers), 413)
    assert_problem(http.post(URL, b'{"subject": ', content_type="application/json", **headers), 400)
    assert_problem(post(http, signal_body(facts="feit\x00"), key="nul"), 400, "facts")
    assert not Signal.objects.exists()
    script = post(http, signal_body(facts="<script>alert(1)</script>"), key="script")
    assert script.status_code == 201 and "<script>" not in script.content.decode()
    assert Signal.objects.get().facts == "<script>alert(1)</script>"
