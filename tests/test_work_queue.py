"""My work (issue 12 item 1): the dashboard is a personal work queue per role and organisation,
overdue first, the count in the menu; nothing of another region or organisation appears."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casustafel.flow.services import propose_decision, register_signal, send_to_weighing
from casustafel.meetings.models import AgendaItem, Meeting, MeetingAction
from casustafel.meldpunt import services as meldpunt
from casustafel.plans import services as plan_services
from casustafel.plans.models import CoordinationTask, Plan
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.weighing.models import Outcome
from casustafel.weighing.services import DecisionData
from casustafel.work.context_processors import SESSION_KEY
from casustafel.work.queue import LIMIT, SOURCES, available_kinds, work_queue

from .conftest import make_case, weigh_all
from .factories import contribution, signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db


def _kinds(user, **kwargs):
    return [item.kind for item in work_queue(user, log=False, **kwargs).items]


_persons = iter(range(10_000))


def _weighing(region, **signal_overrides):
    users = region.users
    subject = subject_data(family_name=f"Persoon {next(_persons)}")
    reg = register_signal(users["intake"], subject=subject, fields=signal_fields(**signal_overrides))
    return send_to_weighing(users["intake"], signal=reg.signal).weighing


def test_the_intake_officer_has_the_signals_to_prepare_and_nothing_of_another_region(region_a, world):
    intake = region_a.users["intake"]
    first = register_signal(intake, subject=subject_data(family_name="Eerste"), fields=signal_fields()).signal
    second = register_signal(intake, subject=subject_data(family_name="Tweede"), fields=signal_fields()).signal
    other = register_signal(world["b"].users["intake"], subject=subject_data(), fields=signal_fields()).signal
    items = [i for i in work_queue(intake, log=False).items if i.kind == "signal_intake"]
    assert {i.reference for i in items} == {first.reference, second.reference}
    assert other.reference not in {i.reference for i in work_queue(intake, log=False).items}
    # Sent to the weegploeg: no longer intake work.
    send_to_weighing(intake, signal=first)
    assert [i.reference for i in work_queue(intake, log=False).items if i.kind == "signal_intake"] == [second.reference]


def test_a_new_weighing_waits_for_each_core_party_until_it_contributed(region_a, world):
    weighing = _weighing(region_a)
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        assert "weighing_contribution" in _kinds(region_a.users[key]), key
    # Another region's weegploeg and the case side never see it.
    assert "weighing_contribution" not in _kinds(world["b"].users["weigher_politie"])
    for key in ("case_director", "participant_ggz", "intake", "mayor", "analyst"):
        assert "weighing_contribution" not in _kinds(region_a.users[key]), key
    from casustafel.weighing.services import submit_contribution

    submit_contribution(region_a.users["weigher_politie"], weighing=weighing, data=contribution(region_a.region))
    assert "weighing_contribution" not in _kinds(region_a.users["weigher_politie"])
    assert "weighing_contribution" in _kinds(region_a.users["weigher_om"])


def test_art_5_lid_3_a_proposed_decision_waits_for_the_confirmation_of_the_other_two(region_a):
    weighing = _weighing(region_a)
    weigh_all(region_a, weighing)
    propose_decision(
        region_a.users["weigher_gemeente"],
        weighing=weighing,
        data=DecisionData(
            outcome=Outcome.INCLUDE,
            rationale="Samenhangende zorgen.",
            case_director=region_a.users["case_director"],
            participants=[(region_a.orgs["reclassering"], "Toezicht loopt")],
        ),
    )
    assert "decision_confirmation" not in _kinds(region_a.users["weigher_gemeente"]), "the proposer's party confirmed"
    assert "decision_confirmation" in _kinds(region_a.users["weigher_politie"])
    assert "decision_confirmation" in _kinds(region_a.users["weigher_om"])


def _plan(case, director):
    plan_services.add_goal(director, case=case, domain="huisvesting", description="Woning")
    return Plan.objects.get(case=case)


def test_tasks_and_actions_go_to_the_organisation_that_owns_them(region_a, world):
    case = make_case(region_a)
    director = region_a.users["case_director"]
    plan = _plan(case, director)
    today = timezone.localdate()
    CoordinationTask.objects.create(
        plan=plan, description="Afstemmen met GGZ", owner=region_a.orgs["reclassering"], due_on=today
    )
    meeting = Meeting.objects.create(
        region=region_a.region,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        location="Stadhuis",
        chair=region_a.users["process_director"],
    )
    item = AgendaItem.objects.create(meeting=meeting, case=case, reason="new", added_by=director)
    MeetingAction.objects.create(
        item=item,
        case=case,
        description="Huisbezoek",
        owner=region_a.orgs["reclassering"],
        due_date=today - timedelta(days=1),
        created_by=director,
    )
    reclassering = _kinds(region_a.users["participant_reclassering"])
    assert "coordination_task" in reclassering and "meeting_action" in reclassering
    # Overdue first: yesterday's action before today's task.
    assert reclassering.index("meeting_action") < reclassering.index("coordination_task")
    for user in (region_a.users["participant_ggz"], world["b"].users["participant_reclassering"]):
        kinds = _kinds(user)
        assert "coordination_task" not in kinds and "meeting_action" not in kinds


def test_an_intervention_near_its_planned_end_is_work_for_the_carrying_organisation(region_a):
    case = make_case(region_a)
    director = region_a.users["case_director"]
    today = timezone.localdate()
    plan_services.add_intervention(
        director,
        case=case,
        entry_code="reclasseringstoezicht",
        organisation=region_a.orgs["reclassering"],
        starts_on=today - timedelta(days=30),
        planned_end=today + timedelta(days=3),
        planned_sessions=0,
    )
    assert "intervention_end" in _kinds(region_a.users["participant_reclassering"])
    assert "intervention_end" not in _kinds(region_a.users["participant_ggz"])


def test_a_plan_review_within_two_weeks_is_work_for_the_case_director(region_a):
    case = make_case(region_a)
    plan = _plan(case, region_a.users["case_director"])
    Plan.objects.filter(pk=plan.pk).update(next_review_due=timezone.localdate() + timedelta(days=5))
    assert "plan_review" in _kinds(region_a.users["case_director"])
    assert "plan_review" not in _kinds(region_a.users["participant_reclassering"])


def test_roles_without_case_or_signal_work_get_an_empty_queue_and_kinds_by_role(region_a):
    _weighing(region_a)
    make_case(region_a)
    for key in ("analyst", "committee", "functional_admin"):
        assert work_queue(region_a.users[key], log=False).total == 0, key
    assert {s.kind for s in available_kinds(region_a.users["intake"])} >= {"signal_intake", "cross_region_request"}
    assert "weighing_contribution" not in {s.kind for s in available_kinds(region_a.users["participant_ggz"])}
    assert {s.kind for s in available_kinds(region_a.users["weigher_om"])} >= {
        "weighing_contribution",
        "decision_confirmation",
    }


def test_the_dashboard_shows_the_queue_overdue_first_and_the_menu_its_count(client, region_a):
    weighing = _weighing(region_a)
    login(client, region_a.users["weigher_om"])
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "Wat op u wacht" in page and weighing.reference in page
    assert str(SOURCES["weighing_contribution"].label) in page
    assert 'class="badge"' in page
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        login(client, region_a.users["weigher_om"])
        page = client.get(reverse("web:dashboard")).content.decode()
        assert "over de termijn" in page


def test_the_menu_count_is_kept_in_the_session_and_costs_no_queries_per_page(client, region_a):
    _weighing(region_a)
    user = region_a.users["weigher_om"]
    login(client, user)
    assert client.session[SESSION_KEY][0] == work_queue(user, log=False).total == 1
    url = reverse("signals:signal_list")
    client.get(url)
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    session = client.session
    session[SESSION_KEY] = [0, 0]  # stale: counted again on the next page
    session.save()
    with CaptureQueriesContext(connection) as counted:
        client.get(url)
    assert len(counted) > len(cached)
    assert client.session[SESSION_KEY][0] == 1


def test_the_dashboard_logs_what_it_lists_and_the_count_logs_nothing(client, region_a):
    weighing = _weighing(region_a)
    user = region_a.users["weigher_om"]
    listed = ProcessingLogEntry.objects.filter(action="list", object_type="weighing", object_id=weighing.pk)
    login(client, user)  # counts the queue for the menu
    work_queue(user, log=False)
    assert not listed.exists()
    client.get(reverse("web:dashboard"))
    assert listed.exists()


def test_the_dashboard_costs_the_same_queries_for_one_or_many_items(client, region_a):
    user = region_a.users["weigher_om"]
    _weighing(region_a)
    make_case(region_a, family_name="Casus 0")
    login(client, user)
    url = reverse("web:dashboard")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(4):
        _weighing(region_a)
        make_case(region_a, family_name=f"Casus {n + 1}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_a_kind_shows_at_most_the_limit_and_links_to_the_whole_list(client, region_a):
    from casustafel.work import queue

    user = region_a.users["weigher_om"]
    for _n in range(3):
        _weighing(region_a)
    original = queue.LIMIT
    queue.LIMIT = 2
    try:
        result = work_queue(user, log=False)
        block = next(b for b in result.blocks if b.source.kind == "weighing_contribution")
        assert len(block.items) == 2 and block.total == 3
        login(client, user)
        page = client.get(reverse("web:dashboard")).content.decode()
        assert reverse("weighing:weighing_list") in page and "Alle 3 taken" in page
    finally:
        queue.LIMIT = original
    assert original == LIMIT


def test_the_dashboard_records_its_lists_in_one_step_of_the_log_each_under_its_purpose(client, region_a):
    """Every row shown is a read (processing log), under the processing activity it belongs to:
    the queue's weighing under "weighing", the newest signals under "intake" — one audit record."""
    weighing = _weighing(region_a)
    login(client, region_a.users["weigher_om"])
    client.get(reverse("web:dashboard"))
    as_work = ProcessingLogEntry.objects.filter(action="list", object_type="weighing", object_id=weighing.pk).get()
    as_signal = ProcessingLogEntry.objects.filter(action="list", object_type="signal").latest("id")
    assert as_work.purpose == "weighing" and as_signal.purpose == "intake"
    assert as_work.audit_record_id == as_signal.audit_record_id


def test_art_5_lid_2_a_melding_from_the_public_waits_for_the_intake_officer_until_taken_in(region_a, world):
    """A melding through the public meldpunt (ADR 0044) is intake work of its own region until the
    intake officer registers a signal from it or marks it handled; the item names the gemeente only."""

    def submit(world_region):
        report, _code = meldpunt.submit_report(
            meldpunt.system_actor(),
            data=meldpunt.ReportData(
                organisation=world_region.orgs["gemeente"], relation="citizen", what="Zorgen (fictief).", anonymous=True
            ),
        )
        return report

    report, other = submit(region_a), submit(world["b"])
    intake = region_a.users["intake"]

    items = [i for i in work_queue(intake, log=False).items if i.kind == "public_melding"]
    assert [i.reference for i in items] == [report.reference]
    assert items[0].detail == region_a.orgs["gemeente"].name
    assert other.reference not in {i.reference for i in work_queue(intake, log=False).items}
    assert "public_melding" not in _kinds(region_a.users["weigher_gemeente"])

    meldpunt.mark_handled(intake, report=report)
    assert "public_melding" not in _kinds(intake)
