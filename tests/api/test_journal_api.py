"""The case journal through the API (issue 12 item 3): read what the caller may see, add an
update with provenance; bad input is a problem+json 400 naming the field, nothing written."""

import pytest

from casustafel.journal.models import JournalEntry
from casustafel.processing_log.models import ProcessingLogEntry

from .conftest import assert_problem

pytestmark = pytest.mark.django_db


def journal_body(request=None, **overrides) -> dict:
    body = {
        "text": "Toezichtgesprek gehouden (fictief).",
        "legal_basis": "wet-pga",
        "classification": "ordinary",
        "visibility": "all_participants",
    }
    body.update(overrides)
    return body


def test_a_participant_adds_and_reads_the_journal(api, region_a, case_a):
    client = api(region_a.users["participant_reclassering"])
    path = f"/api/v1/cases/{case_a.pk}/journal"
    response = client.post(path, journal_body(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation"] == "reclassering a" and body["data_category"] == "plan_of_action"
    assert body["legal_basis"] == "wet-pga" and body["kind"] == "update" and body["corrects"] is None
    entry = JournalEntry.objects.get(pk=body["id"])
    assert ProcessingLogEntry.objects.filter(object_id=entry.pk, action="create").exists()
    correction = client.post(path, journal_body(text="Gecorrigeerd", corrects=str(entry.pk)), format="json")
    assert correction.status_code == 201 and correction.json()["kind"] == "correction"
    listed = api(region_a.users["case_director"]).get(path)
    assert listed.status_code == 200
    assert [e["text"] for e in listed.json()] == ["Gecorrigeerd", "Toezichtgesprek gehouden (fictief)."]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"text": ""}, "text"),
        ({"legal_basis": "wpg-20"}, "legal_basis"),
        ({"classification": "special_category"}, "classification"),
        ({"visibility": "iedereen"}, "visibility"),
        ({"corrects": "geen-uuid"}, "corrects"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(api, region_a, case_a, overrides, field):
    response = api(region_a.users["participant_reclassering"]).post(
        f"/api/v1/cases/{case_a.pk}/journal", journal_body(**overrides), format="json"
    )
    assert_problem(response, 400, field)
    assert JournalEntry.objects.count() == 0
