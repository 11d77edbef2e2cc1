"""Case conferences over the API: scheduling refusals, the scoped agenda, writes per item."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casustafel.meetings import services
from casustafel.meetings.models import Meeting, MeetingAction

from ..conftest import make_case
from ..factories import admit_ggz
from ..meetings_helpers import meeting_with_case, schedule
from .conftest import API, assert_problem

pytestmark = pytest.mark.django_db


def _iso(moment):
    return moment.isoformat()


def test_schedule_and_refusals(api, region_a):
    client = api(region_a.users["process_director"])
    start = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    body = {"starts_at": _iso(start), "ends_at": _iso(start + timedelta(hours=2)), "location": "Stadhuis"}
    created = client.post(f"{API}/meetings", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["location"] == "Stadhuis"
    overlap = client.post(
        f"{API}/meetings",
        {**body, "starts_at": _iso(start + timedelta(hours=1)), "ends_at": _iso(start + timedelta(hours=3))},
        format="json",
    )
    assert "overlapt" in assert_problem(overlap, 400, "starts_at")["invalidParams"][0]["reason"]
    past = timezone.now() - timedelta(days=1)
    response = client.post(
        f"{API}/meetings", {**body, "starts_at": _iso(past), "ends_at": _iso(past + timedelta(hours=1))}, format="json"
    )
    assert_problem(response, 400, "starts_at")
    for bad in ({}, {"starts_at": "gisteren", "ends_at": 3, "location": ["x"]}, {**body, "location": "x" * 300}):
        assert_problem(client.post(f"{API}/meetings", bad, format="json"), 400)
    assert_problem(client.post(f"{API}/meetings", "geen json", content_type="application/json"), 400)
    assert Meeting.objects.count() == 1


def test_scoped_agenda_per_organisation(api, region_a):
    cases = [make_case(region_a, family_name=f"Api{n:02d}") for n in range(10)]
    for case in cases[:3]:
        admit_ggz(region_a, case)
    meeting = schedule(region_a)
    services.build_agenda(region_a.users["process_director"], meeting=meeting)
    url = f"{API}/meetings/{meeting.pk}"
    ggz = api(region_a.users["participant_ggz"]).get(url)
    assert ggz.status_code == 200
    assert {i["case_reference"] for i in ggz.json()["agenda"]} == {c.reference for c in cases[:3]}
    assert cases[5].reference not in ggz.content.decode()
    for key in ("process_director", "weigher_om"):
        body = api(region_a.users[key]).get(url).json()
        assert len(body["agenda"]) == 10
        assert {o["kind"] for o in body["agenda"][0]["participating_organisations"]} >= {"gemeente", "politie", "om"}


def test_item_writes_and_action_owner_required(api, region_a, case_a):
    meeting, item, action = meeting_with_case(region_a, case_a)
    chair = api(region_a.users["process_director"])
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = chair.post(
        f"{API}/agenda-items/{item.pk}/actions", {"description": "Bellen", "due_date": due}, format="json"
    )
    assert "eigenaar" in assert_problem(response, 400, "owner")["invalidParams"][0]["reason"]
    response = chair.post(
        f"{API}/agenda-items/{item.pk}/actions",
        {"description": "Bellen", "due_date": due, "owner": str(region_a.orgs["ggz"].pk)},
        format="json",
    )
    assert_problem(response, 400, "owner")
    response = chair.post(
        f"{API}/agenda-items/{item.pk}/actions",
        {"description": "Bellen", "due_date": "1999-01-01", "owner": str(region_a.orgs["politie"].pk)},
        format="json",
    )
    assert_problem(response, 400, "due_date")
    assert MeetingAction.objects.count() == 1
    assert (
        chair.post(f"{API}/agenda-items/{item.pk}/minutes", {"minutes": "Besproken"}, format="json").json()["minutes"]
        == "Besproken"
    )
    assert chair.post(f"{API}/agenda-items/{item.pk}/decisions", {"text": "Door"}, format="json").status_code == 201
    assert_problem(chair.post(f"{API}/agenda-items/{item.pk}/decisions", {"text": ""}, format="json"), 400, "text")
    assert (
        chair.post(
            f"{API}/meetings/{meeting.pk}/attendance",
            {"organisation": str(region_a.orgs["om"].pk), "attendance": "afwezig"},
            format="json",
        ).status_code
        == 200
    )
    assert_problem(
        chair.post(f"{API}/meetings/{meeting.pk}/agenda-items", {"case": str(case_a.pk)}, format="json"), 400, "case"
    )
    assert_problem(chair.post(f"{API}/meetings/{meeting.pk}/agenda-items", {"case": "x"}, format="json"), 400, "case")
    # The owner completes the action; a second time is refused.
    owner = api(region_a.users["participant_reclassering"])
    done = owner.post(f"{API}/meeting-actions/{action.pk}/completion")
    assert done.status_code == 200 and done.json()["status"] == "afgerond"
    assert_problem(owner.post(f"{API}/meeting-actions/{action.pk}/completion"), 400, "status")


def test_ggz_cannot_reach_items_of_other_cases(api, region_a, case_a):
    meeting, item, action = meeting_with_case(region_a, case_a)
    ggz = api(region_a.users["participant_ggz"])
    assert ggz.get(f"{API}/meetings/{meeting.pk}").json()["agenda"] == []
    assert_problem(ggz.post(f"{API}/agenda-items/{item.pk}/minutes", {"minutes": "x"}, format="json"), 404)
    assert_problem(ggz.post(f"{API}/meeting-actions/{action.pk}/completion"), 404)
