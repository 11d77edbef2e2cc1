"""The timeline of a case and of a person (issue 12 item 6): signals, weighing and decision,
conferences, plan changes and transitions, newest first, the user's visible part only
(need-to-know per organisation, art. 3 lid 3 Wet PGA for third parties), reads logged,
and a query count that does not grow with the number of events."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casustafel.cases.services import transition_case
from casustafel.meetings import services as meeting_services
from casustafel.plans.services import add_goal
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.timeline import selectors

from .conftest import make_case
from .factories import admit_ggz
from .helpers import login
from .meetings_helpers import meeting_with_case

pytestmark = pytest.mark.django_db


def _kinds(entries):
    return [str(entry.kind) for entry in entries]


def _texts(entries) -> str:
    return " | ".join(str(entry.text) for entry in entries)


def test_case_timeline_holds_every_source_newest_first(region_a, case_a):
    director = region_a.users["process_director"]
    meeting, item, action = meeting_with_case(region_a, case_a)
    meeting_services.add_decision(director, item=item, text="Huisbezoek inzetten")
    add_goal(region_a.users["case_director"], case=case_a, domain="huisvesting", description="Vaste woonplek")
    transition_case(region_a.users["case_director"], case=case_a, target="scaled_down", reason="Rustiger")
    entries = selectors.case_timeline(region_a.users["process_director"], case_a)
    kinds = _kinds(entries)
    for kind in (
        "Casus",
        "Casusoverleg",
        "Besluit casusoverleg",
        "Actie casusoverleg",
        "Doel",
        "Statuswijziging casus",
    ):
        assert kind in kinds, kinds
    assert [e.date for e in entries] == sorted((e.date for e in entries), reverse=True)
    assert "Afgeschaald" in _texts(entries[:1])


def test_signal_side_sees_the_signal_and_weighing_the_case_director_does_not(region_a, case_a):
    weigher = selectors.case_timeline(region_a.users["weigher_politie"], case_a)
    assert {"Signaal", "Weging", "Besluit weging"} <= set(_kinds(weigher))
    director = selectors.case_timeline(region_a.users["case_director"], case_a)
    assert not {"Signaal", "Weging", "Besluit weging"} & set(_kinds(director))


def test_art3_lid3_a_third_party_sees_the_plan_only_when_marked_necessary(region_a, case_a):
    meeting_with_case(region_a, case_a)
    add_goal(region_a.users["case_director"], case=case_a, domain="huisvesting", description="Vaste woonplek")
    admit_ggz(region_a, case_a, necessary_data=("identifying",))
    ggz = region_a.users["participant_ggz"]
    kinds = set(_kinds(selectors.case_timeline(ggz, case_a)))
    assert "Casus" in kinds and not {"Doel", "Casusoverleg", "Actie casusoverleg"} & kinds


def test_art3_lid3_a_third_party_without_identity_has_no_person_timeline(client, region_a, case_a):
    admit_ggz(region_a, case_a, necessary_data=("plan_of_action",))
    login(client, region_a.users["participant_ggz"])
    assert client.get(reverse("timeline:case_timeline", args=[case_a.pk])).status_code == 200
    assert client.get(reverse("timeline:person_timeline", args=[case_a.subject_id])).status_code == 404


def test_another_regions_or_organisations_items_never_appear(world):
    a, b = world["a"], world["b"]
    case_a = make_case(a, family_name="Jansen")
    case_b = make_case(b, family_name="Jansen")
    meeting_with_case(b, case_b)
    entries = selectors.case_timeline(a.users["process_director"], case_a)
    refs = _texts(entries)
    assert case_a.reference in refs and case_b.reference not in refs
    person = selectors.person_timeline(a.users["process_director"], case_a.subject)
    assert case_b.reference not in _texts(person)
    with pytest.raises(Http404):
        selectors.get_subject(a.users["process_director"], case_b.subject_id)
    # An organisation that does not take part in the case sees no timeline of it.
    ggz = a.users["participant_ggz"]
    with pytest.raises(Http404):
        selectors.get_subject(ggz, case_a.subject_id)


def test_person_timeline_spans_cases_and_signals(client, region_a, case_a):
    weigher = region_a.users["weigher_politie"]
    login(client, weigher)
    response = client.get(reverse("timeline:person_timeline", args=[case_a.subject_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert case_a.subject.full_name in html and "Signaal" in html and case_a.reference in html


def test_timeline_reads_are_logged(region_a, case_a):
    _meeting, item, action = meeting_with_case(region_a, case_a)
    before = ProcessingLogEntry.objects.count()
    selectors.case_timeline(region_a.users["process_director"], case_a)
    logged = set(ProcessingLogEntry.objects.order_by("id")[before:].values_list("object_id", flat=True))
    assert {item.pk, action.pk} <= logged


def _count(user, case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.case_timeline(user, case)
    return len(ctx.captured_queries)


def test_query_count_is_constant_in_the_number_of_events(region_a, case_a):
    director = region_a.users["process_director"]
    _meeting, item, _action = meeting_with_case(region_a, case_a)
    add_goal(region_a.users["case_director"], case=case_a, domain="huisvesting", description="Doel 1")
    _count(director, case_a)  # warms the processing log's activity cache
    few = _count(director, case_a)
    for n in range(6):
        meeting_services.add_decision(director, item=item, text=f"Besluit {n}")
        add_goal(region_a.users["case_director"], case=case_a, domain="huisvesting", description=f"Doel {n + 2}")
    transition_case(region_a.users["case_director"], case=case_a, target="scaled_down", reason="Rustiger")
    transition_case(region_a.users["case_director"], case=case_a, target="active", reason="Weer zorgen")
    many = _count(director, case_a)
    assert many == few, (few, many)


def test_web_case_page_links_to_its_timeline_and_back(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    page = client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    assert reverse("timeline:case_timeline", args=[case_a.pk]) in page
    timeline = client.get(reverse("timeline:case_timeline", args=[case_a.pk])).content.decode()
    assert reverse("cases:case_detail", args=[case_a.pk]) in timeline


def test_web_case_page_links_to_signals_and_weighing_for_the_signal_side(client, region_a, case_a):
    login(client, region_a.users["weigher_politie"])
    page = client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    weighing = case_a.origin_decision.weighing
    assert reverse("weighing:weighing_detail", args=[weighing.pk]) in page
    signal = weighing.signals.first()
    assert reverse("signals:signal_detail", args=[signal.pk]) in page


def test_web_signal_page_links_to_the_person_timeline(client, region_a, case_a):
    login(client, region_a.users["intake"])
    signal = case_a.origin_decision.weighing.signals.first()
    page = client.get(reverse("signals:signal_detail", args=[signal.pk])).content.decode()
    assert reverse("timeline:person_timeline", args=[case_a.subject_id]) in page


def test_art6_lid3_a_closed_case_leaves_every_timeline(client, region_a, case_a):
    meeting_with_case(region_a, case_a)
    director = region_a.users["case_director"]
    for action in case_a.meeting_actions.all():
        meeting_services.complete_action(region_a.users["process_director"], action=action)
    transition_case(director, case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt")
    weigher = region_a.users["weigher_politie"]
    login(client, weigher)
    assert client.get(reverse("timeline:case_timeline", args=[case_a.pk])).status_code == 404
    assert client.get(reverse("timeline:person_timeline", args=[case_a.subject_id])).status_code == 404


def test_person_timeline_query_count_is_constant_in_the_number_of_cases_and_events(region_a):
    director = region_a.users["process_director"]
    first = make_case(region_a, family_name="Herhaal")
    meeting_with_case(region_a, first)
    # Every source has a line already: an empty source writes nothing to the log (no query).
    add_goal(region_a.users["case_director"], case=first, domain="huisvesting", description="Doel 1")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.person_timeline(director, first.subject)
        return len(ctx.captured_queries)

    count()  # warms the processing log's activity cache
    few = count()
    transition_case(region_a.users["case_director"], case=first, target="scaled_down", reason="Rustiger")
    transition_case(region_a.users["case_director"], case=first, target="active", reason="Weer zorgen")
    for n in range(5):
        add_goal(region_a.users["case_director"], case=first, domain="huisvesting", description=f"Doel {n + 2}")
    assert count() == few
