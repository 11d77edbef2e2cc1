"""The signal, weighing and case lists (issue 12 item 5, ADR 0035): filters on state,
phenomenon, gemeente, case director and period; sortable columns with aria-sort; the most
urgent or newest first; an acute signal highlighted with a visible label; query count
independent of the number of rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casustafel.cases.models import Case
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.signals.models import Phenomenon, Signal, Urgency
from casustafel.subjects.models import Subject

from .conftest import make_case
from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db


def _signal(region, family_name, **fields):
    return register_signal(
        region.users["intake"], subject=subject_data(family_name=family_name), fields=signal_fields(**fields)
    ).signal


def _rows(response, marker: str) -> list[str]:
    """The references in the order the list shows them."""
    return re.findall(rf">({marker}-\d{{4}}-[A-Z0-9]+)</a>", response.content.decode())


def _get(client, user, url, **params):
    login(client, user)
    return client.get(url, params)


def test_signals_acute_first_then_newest_with_a_visible_label(client, region_a):
    normal = _signal(region_a, "Eerst")
    acute = _signal(region_a, "Acuutpersoon", urgency=Urgency.ACUTE)
    newest = _signal(region_a, "Laatst")
    response = _get(client, region_a.users["intake"], "/signalen/")
    assert _rows(response, "SIG") == [acute.reference, newest.reference, normal.reference]
    html = response.content.decode()
    row = re.search(rf'<tr class="row--acute">\s*<td><a [^>]*>{acute.reference}</a>.*?</tr>', html, re.S)
    assert row and "Acuut</strong>" in row.group(0), "acute: a row class and a visible label, not colour only"
    assert re.search(r'<th scope="col" aria-sort="descending"><a href="\?sorteer=urgentie">Urgentie</a>', html)


def test_signal_columns_sort_both_ways_with_aria_sort(client, region_a):
    first, second = _signal(region_a, "Een"), _signal(region_a, "Twee")
    user = region_a.users["intake"]
    ascending = _get(client, user, "/signalen/", sorteer="geregistreerd")
    assert _rows(ascending, "SIG") == [first.reference, second.reference]
    assert 'aria-sort="ascending"><a href="?sorteer=-geregistreerd">' in ascending.content.decode()
    descending = _get(client, user, "/signalen/", sorteer="-geregistreerd")
    assert _rows(descending, "SIG") == [second.reference, first.reference]
    # An unknown column falls back to the default order, never an error.
    assert _get(client, user, "/signalen/", sorteer="bsn").status_code == 200


def test_signal_filters_state_phenomenon_urgency_gemeente_period(client, region_a):
    left = _signal(region_a, "Links", phenomenon=Phenomenon.LEFT_WING)
    right = _signal(region_a, "Rechts", urgency=Urgency.HIGH)
    Subject.objects.filter(pk=right.subject_id).update(municipality_organisation=region_a.orgs["gemeente"])
    user = region_a.users["intake"]
    assert _rows(_get(client, user, "/signalen/", fenomeen=Phenomenon.LEFT_WING), "SIG") == [left.reference]
    assert _rows(_get(client, user, "/signalen/", urgentie=Urgency.HIGH), "SIG") == [right.reference]
    assert _rows(_get(client, user, "/signalen/", gemeente=region_a.orgs["gemeente"].pk), "SIG") == [right.reference]
    assert _rows(_get(client, user, "/signalen/", status="in_weighing"), "SIG") == []
    today = timezone.localdate()
    Signal.objects.filter(pk=left.pk).update(registered_at=timezone.now() - timedelta(days=40))
    recent = _get(client, user, "/signalen/", van=(today - timedelta(days=7)).isoformat(), tot=today.isoformat())
    assert _rows(recent, "SIG") == [right.reference]


def test_a_bad_filter_is_refused_with_a_clear_message(client, region_a):
    _signal(region_a, "Iemand")
    response = _get(client, region_a.users["intake"], "/signalen/", van="2026-02-01", tot="2026-01-01")
    assert response.status_code == 400
    assert "De einddatum ligt vóór de begindatum." in response.content.decode()


def test_weighings_with_an_acute_signal_first(client, region_a):
    users = region_a.users
    acute = _signal(region_a, "Acuut", urgency=Urgency.ACUTE)  # an acute signal goes to weighing at once
    acute.refresh_from_db()
    later = send_to_weighing(users["intake"], signal=_signal(region_a, "Later"))
    response = _get(client, users["weigher_om"], "/wegingen/")
    refs = [w.reference for w in (acute.weighing, later.weighing)]
    prefix = refs[0].split("-")[0]
    assert _rows(response, prefix) == refs
    assert "Acuut</strong>" in response.content.decode()
    newest = _get(client, users["weigher_om"], "/wegingen/", sorteer="-geopend")
    assert _rows(newest, prefix) == refs[::-1]
    filtered = _get(client, users["weigher_om"], "/wegingen/", urgentie=Urgency.ACUTE)
    assert _rows(filtered, prefix) == refs[:1]


def test_cases_newest_first_and_filtered_by_case_director_and_phenomenon(client, region_a):
    older, newer = make_case(region_a, family_name="Ouder"), make_case(region_a, family_name="Nieuwer")
    Case.objects.filter(pk=older.pk).update(opened_at=timezone.now() - timedelta(days=3))
    user = region_a.users["process_director"]
    assert _rows(_get(client, user, "/casussen/"), "PGA") == [newer.reference, older.reference]
    director = region_a.users["case_director"]
    assert _rows(_get(client, user, "/casussen/", regisseur=director.pk), "PGA") == [newer.reference, older.reference]
    assert _rows(_get(client, user, "/casussen/", fenomeen=Phenomenon.JIHADIST), "PGA") == []
    assert _rows(_get(client, user, "/casussen/", fenomeen=Phenomenon.RIGHT_WING, status="active"), "PGA") == [
        newer.reference,
        older.reference,
    ]
    html = _get(client, user, "/casussen/", sorteer="kenmerk").content.decode()
    assert 'aria-sort="ascending"><a href="?sorteer=-kenmerk">Kenmerk</a>' in html


def test_pagination_keeps_the_filters(client, region_a):
    for n in range(26):
        _signal(region_a, f"Persoon{n}", phenomenon=Phenomenon.LEFT_WING)
    html = _get(client, region_a.users["intake"], "/signalen/", fenomeen=Phenomenon.LEFT_WING).content.decode()
    assert f"?fenomeen={Phenomenon.LEFT_WING}&amp;pagina=2" in html


def _count(client, user, url) -> int:
    login(client, user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_is_constant_in_the_number_of_rows(client, region_a):
    users = region_a.users
    make_case(region_a, family_name="Eén")
    _signal(region_a, "Los", urgency=Urgency.ACUTE)
    before = {
        url: _count(client, user, url)
        for url, user in (
            ("/signalen/", users["intake"]),
            ("/wegingen/", users["weigher_om"]),
            ("/casussen/", users["process_director"]),
        )
    }
    for n in range(3):
        make_case(region_a, family_name=f"Meer{n}")
        _signal(region_a, f"Los{n}", urgency=Urgency.ACUTE)
    after = {
        url: _count(client, user, url)
        for url, user in (
            ("/signalen/", users["intake"]),
            ("/wegingen/", users["weigher_om"]),
            ("/casussen/", users["process_director"]),
        )
    }
    assert after == before


def test_art3_lid3_a_third_party_without_identifying_data_sees_no_name_in_the_case_list(client, region_a):
    from casustafel.demo import admit_jointly

    case = make_case(region_a, family_name="Verborgen")
    admit_jointly(
        region_a.users["weigher_gemeente"],
        case=case,
        organisation=region_a.orgs["ggz"],
        expertise="Behandeling",
        necessary_data=["plan_of_action"],
    )
    html = _get(client, region_a.users["participant_ggz"], "/casussen/").content.decode()
    assert case.reference in html and "Verborgen" not in html
    assert "Niet zichtbaar voor uw organisatie" in html
    assert "Verborgen" in _get(client, region_a.users["participant_reclassering"], "/casussen/").content.decode()
