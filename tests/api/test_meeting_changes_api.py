"""Planning changes of case conferences over the API (issue 12, item 7): edit, cancel,
record afterwards, and the date bounds (problem+json 400)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from casustafel.meetings import states

from ..meetings_helpers import schedule
from .conftest import API, assert_problem

pytestmark = pytest.mark.django_db


def _moment(days, hour=10):
    return (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _year_9999():
    return timezone.make_aware(datetime(9999, 6, 1, 10, 0))


def test_api_year_9999_is_a_problem(api, region_a):
    start = _year_9999()
    body = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(), "location": "Zaal"}
    assert_problem(
        api(region_a.users["process_director"]).post(f"{API}/meetings", body, format="json"), 400, "starts_at"
    )


def test_api_edit_cancel_and_record_afterwards(api, region_a):
    client = api(region_a.users["process_director"])
    meeting = schedule(region_a)
    start = _moment(12)
    body = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(), "location": "Zaal 2"}
    response = client.put(f"{API}/meetings/{meeting.pk}", body, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 200 and response.json()["location"] == "Zaal 2"
    assert_problem(client.post(f"{API}/meetings/{meeting.pk}/cancellation", {}, format="json"), 400, "reason")
    response = client.post(f"{API}/meetings/{meeting.pk}/cancellation", {"reason": "Ziek"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == states.CANCELLED
    assert_problem(client.put(f"{API}/meetings/{meeting.pk}", body, format="json", HTTP_IF_MATCH="*"), 400)
    past = _moment(-3)
    record = {
        "starts_at": past.isoformat(),
        "ends_at": (past + timedelta(hours=1)).isoformat(),
        "location": "Bureau",
        "reason": "Spoed",
    }
    response = client.post(f"{API}/meetings/recorded-afterwards", record, format="json")
    assert response.status_code == 201 and response.json()["status"] == states.RECORDED_AFTERWARDS
    future = {**record, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    assert_problem(client.post(f"{API}/meetings/recorded-afterwards", future, format="json"), 400, "starts_at")
