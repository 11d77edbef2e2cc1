"""Request overhead of the list pages (issue 15 item 3, ADR 0055): the filter of a list reads
its options (the region's gemeenten, its case directors) in one plain SELECT each, not
through a server-side cursor (DECLARE, FETCH and CLOSE: three round trips per select)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .helpers import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "who, route", [("case_director", "cases:case_list"), ("intake", "signals:signal_list")], ids=["cases", "signals"]
)
def test_a_list_filter_reads_its_options_without_a_server_side_cursor(region_a, case_a, who, route):
    client = login(Client(), region_a.users[who])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(route))
    assert response.status_code == 200
    assert [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("DECLARE")] == []
    html = response.content.decode()
    # the options are still there: the region's gemeenten (and, on the case list, its case directors)
    gemeente = region_a.orgs["gemeente"]
    assert f'<option value="{gemeente.pk}">{gemeente.name}</option>' in html
    if route == "cases:case_list":
        director = region_a.users["case_director"]
        assert f'<option value="{director.pk}">{director.display_name}</option>' in html
