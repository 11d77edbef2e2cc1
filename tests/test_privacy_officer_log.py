"""The privacy officer's processing-log page (/logboek/): own region only, no case
content, BSN search by POST only, the FG's searches logged, constant query count. Every
query names its purpose (Wet PGA art. 14 lid 2, ``PURPOSE``; see test_processing_log_purpose.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casustafel.flow.services import register_signal
from casustafel.processing_log.models import Action, ProcessingLogEntry, Purpose, Status
from casustafel.processing_log.selectors import Criteria, search
from casustafel.processing_log.verify import verify
from casustafel.signals.models import Signal
from casustafel.signals.selectors import get_signal

from .conftest import make_case
from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db

URL = reverse("processing_log:logbook")
#: Art. 14 lid 2: every query of the log names its purpose.
PURPOSE = {"purpose": "internal_control"}
BSN = "123456782"
FACTS = "Verzamelt bouwtekeningen van het stadhuis."


@pytest.fixture
def person(region_a):
    """A region-a person with a BSN, a distinctive name and distinctive facts, read once."""
    signal = register_signal(
        region_a.users["intake"],
        subject=subject_data(bsn=BSN, given_names="Zebedeus", family_name="Kwakernaak"),
        fields=signal_fields(facts=FACTS),
    ).signal
    get_signal(region_a.users["weigher_politie"], signal.pk)
    return signal


@pytest.fixture
def officer(client, region_a):
    login(client, region_a.users["privacy_officer"])
    return region_a.users["privacy_officer"]


def _assert_no_content(html, *, bsn_posted=False):
    for secret in ("Zebedeus", "Kwakernaak", FACTS):
        assert secret not in html
    if not bsn_posted:  # a posted search form shows back what the FG typed, nothing more
        assert BSN not in html


def test_fg_sees_who_processed_data_of_the_region_without_content(client, officer, person, region_a):
    response = client.get(URL, PURPOSE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Logboek dataverwerkingen" in html
    assert person.reference in html
    assert region_a.users["weigher_politie"].display_name in html and "politie a" in html
    assert "Registratie en voorbereiding van signalen" in html  # the activity from the register
    _assert_no_content(html)


def test_nav_link_only_for_privacy_officers(client, region_a):
    login(client, region_a.users["privacy_officer"])
    assert URL in client.get(reverse("web:dashboard")).content.decode()
    client.logout()
    login(client, region_a.users["intake"])
    assert URL not in client.get(reverse("web:dashboard")).content.decode()


def test_other_region_rows_are_invisible(client, world, person, region_a):
    make_case(world["b"], family_name="Anderregio")
    login(client, world["b"].users["privacy_officer"])
    html = client.get(URL, PURPOSE).content.decode()
    assert person.reference not in html and region_a.users["weigher_politie"].display_name not in html
    b_case = world["b"].users["case_director"]
    assert b_case.display_name in html or world["b"].users["intake"].display_name in html
    # A region-a reference or BSN is unknown to region b's FG.
    response = client.post(URL, {"signal_reference": person.reference, **PURPOSE})
    assert response.status_code == 200 and "geen signaal met dit kenmerk" in response.content.decode()
    response = client.post(URL, {"bsn": BSN, **PURPOSE})
    assert "geen betrokkene met dit burgerservicenummer" in response.content.decode()
    _assert_no_content(response.content.decode(), bsn_posted=True)


def test_bsn_search_by_post_shows_only_that_person_and_is_logged(client, officer, person, region_a):
    other = register_signal(
        region_a.users["intake"], subject=subject_data(family_name="Anders"), fields=signal_fields()
    ).signal
    response = client.post(URL, {"bsn": BSN, **PURPOSE})
    assert response.status_code == 200
    html = response.content.decode()
    assert person.reference in html and other.reference not in html
    _assert_no_content(html, bsn_posted=True)
    assert "no-store" in response["Cache-Control"]
    search = ProcessingLogEntry.objects.filter(audit_record__user=officer, action=Action.SEARCH)
    assert list(
        search.exclude(object_type="logconsultation").values_list("purpose", "object_type", "data_subject_id", "status")
    ) == [(Purpose.PRIVACY_SUPERVISION, "subject", person.subject_id, Status.OK)]
    assert verify().intact


def test_bsn_in_the_query_string_is_ignored(client, officer, person):
    response = client.get(URL, {"bsn": BSN})
    assert response.status_code == 200
    assert not ProcessingLogEntry.objects.filter(audit_record__user=officer, action=Action.SEARCH).exists()
    assert BSN not in response.content.decode()


def test_invalid_bsn_is_a_dutch_form_error(client, officer, person):
    response = client.post(URL, {"bsn": "123456789", **PURPOSE})
    assert response.status_code == 400
    assert "Dit is geen geldig burgerservicenummer" in response.content.decode()
    assert not ProcessingLogEntry.objects.filter(audit_record__user=officer, action=Action.SEARCH).exists()


def test_case_search_shows_case_rows_and_refused_attempts(client, world, officer, region_a):
    case = make_case(region_a, family_name="Casuspersoon")
    outsider = world["b"].users["case_director"]
    login(client, outsider)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    login(client, officer)
    response = client.post(URL, {"case_reference": case.reference.lower(), **PURPOSE})
    html = response.content.decode()
    assert response.status_code == 200 and case.reference in html
    assert "Geweigerd" in html  # the refused attempt on this case is in the results
    assert "Casuspersoon" not in html
    assert (
        ProcessingLogEntry.objects.filter(audit_record__user=officer, action=Action.SEARCH, object_id=case.pk).count()
        == 1
    )


def test_period_filter_by_get(client, officer, person):
    assert (
        person.reference
        not in client.get(URL, {"date_from": "2001-01-01", "date_to": "2001-12-31", **PURPOSE}).content.decode()
    )
    response = client.get(URL, {"date_from": "2999-01-01", "date_to": "2001-01-01", **PURPOSE})
    assert response.status_code == 400 and "De begindatum ligt na de einddatum." in response.content.decode()


def test_page_query_count_is_constant(client, officer, region_a):
    intake = region_a.users["intake"]

    def add(n):
        for i in range(n):
            signal = register_signal(
                intake, subject=subject_data(family_name=f"Telling{i}"), fields=signal_fields()
            ).signal
            make_case(region_a, family_name=f"Casus{i}") if i == 0 else get_signal(intake, signal.pk)

    def count(method, data):
        client.get(URL, PURPOSE)  # warm-up (session, caches)
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(URL, {**data, **PURPOSE})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.context["page"].paginator.count

    add(2)
    few = count("get", {}), count("post", {"date_from": "2000-01-01"})
    add(6)
    many = count("get", {}), count("post", {"date_from": "2000-01-01"})
    assert [q for q, _ in few] == [q for q, _ in many]
    assert all(m > f for (_, f), (_, m) in zip(few, many, strict=True))


def test_refused_rows_are_listed_for_the_region_of_the_actor(client, world, person, region_a):
    """A region-b user's refused attempt on a region-a signal is in region b's log (actor's region)."""
    outsider = world["b"].users["intake"]
    with pytest.raises(Http404):
        get_signal(outsider, person.pk)
    login(client, world["b"].users["privacy_officer"])
    html = client.get(URL, PURPOSE).content.decode()
    assert outsider.display_name in html and "Geweigerd" in html
    _assert_no_content(html)
    assert person.reference not in html  # the reference of another region's signal is not shown
    assert Signal.objects.filter(pk=person.pk).exists()


def test_rows_show_user_role_and_organisation_from_the_audit_record(client, officer, region_a):
    """Who acted comes through the linked audit record (ADR 0015), role as held when acting."""
    intake = region_a.users["intake"]
    register_signal(intake, subject=subject_data(family_name="Verantwoording"), fields=signal_fields())
    page = client.get(URL, PURPOSE).content.decode()
    assert intake.display_name in page and str(intake.organisation) in page
    assert str(intake.get_role_display()) in page


def test_a_persons_history_is_listed_newest_first(officer, person):
    """The search sorts after the indexed lookup (``id + 0``, BENCHMARKS.md 12.8), still newest first."""
    result = search(officer, Criteria(purpose=PURPOSE["purpose"], bsn=BSN))
    ids = list(result.entries.values_list("id", flat=True))
    assert len(ids) >= 2 and ids == sorted(ids, reverse=True)
    assert all(person.subject_id in (row.data_subject_id, row.object_id) for row in result.entries), (
        "only the person's rows"
    )
