"""Reads through the API: logged per row with via_api, constant query counts, standard headers."""

import re

import pytest

from casustafel.flow.services import register_signal
from casustafel.processing_log.models import Action, ProcessingLogEntry

from ..conftest import make_case
from ..factories import signal_fields, subject_data

pytestmark = pytest.mark.django_db


def _signals(region, count):
    for n in range(count):
        register_signal(
            region.users["intake"], subject=subject_data(family_name=f"Persoon{n}", bsn=""), fields=signal_fields()
        )


def test_list_logs_each_row_of_the_page_via_api(api, region_a):
    _signals(region_a, 4)
    before = _last_log_id()  # the log is append-only: look at the rows written after this
    user = region_a.users["weigher_om"]
    body = api(user).get("/api/v1/signals?pageSize=3").json()
    assert body["count"] == 4 and len(body["results"]) == 3
    entries = ProcessingLogEntry.objects.filter(action=Action.LIST, id__gt=before)
    assert sorted(str(e.object_id) for e in entries) == sorted(row["id"] for row in body["results"])
    assert all(e.audit_record.via_api and e.audit_record.user_id == user.pk for e in entries)
    assert ProcessingLogEntry.objects.filter(id__gt=before).count() == 3


def _last_log_id() -> int:
    return ProcessingLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_detail_reads_are_logged_via_api(api, region_a, case_a, weighing_a, signal_a):
    before = _last_log_id()
    client = api(region_a.users["intake"])
    client.get(f"/api/v1/signals/{signal_a.pk}")
    client.get(f"/api/v1/weighings/{weighing_a.pk}")
    client.get(f"/api/v1/cases/{case_a.pk}")
    client.get("/api/v1/cases")
    entries = list(
        ProcessingLogEntry.objects.filter(id__gt=before).values_list(
            "action", "object_type", "object_id", "audit_record__via_api"
        )
    )
    assert entries == [
        (Action.READ, "signal", signal_a.pk, True),
        (Action.READ, "weighing", weighing_a.pk, True),
        (Action.READ, "case", case_a.pk, True),
        (Action.LIST, "case", case_a.pk, True),
    ]


def test_refused_read_is_logged_as_refused(api, world, signal_a):
    before = _last_log_id()
    assert api(world["b"].users["intake"]).get(f"/api/v1/signals/{signal_a.pk}").status_code == 404
    rows = list(
        ProcessingLogEntry.objects.filter(id__gt=before).values_list(
            "status", "object_id", "data_subject_id", "audit_record__via_api"
        )
    )
    assert rows == [("refused", signal_a.pk, None, True)]


def _queries(client, url, django_assert_max_num_queries, limit):
    limit += 1  # every API call checks the caller's designation (art. 13 Wet PGA, ADR 0029)
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.json()["results"])


def test_signal_list_query_count_does_not_grow(api, region_a, django_assert_max_num_queries):
    client = api(region_a.users["intake"])
    _signals(region_a, 3)
    few, rows = _queries(client, "/api/v1/signals", django_assert_max_num_queries, 13)
    assert rows == 3
    _signals(region_a, 27)
    many, rows = _queries(client, "/api/v1/signals", django_assert_max_num_queries, 13)
    assert rows == 30 and many == few


def test_case_list_query_count_does_not_grow(api, region_a, django_assert_max_num_queries):
    client = api(region_a.users["case_director"])
    make_case(region_a, family_name="Eerste")
    few, rows = _queries(client, "/api/v1/cases", django_assert_max_num_queries, 13)
    assert rows == 1
    for n in range(4):
        make_case(region_a, family_name=f"Volgende{n}")
    many, rows = _queries(client, "/api/v1/cases", django_assert_max_num_queries, 13)
    assert rows == 5 and many == few


def test_api_version_and_traceparent_headers(api, region_a):
    client = api(region_a.users["intake"])
    for response in (
        client.get("/api/v1/signals"),
        api().get("/api/v1/signals"),
        client.get("/api/v1/nergens"),
        api().get("/api/v1/openapi.json"),
    ):
        assert response["API-Version"] == "1.0.0"
        assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", response["traceparent"])


def test_incoming_traceparent_is_continued(api, region_a):
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    response = api(region_a.users["intake"]).get("/api/v1/cases", HTTP_TRACEPARENT=f"00-{trace_id}-00f067aa0ba902b7-01")
    assert response["traceparent"].startswith(f"00-{trace_id}-")
    problem = api().get("/api/v1/cases", HTTP_TRACEPARENT=f"00-{trace_id}-00f067aa0ba902b7-01").json()
    assert problem["traceId"] == trace_id
