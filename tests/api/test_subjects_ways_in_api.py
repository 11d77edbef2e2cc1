"""The signal API and Wet PGA art. 1, 2, 4 d, 5 lid 1–2: legal persons, the gemeente van
verblijf, aanmelding and melding; bad input is problem+json naming the field."""

import pytest

from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject

from .conftest import assert_problem, signal_body

pytestmark = pytest.mark.django_db

KVK, RSIN = "12345678", "111222333"
ORGANISATION = {
    "kind": "legal_person",
    "given_names": "",
    "family_name": "",
    "date_of_birth": None,
    "gender": "",
    "legal_name": "Stichting Apiverbond",
    "kvk_number": KVK,
    "rsin": RSIN,
    "establishment_place": "Lindeveld",
    "municipality": "Lindeveld",
}


@pytest.fixture
def intake(api, region_a):
    return api(region_a.users["intake"])


def _counts():
    return Signal.objects.count(), Subject.objects.count()


def test_register_legal_person_through_the_api_art_2(intake):
    """Art. 2 lid 1: a signal may concern a legal person; the API returns its name and numbers."""
    response = intake.post("/api/v1/signals", signal_body(subject=ORGANISATION), format="json")
    assert response.status_code == 201, response.content
    subject = response.json()["subject"]
    assert subject["kind"] == "legal_person" and subject["legal_name"] == "Stichting Apiverbond"
    assert subject["kvk_number"] == KVK and subject["rsin"] == RSIN and subject["date_of_birth"] is None
    assert subject["municipality"] == "Lindeveld"
    again = intake.post(
        "/api/v1/signals", signal_body(subject={**ORGANISATION, "legal_name": "Hernoemd", "rsin": ""}), format="json"
    )
    assert again.json()["known_person"] is True, "the known-subject check matches on the KvK number"


@pytest.mark.parametrize(
    "subject, field",
    [
        ({**ORGANISATION, "kvk_number": "1234567"}, "subject.kvk_number"),
        ({**ORGANISATION, "kvk_number": "abcdefgh"}, "subject.kvk_number"),
        ({**ORGANISATION, "rsin": "123456789"}, "subject.rsin"),
        ({**ORGANISATION, "legal_name": ""}, "subject.legal_name"),
        ({**ORGANISATION, "bsn": RSIN}, "subject.bsn"),
        ({"kind": "natural_person", "kvk_number": KVK}, "subject.kvk_number"),
        ({"date_of_birth": None}, "subject.date_of_birth"),
        ({"kind": "stichting"}, "subject.kind"),
    ],
)
def test_bad_kvk_rsin_or_kind_is_problem_json_art_2(intake, subject, field):
    """Art. 2, 5: a KvK number or RSIN that fails validation is a 400 problem naming the field."""
    before = _counts()
    response = intake.post("/api/v1/signals", signal_body(subject=subject), format="json")
    body = assert_problem(response, 400, field)
    assert any(p["reason"] for p in body["invalidParams"])
    assert _counts() == before


def test_aanmelding_by_default_records_participant_and_addressee_art_4_d_art_5_lid_1(intake, region_a):
    """Art. 5 lid 1, art. 4 d: without a route the signal is an aanmelding by the caller's organisation."""
    body = intake.post("/api/v1/signals", signal_body(), format="json").json()
    assert body["intake_route"] == "referral" and body["addressed_to"] == "mayor"
    assert body["registered_by_organisation"] == region_a.users["intake"].organisation.name
    assert body["reporter_kind"] == ""


def test_melding_by_anyone_through_the_api_art_5_lid_2(intake):
    """Art. 5 lid 2: a melding by a citizen, professional or anonymous, addressed to politie, OM
    or the burgemeester."""
    response = intake.post(
        "/api/v1/signals",
        signal_body(intake_route="report", reporter_kind="anonymous", addressed_to="prosecution"),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["intake_route"] == "report" and body["reporter_kind"] == "anonymous"
    assert body["addressed_to"] == "prosecution"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"intake_route": "report"}, "reporter_kind"),
        ({"intake_route": "report", "reporter_kind": "anonymous", "reporter_contact": "06-1"}, "reporter_contact"),
        ({"reporter_name": "Iemand"}, "reporter_name"),
        ({"addressed_to": "nctv"}, "addressed_to"),
        ({"intake_route": "telefoon"}, "intake_route"),
    ],
)
def test_bad_way_in_is_problem_json_art_5(intake, overrides, field):
    before = _counts()
    assert_problem(intake.post("/api/v1/signals", signal_body(**overrides), format="json"), 400, field)
    assert _counts() == before
