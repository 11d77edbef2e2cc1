"""Issue 15 item 3: the number of SQL queries of the main pages stays the same as the data
grows — with N and with 3N cases (each with its signal, weighing, decision and participants)
in the region, all matching the search; the conference agenda with N and 3N items (a known
N+1 there, marked as such).

Counts, not timings (timings are in bench/load.py): an N+1 — a lookup per row slipped into a
template, a selector or a policy check — shows up here as a difference that names the page.
Every page is requested once before the first measurement, so lookups cached once per process
(the processing activity of a purpose, the menu's work count) do not count for one size only.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casustafel.meetings import services as meetings

from .conftest import make_case
from .helpers import login
from .meetings_helpers import schedule

pytestmark = pytest.mark.django_db

N = 2
NAME = "Veelvoud"


def add_cases(region, meeting, start: int, stop: int) -> list:
    cases = [make_case(region, family_name=NAME, date_of_birth=date(1990, 1, 1 + i)) for i in range(start, stop)]
    for case in cases:
        meetings.add_agenda_item(region.users["process_director"], meeting=meeting, case=case)
    return cases


def test_the_main_pages_read_as_many_queries_with_n_and_with_3n_cases(region_a):
    meeting = schedule(region_a)
    first = add_cases(region_a, meeting, 0, N)[0]
    clients = {key: login(Client(), region_a.users[key]) for key in ("case_director", "weigher_gemeente", "intake")}
    clients["chair"] = login(Client(), region_a.users["process_director"])
    pages = {
        "case list": ("case_director", "get", reverse("cases:case_list"), None),
        "case detail": ("case_director", "get", reverse("cases:case_detail", args=[first.pk]), None),
        "weighing": (
            "weigher_gemeente",
            "get",
            reverse("weighing:weighing_detail", args=[first.origin_decision.weighing_id]),
            None,
        ),
        "work queue (dashboard)": ("case_director", "get", reverse("web:dashboard"), None),
        "search": ("case_director", "post", reverse("search:search"), {"q": NAME}),
        "signal list": ("intake", "get", reverse("signals:signal_list"), None),
    }

    def measure() -> dict[str, int]:
        counts = {}
        for name, (who, method, url, data) in pages.items():
            with CaptureQueriesContext(connection) as ctx:
                response = getattr(clients[who], method)(url, data)
            assert response.status_code == 200, (name, response.status_code)
            counts[name] = len(ctx.captured_queries)
        return counts

    measure()  # warm: per-process caches, the menu's count in each session
    small = measure()
    add_cases(region_a, meeting, N, 3 * N)
    large = measure()
    assert {name: (small[name], large[name]) for name in pages if small[name] != large[name]} == {}
    # the rows are really there: the list pages show 3N rows
    html = clients["case_director"].post(reverse("search:search"), {"q": NAME}).content.decode()
    assert f"{3 * N} resultaten" in html


def test_the_conference_agenda_reads_as_many_queries_with_n_and_with_3n_items(region_a):
    meeting = schedule(region_a)
    add_cases(region_a, meeting, 0, N)
    chair = login(Client(), region_a.users["process_director"])
    url = reverse("meetings:meeting_detail", args=[meeting.pk])

    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert chair.get(url).status_code == 200
        return len(ctx.captured_queries)

    measure()
    small = measure()
    add_cases(region_a, meeting, N, 3 * N)
    assert measure() == small
