"""Search (issue 12 item 4, ADR 0035): one box — reference, name with date of birth, BSN —
over what the user may see and nothing else, logged as a search without its terms."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casustafel.processing_log.models import Action, ProcessingLogEntry
from casustafel.search.models import SearchRecord

from .conftest import make_case
from .helpers import login

pytestmark = pytest.mark.django_db

URL = "/zoeken/"
BSN = "111222333"  # passes the elfproef; fictitious
OTHER_BSN = "123456782"  # passes the elfproef; nobody has it


def _search(client, user, q):
    login(client, user)
    return client.post(URL, {"q": q})


def _results(response) -> str:
    """The results section only (the form echoes the term; the CSRF token differs per page)."""
    found = re.search(r'<section aria-labelledby="results-heading">.*?</section>', response.content.decode(), re.S)
    assert found, "no results section"
    return found.group(0)


@pytest.fixture
def own_case(region_a):
    return make_case(region_a, given_names="Piet", family_name="Zoekpersoon", bsn=BSN)


def test_route_is_in_the_namespace_search():
    assert reverse("search:search") == URL


def test_finds_own_case_by_reference(client, region_a, own_case):
    response = _search(client, region_a.users["case_director"], own_case.reference.lower())
    assert response.status_code == 200
    assert own_case.reference in _results(response)
    assert "Zoekpersoon" in _results(response)


def test_finds_own_signal_by_reference(client, region_a, signal_a):
    response = _search(client, region_a.users["intake"], signal_a.reference)
    assert signal_a.reference in _results(response)


def test_finds_own_case_by_name_and_date_of_birth(client, region_a, own_case):
    user = region_a.users["weigher_politie"]
    assert own_case.reference in _results(_search(client, user, "piet zoekpers 12-04-1999"))
    assert own_case.reference in _results(_search(client, user, "Zoekpersoon"))
    # Another date of birth: not this person.
    assert own_case.reference not in _results(_search(client, user, "Zoekpersoon 13-04-1999"))


def test_finds_own_case_by_bsn_through_the_blind_index(client, region_a, own_case):
    response = _search(client, region_a.users["case_director"], "1112.22.333")
    assert own_case.reference in _results(response)
    assert BSN not in response.content.decode().replace('value="1112.22.333"', "")


def test_does_not_find_another_regions_case(client, world, own_case):
    """Need-to-know (Wet PGA art. 3, 6): region b's table sees none of region a's rows."""
    other = make_case(world["b"], given_names="Piet", family_name="Zoekpersoon", bsn=BSN)
    user = world["a"].users["case_director"]
    for q in (BSN, "Zoekpersoon 12-04-1999"):
        section = _results(_search(client, user, q))
        assert own_case.reference in section and other.reference not in section
    assert other.reference not in _results(_search(client, user, other.reference))


def test_does_not_find_a_case_the_organisation_does_not_take_part_in(client, region_a, own_case):
    """Art. 3 lid 1: the ggz does not take part in the case, so it cannot find it."""
    user = region_a.users["participant_ggz"]
    for q in (own_case.reference, BSN, "Zoekpersoon"):
        assert "Niets gevonden" in _results(_search(client, user, q))


def test_hidden_gives_the_same_answer_as_absent(client, world, own_case):
    """Wet PGA art. 3 (need-to-know), never revealing that something else exists: region b's
    answer for region a's person and reference is exactly its answer for a person and
    reference that do not exist."""
    user = world["b"].users["weigher_gemeente"]
    pairs = [
        (BSN, OTHER_BSN),
        (own_case.reference, "CAS-2026-ZZZZZZ"),
        ("Zoekpersoon 12-04-1999", "Bestaatniet 12-04-1999"),
    ]
    for hidden, absent in pairs:
        hidden_response, absent_response = _search(client, user, hidden), _search(client, user, absent)
        assert hidden_response.status_code == absent_response.status_code == 200
        assert _results(hidden_response) == _results(absent_response)


def test_search_is_logged_without_its_terms(client, region_a, own_case):
    """Wet PGA art. 14 lid 2: the search is logged (a search record and one row per result,
    pseudonymous), but the BSN or name searched for is stored nowhere."""
    user = region_a.users["case_director"]
    _search(client, user, BSN)
    search = SearchRecord.objects.get(user=user)
    assert search.criteria == ["bsn"] and search.result_count == 1
    rows = ProcessingLogEntry.objects.filter(
        span_id__in=ProcessingLogEntry.objects.filter(object_id=search.pk).values("span_id")
    )
    assert {(r.action, r.object_type) for r in rows} == {(Action.SEARCH, "searchrecord"), (Action.SEARCH, "case")}
    assert rows.get(object_type="case").data_subject_id == own_case.subject_id
    stored = repr(list(SearchRecord.objects.values())) + repr(list(ProcessingLogEntry.objects.values()))
    assert BSN not in stored and "Zoekpersoon" not in stored


def test_a_search_that_finds_nothing_is_logged_too(client, region_a):
    """Wet PGA art. 14 lid 2: a search without results is a processing too."""
    user = region_a.users["intake"]
    _search(client, user, "Niemand 01-01-2000")
    search = SearchRecord.objects.get(user=user)
    assert search.criteria == ["name", "date_of_birth"] and search.result_count == 0
    assert ProcessingLogEntry.objects.filter(object_id=search.pk, action=Action.SEARCH).exists()


def test_terms_never_travel_in_the_url(client, region_a, own_case):
    """A GET (a term in a query string would land in access logs and history) searches nothing."""
    login(client, region_a.users["case_director"])
    response = client.get(URL, {"q": own_case.reference})
    assert response.status_code == 200
    assert own_case.reference not in response.content.decode()
    assert not SearchRecord.objects.exists()
    header = client.get(reverse("web:dashboard")).content.decode()
    assert re.search(r'<form method="post" action="/zoeken/"[^>]*role="search"', header)


def test_an_invalid_bsn_is_refused_with_a_clear_message(client, region_a):
    response = _search(client, region_a.users["intake"], "123456789")
    assert response.status_code == 400
    assert "geen geldig BSN" in response.content.decode()
    assert not SearchRecord.objects.exists()


def test_art3_lid3_third_party_without_identifying_data_does_not_find_by_name(client, region_a, own_case):
    from casustafel.demo import admit_jointly

    admit_jointly(
        region_a.users["weigher_gemeente"],
        case=own_case,
        organisation=region_a.orgs["ggz"],
        expertise="Behandeling",
        necessary_data=["plan_of_action"],
    )
    user = region_a.users["participant_ggz"]
    assert "Niets gevonden" in _results(_search(client, user, BSN))
    assert "Niets gevonden" in _results(_search(client, user, "Zoekpersoon"))
    by_reference = _results(_search(client, user, own_case.reference))
    assert own_case.reference in by_reference and "Zoekpersoon" not in by_reference


def test_query_count_is_constant_in_the_number_of_rows(client, region_a):
    user = region_a.users["case_director"]
    make_case(region_a, family_name="Veelvoud", date_of_birth=date(1990, 1, 1))
    login(client, user)
    with CaptureQueriesContext(connection) as one:
        client.post(URL, {"q": "Veelvoud"})
    for day in (2, 3, 4):
        make_case(region_a, family_name="Veelvoud", date_of_birth=date(1990, 1, day))
    with CaptureQueriesContext(connection) as four:
        response = client.post(URL, {"q": "Veelvoud"})
    assert "4 resultaten" in _results(response)  # the case director sees cases, not signals
    assert len(four) == len(one)


def test_a_date_of_birth_that_is_not_a_date_is_refused_with_a_clear_message(client, region_a):
    response = _search(client, region_a.users["intake"], "Piet 31-02-1999")
    assert response.status_code == 400
    assert "Schrijf de geboortedatum als dd-mm-jjjj" in response.content.decode()


@pytest.mark.parametrize("column", ["family_name", "given_names", "legal_name"])
def test_name_search_has_a_trigram_index_on_the_expression_django_queries(db, column):
    """PostgreSQL does the work: search/0001's GIN trigram index is built on exactly the
    expression of Django's icontains, so the planner may use it (row-level security adds the
    region condition; the planner picks the region or the trigram index by selectivity)."""
    from casustafel.subjects.models import Subject

    sql, _params = Subject.objects.filter(**{f"{column}__icontains": "zoek"}).query.sql_with_params()
    assert f'UPPER("subjects_subject"."{column}"::text) LIKE' in sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [f"subject_{column}_trgm"])
        (definition,) = cursor.fetchone()
    assert f"USING gin (upper(({column})::text) gin_trgm_ops)" in definition
