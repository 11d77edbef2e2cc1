"""Signals through the API: registration, idempotency, flags, and every kind of bad input."""

import uuid
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.signals import states
from casustafel.signals.models import Signal, SignalTransition
from casustafel.signals.services import idempotency_lock_id
from casustafel.subjects.models import Subject

from .conftest import assert_problem, signal_body

pytestmark = pytest.mark.django_db

VALID_BSN = "111222333"


@pytest.fixture
def intake(api, region_a):
    return api(region_a.users["intake"])


def _counts():
    return (
        Signal.objects.count(),
        Subject.objects.count(),
        SignalTransition.objects.count(),
        ProcessingLogEntry.objects.exclude(action__in=["read", "list"]).count(),
    )


def test_register_signal(intake):
    response = intake.post("/api/v1/signals", signal_body(subject={"bsn": VALID_BSN}), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == states.RECEIVED
    assert body["known_person"] is False and body["joined_weighing"] is False
    assert body["escalated_to_police"] is False
    assert body["subject"]["family_name"] == "Apitest"
    assert body["subject"]["masked_bsn"] == "*****2333"
    assert VALID_BSN not in response.content.decode()
    assert response["Location"].endswith(f"/api/v1/signals/{body['id']}")
    # The detail read never exposes the BSN either.
    detail = intake.get(f"/api/v1/signals/{body['id']}")
    assert detail.status_code == 200 and VALID_BSN not in detail.content.decode()


def test_known_person_and_joined_weighing(intake):
    first = intake.post("/api/v1/signals", signal_body(), format="json").json()
    intake.post(f"/api/v1/signals/{first['id']}/transitions", {"target": "in_weighing"}, format="json")
    second = intake.post("/api/v1/signals", signal_body(), format="json").json()
    assert second["known_person"] is True and second["joined_weighing"] is True
    assert second["status"] == states.IN_WEIGHING and second["weighing"]


def test_acute_signal_is_escalated(intake):
    body = intake.post("/api/v1/signals", signal_body(urgency="acuut"), format="json").json()
    assert body["escalated_to_police"] is True and body["escalated_to_police_at"]
    assert body["status"] == states.IN_WEIGHING


def test_idempotency_key_returns_existing_signal(intake):
    key = str(uuid.uuid4())
    first = intake.post("/api/v1/signals", signal_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    before = _counts()
    again = intake.post("/api/v1/signals", signal_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert _counts() == before


def test_idempotency_key_with_another_body_is_422_and_nothing_is_lost(intake):
    """IETF Idempotency-Key draft: the same key with another body is refused, not answered with
    the earlier signal — an acute second signal would otherwise be silently dropped."""
    key = str(uuid.uuid4())
    first = intake.post("/api/v1/signals", signal_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    before = _counts()
    other = intake.post("/api/v1/signals", signal_body(urgency="acuut"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    body = assert_problem(other, 422)
    assert "Idempotency-Key" in body["detail"]
    assert _counts() == before
    # The same body in another key order is the same submission.
    reordered = dict(reversed(list(signal_body().items())))
    again = intake.post("/api/v1/signals", reordered, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_idempotency_key_in_flight_is_409(intake, region_a):
    """While a submission under the key is being processed (its lock held), a repeat is 409."""
    key = uuid.uuid4()
    user = region_a.users["intake"]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [idempotency_lock_id(user, key=key)])
        before = _counts()
        response = intake.post("/api/v1/signals", signal_body(), format="json", HTTP_IDEMPOTENCY_KEY=str(key))
        assert_problem(response, 409)
        assert _counts() == before
    finally:
        other.close()
    assert (
        intake.post("/api/v1/signals", signal_body(), format="json", HTTP_IDEMPOTENCY_KEY=str(key)).status_code == 201
    )


def test_idempotency_key_must_be_uuid(intake):
    before = _counts()
    assert_problem(
        intake.post("/api/v1/signals", signal_body(), format="json", HTTP_IDEMPOTENCY_KEY="abc"), 400, "Idempotency-Key"
    )
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": {"bsn": "123456789"}}, "subject.bsn"),
        ({"subject": {"bsn": "12345"}}, "subject.bsn"),
        (
            # Computed when the test runs, not when it is collected (a run may cross midnight).
            lambda: {"subject": {"date_of_birth": (timezone.localdate() + timedelta(days=1)).isoformat()}},
            "subject.date_of_birth",
        ),
        ({"subject": {"date_of_birth": "2001-02-30"}}, "subject.date_of_birth"),
        ({"subject": {"date_of_birth": "1850-01-01"}}, "subject.date_of_birth"),
        ({"subject": {"gender": "onbekend"}}, "subject.gender"),
        ({"phenomenon": "religie"}, "phenomenon"),
        ({"source_type": "roddel"}, "source_type"),
        ({"urgency": "morgen"}, "urgency"),
        ({"facts": ""}, "facts"),
        ({"facts": "x" * 10001}, "facts"),
        ({"opinions": "x" * 10001}, "opinions"),
        ({"counter_indications": "x" * 10001}, "counter_indications"),
        ({"source_description": "x" * 201}, "source_description"),
        ({"subject": {"family_name": "x" * 201}}, "subject.family_name"),
        (lambda: {"observed_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "observed_on"),
        ({"online_component": "misschien"}, "online_component"),
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(intake, overrides, field):
    overrides = overrides() if callable(overrides) else overrides
    before = _counts()
    assert_problem(intake.post("/api/v1/signals", signal_body(**overrides), format="json"), 400, field)
    assert _counts() == before


@pytest.mark.parametrize("missing", ["facts", "phenomenon", "source_type", "subject"])
def test_missing_field(intake, missing):
    body = signal_body()
    del body[missing]
    before = _counts()
    assert_problem(intake.post("/api/v1/signals", body, format="json"), 400, missing)
    assert _counts() == before


def test_missing_subject_field(intake):
    body = signal_body()
    del body["subject"]["date_of_birth"]
    assert_problem(intake.post("/api/v1/signals", body, format="json"), 400, "subject.date_of_birth")


def test_non_json_body_is_415(intake):
    before = _counts()
    response = intake.post("/api/v1/signals", "facts=x", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)
    assert_problem(intake.post("/api/v1/signals", "<signal/>", content_type="application/xml"), 415)
    assert _counts() == before


def test_malformed_json_is_400(intake):
    assert_problem(intake.post("/api/v1/signals", "{not json", content_type="application/json"), 400)


def test_illegal_transition(intake, signal_a):
    intake.post(f"/api/v1/signals/{signal_a.pk}/transitions", {"target": "in_weighing"}, format="json")
    before = _counts()
    response = intake.post(f"/api/v1/signals/{signal_a.pk}/transitions", {"target": "in_preparation"}, format="json")
    assert_problem(response, 400, "status")
    assert _counts() == before


def test_unknown_transition_target(intake, signal_a):
    response = intake.post(f"/api/v1/signals/{signal_a.pk}/transitions", {"target": "included"}, format="json")
    assert_problem(response, 400, "target")
    signal_a.refresh_from_db()
    assert signal_a.status == states.RECEIVED


def test_transition_to_preparation(intake, signal_a):
    response = intake.post(
        f"/api/v1/signals/{signal_a.pk}/transitions",
        {"target": "in_preparation", "reason": "Navragen bij school"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == states.IN_PREPARATION
    assert signal_a.transitions.last().reason == "Navragen bij school"


def test_filters(intake, signal_a):
    intake.post("/api/v1/signals", signal_body(phenomenon="jihadistisch", urgency="acuut"), format="json")
    received = intake.get("/api/v1/signals?status=received").json()["results"]
    assert [row["id"] for row in received] == [str(signal_a.pk)]
    assert {row["phenomenon"] for row in intake.get("/api/v1/signals?phenomenon=jihadistisch").json()["results"]} == {
        "jihadistisch"
    }
    assert_problem(intake.get("/api/v1/signals?status=bestaat-niet"), 400, "status")


def test_unknown_signal_is_404(intake):
    assert_problem(intake.get(f"/api/v1/signals/{uuid.uuid4()}"), 404)
    assert_problem(intake.get("/api/v1/signals/geen-uuid"), 404)


ODD_BODIES = [
    "[]",
    '"tekst"',
    "null",
    "123",
    '{"subject": "x"}',
    '{"subject": []}',
    '{"facts": {"a": 1}}',
    '{"subject": {"date_of_birth": 99999999999}}',
    '{"assessments": "x", "participants": {}}',
]


@pytest.mark.parametrize(
    "route", ["signals", "signal-transitions", "contributions", "decision", "participants", "case-transitions"]
)
def test_odd_json_is_a_problem_never_a_500(api, region_a, signal_a, weighed_a, case_a, route):
    paths = {
        "signals": ("intake", "/api/v1/signals"),
        "signal-transitions": ("intake", f"/api/v1/signals/{signal_a.pk}/transitions"),
        "contributions": ("weigher_om", f"/api/v1/weighings/{weighed_a.pk}/contributions"),
        "decision": ("weigher_om", f"/api/v1/weighings/{weighed_a.pk}/decision"),
        "participants": ("case_director", f"/api/v1/cases/{case_a.pk}/participants"),
        "case-transitions": ("case_director", f"/api/v1/cases/{case_a.pk}/transitions"),
    }
    user, path = paths[route]
    client = api(region_a.users[user])
    before = _counts()
    for body in ODD_BODIES:
        assert_problem(client.post(path, body, content_type="application/json"), 400)
    assert _counts() == before
