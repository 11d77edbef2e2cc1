"""The council and quarterly report (raadsrapportage, issue 13 item 3): its facts, the report
page per gemeente, region or nation over whole quarters, the downloads (standalone HTML,
tagged PDF, CSV) and small-number suppression in every table and chart (ADR 0041)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casustafel.cases.services import transition_case
from casustafel.demo import decide_jointly
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.plans import services as plans
from casustafel.plans.models import CheckIn
from casustafel.reporting.council import facts
from casustafel.weighing.models import Outcome, ReferralTarget
from casustafel.weighing.services import DecisionData

from .conftest import make_case, weigh_all
from .factories import signal_fields, subject_data

pytestmark = pytest.mark.django_db


def _quarter_bounds(day):
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    end = (start.replace(month=first_month + 2, day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def flow(region_a, today):
    """In region a this quarter: two included signals (two cases, one closed), a referred
    signal, a signal still to be weighed; a plan with a goal scored twice (improved), an
    intervention delivered and one not yet; a check-in after closure."""
    users = region_a.users
    case = make_case(region_a, family_name="Eerste")
    closed = make_case(region_a, family_name="Tweede")
    referred = register_signal(
        users["intake"],
        subject=subject_data(family_name="Derde"),
        fields=signal_fields(source_type="school", phenomenon="jihadistisch"),
    ).signal
    referred = send_to_weighing(users["intake"], signal=referred)
    weigh_all(region_a, referred.weighing, view=Outcome.REFER)
    decide_jointly(
        users["weigher_gemeente"],
        weighing=referred.weighing,
        data=DecisionData(
            outcome=Outcome.REFER, rationale="Past bij Veilig Thuis.", referral_target=ReferralTarget.VEILIG_THUIS
        ),
    )
    waiting = register_signal(
        users["intake"], subject=subject_data(family_name="Vierde"), fields=signal_fields(source_type="burger")
    ).signal
    director = users["case_director"]
    goal = plans.add_goal(director, case=case, domain="huisvesting", description="Vaste woonplek")
    delivered = plans.add_intervention(
        director,
        case=case,
        entry_code="huisvesting",
        organisation=region_a.orgs["gemeente"],
        starts_on=today,
        planned_end=today + timedelta(days=60),
        planned_sessions=3,
    )
    plans.log_contact(director, case=case, intervention_id=delivered.pk, on=today, held=True)
    plans.add_intervention(
        director,
        case=case,
        entry_code="zorg_ggz",
        organisation=region_a.orgs["ggz"],
        starts_on=today,
        planned_end=today + timedelta(days=60),
    )
    start, _end = _quarter_bounds(today)
    plans.add_review(director, case=case, held_on=start, narrative="Eerste evaluatie.", scores={goal.pk: 2})
    plans.add_review(director, case=case, held_on=today, narrative="Gaat beter.", scores={goal.pk: 4}, instrument="")
    transition_case(director, case=closed, target="closed", reason="Klaar", closure_reason="doelen_bereikt")
    checkin = CheckIn.objects.filter(case=closed).order_by("due_on").first()
    CheckIn.objects.filter(pk=checkin.pk).update(done_on=today, new_concerns=False, organisation=region_a.orgs["zvh"])
    return {"case": case, "closed": closed, "referred": referred, "waiting": waiting}


def _rows(function, region, today):
    start, end = _quarter_bounds(today)
    return sorted(tuple(row[2:]) for row in function(region, start, end))


def test_flow_from_signal_to_outcome_by_source_type(region_a, flow, today):
    assert _rows(facts.signal_flow_by_source_rows, region_a.region, today) == [
        ("burger", "nog_niet_gewogen"),
        ("politie", "opgenomen"),
        ("politie", "opgenomen"),
        ("school", "doorverwezen"),
    ]


def test_flow_by_phenomenon_and_where_referred(region_a, flow, today):
    assert ("jihadistisch", "doorverwezen") in _rows(facts.signal_flow_by_phenomenon_rows, region_a.region, today)
    assert _rows(facts.referral_rows, region_a.region, today) == [("veilig_thuis",)]


def test_time_from_signal_to_decision_is_counted_in_bands(region_a, flow, today):
    assert _rows(facts.decision_time_rows, region_a.region, today) == [
        ("minder_dan_2_weken",),
        ("minder_dan_2_weken",),
        ("minder_dan_2_weken",),
        ("nog_geen_besluit",),
    ]
    assert [facts.decision_time_band(d) for d in (None, 0, 13, 14, 42, 43)] == [
        "nog_geen_besluit",
        "minder_dan_2_weken",
        "minder_dan_2_weken",
        "2_tot_6_weken",
        "2_tot_6_weken",
        "meer_dan_6_weken",
    ]


def test_cases_by_state_closure_reasons_and_checkins(region_a, flow, today):
    region = region_a.region
    assert _rows(facts.cases_by_state_rows, region, today) == [("active",), ("closed",)]
    assert _rows(facts.closure_reason_rows, region, today) == [("doelen_bereikt",)]
    assert _rows(facts.checkin_rows, region, today) == [("geen_nieuwe_zorgen",)]


def test_interventions_planned_versus_delivered(region_a, flow, today):
    region = region_a.region
    assert _rows(facts.interventions_by_category_rows, region, today) == [
        ("zorg_en_ondersteuning", "geleverd"),
        ("zorg_en_ondersteuning", "niet_geleverd"),
    ]
    assert _rows(facts.interventions_by_organisation_rows, region, today) == [
        ("gemeente", "geleverd"),
        ("ggz", "niet_geleverd"),
    ]


def test_progress_per_life_domain_compares_with_the_previous_score(region_a, flow, today):
    assert _rows(facts.progress_rows, region_a.region, today) == [
        ("huisvesting", "eerste_meting"),
        ("huisvesting", "verbeterd"),
    ]
    assert [facts.progress_direction(p, 3) for p in (None, 2, 3, 4)] == [
        "eerste_meting",
        "verbeterd",
        "gelijk",
        "verslechterd",
    ]
    assert _rows(facts.review_instrument_rows, region_a.region, today) == [("geen",), ("geen",)]


def test_rows_are_of_the_region_and_carry_only_codes(world, flow, today):
    """Need-to-know: region b's report reads nothing of region a; a row is a gemeente code, a
    day and dimension codes — never a name or a free text of a case."""
    start, end = _quarter_bounds(today)
    for fact in facts.COUNCIL_FACTS:
        assert list(fact.rows(world["b"].region, start, end)) == []
        for row in fact.rows(world["a"].region, start, end):
            gemeente, day, *codes = row
            assert gemeente is None or len(gemeente) <= 4
            assert start <= day <= end
            for code, dimension in zip(codes, fact.dims, strict=True):
                assert code in {c for c, _label in dimension.categories}, (fact.name, code)
