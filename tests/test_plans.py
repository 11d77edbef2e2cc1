"""Plans of action: catalogue, interference rules, delivery drift, reviews, closure, web pages."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casustafel.accounts.models import OrganisationKind
from casustafel.cases import states
from casustafel.cases.services import transition_case
from casustafel.core.errors import PolicyDenied
from casustafel.plans import selectors, services
from casustafel.plans.loader import DATA_DIR
from casustafel.plans.models import CatalogueEntry, CheckIn, CoordinationTask, InterferenceRule, Intervention, Plan
from casustafel.processing_log.models import ProcessingLogEntry

from .factories import OrganisationFactory
from .helpers import login

pytestmark = pytest.mark.django_db

SPEC = json.loads((DATA_DIR / "catalogue_v1.json").read_text(encoding="utf-8"))
TODAY = date(2026, 3, 2)


@pytest.fixture
def orgs(region_a):
    """Region a with every kind of organisation the catalogue names."""
    found = {o.kind: o for o in region_a.orgs.values()}
    for kind in OrganisationKind.values:
        found.setdefault(kind, OrganisationFactory(region=region_a.region, kind=kind, name=f"{kind} extra"))
    return found


def add(case, user, code, orgs, start=TODAY, end=None, sessions=0):
    entry = CatalogueEntry.objects.get(code=code, is_active=True)
    return services.add_intervention(
        user,
        case=case,
        entry_code=code,
        organisation=orgs[entry.organisation_kinds[0]],
        starts_on=start,
        planned_end=end or start + timedelta(days=180),
        planned_sessions=sessions,
    )


def test_catalogue_is_seeded_with_the_actieprogramma_measures_and_voluntary_interventions():
    codes = set(CatalogueEntry.objects.filter(is_active=True).values_list("code", flat=True))
    for code in (
        "strafrechtelijk_onderzoek",
        "terroristenafdeling",
        "reclasseringstoezicht",
        "verlies_nederlanderschap",
        "ongewenstverklaring",
        "informeren_andere_staten",
        "paspoortmaatregel",
        "bevriezing_terrorismelijst",
        "brp_uitkering_beeindigen",
        "meldplicht",
        "gebiedsverbod",
        "contactverbod",
        "uitreisverbod",
        "exit_faciliteit",
        "waarschuwen_omgeving",
        "kinderbeschermingsmaatregel",
        "familiesteun",
        "expertise_unit",
        "zorg_ggz",
        "huisvesting",
        "inkomen",
        "schulden",
        "onderwijs",
        "werk",
        "losmaken_netwerk",
        "mentoring_lse",
        "contact_wijkteam",
        "online_interventie",
    ):
        assert code in codes
    assert InterferenceRule.objects.filter(is_active=True).count() == len(SPEC["rules"]) == 5


@pytest.mark.parametrize("rule", SPEC["rules"], ids=lambda r: r["code"])
@time_machine.travel(TODAY, tick=False)
def test_each_seeded_interference_rule_fires(rule, region_a, case_a, orgs):
    director = region_a.users["case_director"]
    add(case_a, director, rule["measures_a"][0], orgs)
    plan = selectors.plan_queryset().get(case=case_a)
    assert rule["code"] not in selectors.conflict_codes(plan)
    add(case_a, director, rule["measures_b"][-1], orgs)
    plan = selectors.plan_queryset().get(case=case_a)
    found = {c.rule.code: c for c in selectors.conflicts(plan)}
    assert rule["code"] in found
    assert found[rule["code"]].rule.explanation == rule["explanation"]


@time_machine.travel(TODAY, tick=False)
def test_ended_intervention_no_longer_conflicts(region_a, case_a, orgs):
    director = region_a.users["case_director"]
    exit_ = add(case_a, director, "exit_faciliteit", orgs)
    add(case_a, director, "reclasseringstoezicht", orgs)
    services.end_intervention(
        director, case=case_a, intervention_id=exit_.pk, ended_on=TODAY, note="Exit trekt zich terug"
    )
    assert "exit_reclasseringstoezicht" not in selectors.conflict_codes(selectors.plan_queryset().get(case=case_a))


@time_machine.travel(TODAY, tick=False)
def test_acknowledgement_needs_a_reason_and_can_create_a_coordination_action(region_a, case_a, orgs):
    director = region_a.users["case_director"]
    add(case_a, director, "strafrechtelijk_onderzoek", orgs)
    add(case_a, director, "ongewenstverklaring", orgs)
    with pytest.raises(ValidationError) as error:
        services.acknowledge(director, case=case_a, rule_code="vervolging_ongewenstverklaring", reason="   ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.acknowledge(
            director,
            case=case_a,
            rule_code="vervolging_ongewenstverklaring",
            reason="Afgewogen",
            coordination="Overleg OM-IND",
        )
    assert "owner" in error.value.message_dict
    assert not CoordinationTask.objects.exists()
    with pytest.raises(ValidationError):
        services.acknowledge(
            director, case=case_a, rule_code="exit_reclasseringstoezicht", reason="Geen conflict in dit plan"
        )
    services.acknowledge(
        director,
        case=case_a,
        rule_code="vervolging_ongewenstverklaring",
        reason="Afgewogen in het casusoverleg",
        coordination="Overleg OM-IND",
        owner=orgs["om"],
        due_on=TODAY + timedelta(days=14),
    )
    conflict = selectors.conflicts(selectors.plan_queryset().get(case=case_a))[0]
    assert conflict.acknowledgement.reason == "Afgewogen in het casusoverleg"
    assert conflict.tasks[0].owner == orgs["om"]


@time_machine.travel(TODAY, tick=False)
def test_non_competent_organisation_is_refused(region_a, case_a, orgs):
    with pytest.raises(ValidationError) as error:
        services.add_intervention(
            region_a.users["case_director"],
            case=case_a,
            entry_code="ongewenstverklaring",
            organisation=orgs["gemeente"],
            starts_on=TODAY,
            planned_end=TODAY + timedelta(days=30),
        )
    assert "niet bevoegd" in error.value.message_dict["organisation"][0]
    assert not Plan.objects.exists() and not Intervention.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_other_region_organisation_and_bad_dates_are_refused(world, case_a, orgs):
    director = world["a"].users["case_director"]
    with pytest.raises(ValidationError) as error:
        services.add_intervention(
            director,
            case=case_a,
            entry_code="zorg_ggz",
            organisation=world["b"].orgs["ggz"],
            starts_on=TODAY,
            planned_end=TODAY - timedelta(1),
        )
    assert set(error.value.message_dict) == {"organisation", "planned_end"}


def test_only_case_managers_write_the_plan(region_a, case_a):
    with pytest.raises(PolicyDenied):
        services.add_goal(
            region_a.users["participant_reclassering"], case=case_a, domain="huisvesting", description="Woning"
        )
    goal = services.add_goal(
        region_a.users["process_director"], case=case_a, domain="huisvesting", description="Stabiele woning"
    )
    assert goal.plan.case == case_a
    assert ProcessingLogEntry.objects.filter(object_type="goal", object_id=goal.pk).exists()


def test_drift_with_frozen_time(region_a, case_a, orgs, settings):
    settings.PLANS_DRIFT_DAYS = 30
    director = region_a.users["case_director"]
    with time_machine.travel(TODAY, tick=False):
        intervention = add(case_a, director, "zorg_ggz", orgs, sessions=10)
        services.log_contact(director, case=case_a, intervention_id=intervention.pk, on=TODAY, held=True, note="Intake")

    def reasons():
        return selectors.drift_reasons(Intervention.objects.prefetch_related("contacts").get(pk=intervention.pk))

    with time_machine.travel(TODAY + timedelta(days=30), tick=False):
        assert reasons() == []
    with time_machine.travel(TODAY + timedelta(days=31), tick=False):
        assert "Geen activiteit" in reasons()[0]
    settings.PLANS_DRIFT_DAYS = 60
    with time_machine.travel(TODAY + timedelta(days=31), tick=False):
        assert reasons() == []
        services.log_contact(
            director,
            case=case_a,
            intervention_id=intervention.pk,
            on=TODAY + timedelta(days=31),
            held=False,
            note="Niet verschenen",
        )
        assert any("niet doorgegaan" in r for r in reasons())
        services.log_contact(
            director,
            case=case_a,
            intervention_id=intervention.pk,
            on=TODAY + timedelta(days=31),
            held=True,
            note="Alsnog",
        )
        assert reasons() == []


@time_machine.travel(TODAY, tick=False)
def test_future_contact_refused(region_a, case_a, orgs):
    director = region_a.users["case_director"]
    intervention = add(case_a, director, "zorg_ggz", orgs)
    with pytest.raises(ValidationError) as error:
        services.log_contact(
            director, case=case_a, intervention_id=intervention.pk, on=TODAY + timedelta(days=1), held=True
        )
    assert "date" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.log_contact(director, case=case_a, intervention_id="geen-uuid", on=TODAY, held=True)


def test_reviews_show_change_and_schedule_the_next(region_a, case_a, settings):
    settings.PLANS_REVIEW_INTERVAL_DAYS = 90
    director = region_a.users["case_director"]
    with time_machine.travel(TODAY, tick=False):
        housing = services.add_goal(director, case=case_a, domain="huisvesting", description="Stabiele woning")
        network = services.add_goal(
            director, case=case_a, domain="ideologie_netwerk", description="Afstand tot netwerk"
        )
        assert list(selectors.reviews_due(case_a.region_id, TODAY + timedelta(days=90))) == [case_a]
        assert list(selectors.reviews_due(case_a.region_id, TODAY + timedelta(days=89))) == []
        services.add_review(
            director, case=case_a, held_on=TODAY, narrative="Eerste evaluatie", scores={housing.pk: 2, network.pk: 3}
        )
    with time_machine.travel(TODAY + timedelta(days=90), tick=False):
        services.add_review(
            director,
            case=case_a,
            held_on=TODAY + timedelta(days=90),
            narrative="Woning gevonden",
            scores={housing.pk: 4, network.pk: 3},
            instrument="vera_2r",
            assessor="J. Jansen",
            assessed_on=TODAY + timedelta(days=80),
            conclusion="Risico afgenomen",
            scenarios="Terugval bij verlies woning",
        )
    plan = selectors.plan_queryset().get(case=case_a)
    assert plan.next_review_due == TODAY + timedelta(days=180)
    table = selectors.review_table(plan)
    rows = {row["goal"].pk: row for row in table["rows"]}
    assert [c["score"] for c in rows[housing.pk]["cells"]] == [2, 4]
    assert rows[housing.pk]["latest_change"] == 2 and rows[network.pk]["latest_change"] == 0


@time_machine.travel(TODAY, tick=False)
def test_review_input_is_checked(region_a, case_a):
    director = region_a.users["case_director"]
    goal = services.add_goal(director, case=case_a, domain="huisvesting", description="Woning")
    for scores, kwargs, field in [
        ({}, {}, "scores"),
        ({goal.pk: 9}, {}, "scores"),
        ({goal.pk: 3}, {"instrument": "vera_2r"}, "assessor"),
        ({goal.pk: 3}, {"conclusion": "x"}, "instrument"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.add_review(director, case=case_a, held_on=TODAY, narrative="Toelichting", scores=scores, **kwargs)
        assert field in error.value.message_dict


def test_review_of_a_closed_case_is_refused_and_checkins_are_scheduled(region_a, case_a):
    director = region_a.users["case_director"]
    with time_machine.travel(TODAY, tick=False):
        goal = services.add_goal(director, case=case_a, domain="huisvesting", description="Woning")
        transition_case(
            director, case=case_a, target=states.CLOSED, reason="Doelen bereikt", closure_reason="doelen_bereikt"
        )
        assert list(CheckIn.objects.filter(case=case_a).values_list("due_on", flat=True)) == [
            date(2026, 9, 2),
            date(2027, 3, 2),
        ]
        with pytest.raises(ValidationError) as error:
            services.add_review(
                director, case=case_a, held_on=TODAY, narrative="Nog een evaluatie", scores={goal.pk: 3}
            )
    assert "afgesloten" in error.value.message_dict["status"][0]


@time_machine.travel(TODAY, tick=False)
def test_case_cannot_close_with_running_interventions_without_override(region_a, case_a, orgs):
    director = region_a.users["case_director"]
    add(case_a, director, "zorg_ggz", orgs)
    with pytest.raises(ValidationError) as error:
        transition_case(director, case=case_a, target=states.CLOSED, reason="Klaar", closure_reason="doelen_bereikt")
    assert "Zorg en ggz-behandeling" in error.value.message_dict["override_open_work"][0]
    case = transition_case(
        director,
        case=case_a,
        target=states.CLOSED,
        reason="Klaar",
        closure_reason="doelen_bereikt",
        override_open_work="Behandeling loopt door buiten de PGA",
    )
    assert case.transitions.get(target=states.CLOSED).open_work_override


def test_functional_admin_adds_a_catalogue_version(region_a):
    with pytest.raises(PolicyDenied):
        services.add_catalogue_entry(region_a.users["case_director"], data={})
    entry = services.add_catalogue_entry(
        region_a.users["functional_admin"],
        data={
            "code": "sport",
            "group": "zorg_en_ondersteuning",
            "name": "Sportcoaching",
            "description": "Sport",
            "organisation_kinds": ["gemeente"],
            "legal_basis": "Vrijwillig",
            "enforced": False,
        },
    )
    assert entry.catalogue.version == 2
    assert CatalogueEntry.objects.filter(is_active=True).count() == len(SPEC["entries"]) + 1
    assert InterferenceRule.objects.filter(is_active=True, catalogue__version=2).count() == 5


# ------------------------------------------------------------------ web


@time_machine.travel(TODAY, tick=False)
def test_plan_page_query_count_is_constant(client, region_a, case_a, orgs):
    director = region_a.users["case_director"]
    services.add_goal(director, case=case_a, domain="huisvesting", description="Woning")
    add(case_a, director, "zorg_ggz", orgs)
    login(client, director)
    url = reverse("plans:plan", kwargs={"pk": case_a.pk})
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for code in ("huisvesting", "schulden", "werk", "exit_faciliteit", "reclasseringstoezicht"):
        intervention = add(case_a, director, code, orgs)
        services.log_contact(director, case=case_a, intervention_id=intervention.pk, on=TODAY, held=False)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)
    body = response.content.decode()
    assert "Exit-faciliteit" in body and "niet doorgegaan" in body
    assert "De Exit-faciliteit en het reclasseringstoezicht" in body


@time_machine.travel(TODAY, tick=False)
def test_web_flow_and_bad_input(client, region_a, case_a, orgs):
    director = region_a.users["case_director"]
    login(client, director)
    base = {"pk": case_a.pk}
    r = client.post(reverse("plans:goal_add", kwargs=base), {"domain": "huisvesting", "description": "Woning"})
    assert r.status_code == 302
    r = client.post(
        reverse("plans:intervention_add", kwargs=base),
        {
            "entry": "ongewenstverklaring",
            "organisation": orgs["gemeente"].pk,
            "starts_on": "2026-03-02",
            "planned_end": "2026-06-01",
            "planned_sessions": "2",
        },
    )
    assert r.status_code == 400 and "niet bevoegd" in r.content.decode()
    for route, data in [
        ("plans:intervention_add", {"entry": "x", "starts_on": "nope"}),
        ("plans:contact_add", {"intervention": "nope", "date": "31-02-2026"}),
        ("plans:acknowledge", {"rule": "x" * 300}),
        ("plans:review_add", {"held_on": "2026-03-02", "narrative": "x"}),
        ("plans:intervention_end", {"intervention": "00000000-0000-0000-0000-000000000000"}),
    ]:
        assert client.post(reverse(route, kwargs=base), data).status_code == 400, route
    r = client.post(
        reverse("plans:intervention_add", kwargs=base),
        {
            "entry": "ongewenstverklaring",
            "organisation": orgs["ind"].pk,
            "starts_on": "2026-03-02",
            "planned_end": "2026-06-01",
            "planned_sessions": "2",
        },
    )
    assert r.status_code == 302
    page = client.get(reverse("plans:plan", kwargs=base)).content.decode()
    assert "Ongewenst vreemdeling verklaren" in page
    assert (
        client.get(reverse("cases:case_detail", kwargs=base)).content.decode().count(reverse("plans:plan", kwargs=base))
        >= 1
    )


def test_catalogue_page_for_functional_admin(client, region_a):
    login(client, region_a.users["functional_admin"])
    url = reverse("plans:catalogue")
    assert "Exit-faciliteit" in client.get(url).content.decode()
    r = client.post(
        url,
        {
            "code": "sport",
            "group": "zorg_en_ondersteuning",
            "name": "Sportcoaching",
            "description": "Sport",
            "organisation_kinds": ["gemeente"],
            "legal_basis": "Vrijwillig",
        },
    )
    assert r.status_code == 302
    assert CatalogueEntry.objects.filter(code="sport", is_active=True).exists()
    assert client.post(url, {"code": "sport"}).status_code == 400


# ------------------------------------------------------------------ coordination tasks, check-ins, dashboard


def _task(region_a, case_a, orgs, owner="reclassering"):
    """Two conflicting measures, acknowledged with a coordination task owned by ``owner``."""
    director = region_a.users["case_director"]
    add(case_a, director, "exit_faciliteit", orgs)
    add(case_a, director, "reclasseringstoezicht", orgs)
    services.acknowledge(
        director,
        case=case_a,
        rule_code="exit_reclasseringstoezicht",
        reason="Afgewogen",
        coordination="Afstemmen Exit en toezicht",
        owner=region_a.orgs[owner],
        due_on=TODAY + timedelta(days=14),
    )
    return CoordinationTask.objects.get(plan__case=case_a)


@time_machine.travel(TODAY, tick=False)
def test_owner_organisation_completes_a_coordination_task_once(world, region_a, case_a, orgs):

    task = _task(region_a, case_a, orgs)
    with pytest.raises(PolicyDenied) as refused:  # politie participates but does not own the task
        services.complete_task(region_a.users["weigher_politie"], case=case_a, task_id=task.pk, outcome="Afgesproken")
    assert "eigenaar" in str(refused.value) and refused.value.visible
    for outsider in (region_a.users["participant_ggz"], world["b"].users["case_director"]):
        with pytest.raises(PolicyDenied):
            services.complete_task(outsider, case=case_a, task_id=task.pk, outcome="Afgesproken")
    with pytest.raises(ValidationError) as error:
        services.complete_task(region_a.users["participant_reclassering"], case=case_a, task_id=task.pk, outcome="   ")
    assert "outcome" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.complete_task(
            region_a.users["participant_reclassering"], case=case_a, task_id="geen-uuid", outcome="Afgesproken"
        )
    assert "task" in error.value.message_dict
    task.refresh_from_db()
    assert not task.done and task.done_by is None
    reclassering = region_a.users["participant_reclassering"]
    done = services.complete_task(
        reclassering, case=case_a, task_id=task.pk, outcome="Exit-gesprekken vallen buiten de meldplicht"
    )
    task.refresh_from_db()
    assert task.done and task.done_by == reclassering and task.done_at is not None
    assert task.outcome == "Exit-gesprekken vallen buiten de meldplicht" == done.outcome
    entry = ProcessingLogEntry.objects.get(object_type="coordinationtask", object_id=task.pk, action="update")
    assert entry.data_subject_id == case_a.subject_id and entry.user == reclassering
    with pytest.raises(ValidationError) as error:
        services.complete_task(region_a.users["case_director"], case=case_a, task_id=task.pk, outcome="Nogmaals")
    assert "al afgerond" in error.value.message_dict["task"][0]
    assert (
        ProcessingLogEntry.objects.filter(object_type="coordinationtask", object_id=task.pk, action="update").count()
        == 1
    )


@time_machine.travel(TODAY, tick=False)
def test_case_director_completes_a_task_but_not_after_closure(region_a, case_a, orgs):
    """After closure the case is blocked (Wet PGA art. 6 lid 3): its tasks are out of reach."""
    task = _task(region_a, case_a, orgs, owner="om")
    director = region_a.users["case_director"]
    transition_case(
        director,
        case=case_a,
        target=states.CLOSED,
        reason="Klaar",
        closure_reason="doelen_bereikt",
        override_open_work="Loopt buiten PGA",
    )
    with pytest.raises(PolicyDenied):
        services.complete_task(director, case=case_a, task_id=task.pk, outcome="Afgesproken")
    task.refresh_from_db()
    assert not task.done


def _closed(region_a, case_a):
    with time_machine.travel(TODAY, tick=False):
        transition_case(
            region_a.users["case_director"],
            case=case_a,
            target=states.CLOSED,
            reason="Doelen bereikt",
            closure_reason="doelen_bereikt",
        )
    return CheckIn.objects.get(case=case_a, months=6)  # due 2026-09-02, opens 2026-08-03


def test_checkin_is_recorded_once_within_its_window(world, region_a, case_a, settings):

    settings.PLANS_CHECKIN_WINDOW_DAYS = 30
    checkin = _closed(region_a, case_a)
    director, ggz = region_a.users["case_director"], region_a.orgs["ggz"]
    with time_machine.travel(date(2026, 8, 2), tick=False):
        with pytest.raises(ValidationError) as error:
            services.record_checkin(
                director,
                case=case_a,
                checkin_id=checkin.pk,
                held_on=date(2026, 8, 2),
                organisation=ggz,
                new_concerns=False,
                note="Rustig",
            )
        assert "pas vanaf 03-08-2026" in error.value.message_dict["checkin"][0]
    with time_machine.travel(date(2026, 8, 10), tick=False):
        with pytest.raises(PolicyDenied) as refused:
            services.record_checkin(
                region_a.users["participant_reclassering"],
                case=case_a,
                checkin_id=checkin.pk,
                held_on=date(2026, 8, 10),
                organisation=ggz,
                new_concerns=False,
                note="Rustig",
            )
        assert "casusregisseur" in str(refused.value)
        with pytest.raises(PolicyDenied):
            services.record_checkin(
                world["b"].users["case_director"],
                case=case_a,
                checkin_id=checkin.pk,
                held_on=date(2026, 8, 10),
                organisation=ggz,
                new_concerns=False,
                note="Rustig",
            )
        with pytest.raises(ValidationError) as error:
            services.record_checkin(
                director,
                case=case_a,
                checkin_id=checkin.pk,
                held_on=date(2026, 8, 11),
                organisation=world["b"].orgs["ggz"],
                new_concerns=None,
                note=" ",
            )
        assert set(error.value.message_dict) == {"held_on", "organisation", "new_concerns", "note"}
        with pytest.raises(ValidationError) as error:
            services.record_checkin(
                director,
                case=case_a,
                checkin_id=checkin.pk,
                held_on=date(2026, 8, 1),
                organisation=ggz,
                new_concerns=False,
                note="Rustig",
            )
        assert "held_on" in error.value.message_dict
        assert not ProcessingLogEntry.objects.filter(object_type="checkin").exists()
        recorded = services.record_checkin(
            director,
            case=case_a,
            checkin_id=checkin.pk,
            held_on=date(2026, 8, 10),
            organisation=ggz,
            new_concerns=True,
            note="Nieuwe contacten met oud netwerk",
        )
        assert "nieuw signaal" in services.checkin_follow_up(recorded)
        checkin.refresh_from_db()
        assert (checkin.done_on, checkin.organisation, checkin.new_concerns, checkin.recorded_by) == (
            date(2026, 8, 10),
            ggz,
            True,
            director,
        )
        assert (
            ProcessingLogEntry.objects.filter(
                object_type="checkin", object_id=checkin.pk, action="update", data_subject_id=case_a.subject_id
            ).count()
            == 1
        )
        with pytest.raises(ValidationError) as error:
            services.record_checkin(
                director,
                case=case_a,
                checkin_id=checkin.pk,
                held_on=date(2026, 8, 10),
                organisation=ggz,
                new_concerns=False,
                note="Nogmaals",
            )
        assert "al vastgelegd" in error.value.message_dict["checkin"][0]
    assert services.checkin_follow_up(CheckIn.objects.get(case=case_a, months=12)) == ""


@time_machine.travel(TODAY, tick=False)
def test_checkin_of_a_case_that_is_not_closed_is_refused(region_a, case_a):
    checkin = CheckIn.objects.create(case=case_a, due_on=TODAY, months=6)
    with pytest.raises(ValidationError) as error:
        services.record_checkin(
            region_a.users["case_director"],
            case=case_a,
            checkin_id=checkin.pk,
            held_on=TODAY,
            organisation=region_a.orgs["ggz"],
            new_concerns=False,
            note="Rustig",
        )
    assert "afgesloten casus" in error.value.message_dict["status"][0]


@time_machine.travel(TODAY, tick=False)
def test_web_task_completion(client, region_a, case_a, orgs):
    task = _task(region_a, case_a, orgs)
    url = reverse("plans:task_done", kwargs={"pk": case_a.pk})
    plan_url = reverse("plans:plan", kwargs={"pk": case_a.pk})
    login(client, region_a.users["weigher_politie"])
    assert "Afstemmingsactie afronden" not in client.get(plan_url).content.decode()
    r = client.post(url, {"task": task.pk, "outcome": "Afgesproken"})
    assert r.status_code == 400 and "eigenaar" in r.content.decode()
    login(client, region_a.users["participant_reclassering"])
    assert "Afstemmingsactie afronden" in client.get(plan_url).content.decode()
    assert client.post(url, {"task": task.pk, "outcome": ""}).status_code == 400
    assert client.post(url, {"task": task.pk, "outcome": "Gesprekken afgestemd"}).status_code == 302
    page = client.get(plan_url).content.decode()
    assert "Gesprekken afgestemd" in page and "Afgerond" in page
    r = client.post(url, {"task": task.pk, "outcome": "Nogmaals"})
    assert r.status_code == 400 and "al afgerond" in r.content.decode()


def test_web_checkin_and_dashboard_follow_up(client, region_a, case_a):
    checkin = _closed(region_a, case_a)
    director = region_a.users["case_director"]
    url = reverse("plans:checkin_record", kwargs={"pk": case_a.pk})
    with time_machine.travel(date(2026, 7, 1), tick=False):
        login(client, director)
        assert "Opvolging na afsluiting" in client.get(reverse("web:dashboard")).content.decode()
        assert case_a.reference not in client.get(reverse("web:dashboard")).content.decode()
        r = client.post(
            url,
            {
                "checkin": checkin.pk,
                "held_on": "2026-07-01",
                "organisation": region_a.orgs["ggz"].pk,
                "new_concerns": "nee",
                "note": "Rustig",
            },
        )
        assert r.status_code == 400 and "pas vanaf" in r.content.decode()
    with time_machine.travel(date(2026, 8, 20), tick=False):
        login(client, director)
        dashboard = client.get(reverse("web:dashboard")).content.decode()
        # Art. 6 lid 3: the follow-up works on the closed case's minimum page, not the plan.
        closed_url = reverse("cases:closed_case", kwargs={"pk": case_a.pk})
        assert case_a.reference in dashboard and closed_url in dashboard
        assert client.get(reverse("plans:plan", kwargs={"pk": case_a.pk})).status_code == 404
        assert "Opvolgmoment vastleggen" in client.get(closed_url).content.decode()
        r = client.post(
            url,
            {
                "checkin": checkin.pk,
                "held_on": "2026-08-20",
                "organisation": region_a.orgs["ggz"].pk,
                "new_concerns": "ja",
                "note": "Zorgen over nieuw netwerk",
            },
            follow=True,
        )
        body = r.content.decode()
        assert r.status_code == 200 and "nieuw signaal" in body and "Zorgen over nieuw netwerk" in body
        # The closed case shows the minimum (art. 6 lid 3 Wet PGA): when and with whom, not who recorded it.
        assert "gehouden op" in body and "vastgelegd door" not in body
        assert case_a.reference not in client.get(reverse("web:dashboard")).content.decode()
        r = client.post(
            url,
            {
                "checkin": checkin.pk,
                "held_on": "2026-08-20",
                "organisation": region_a.orgs["ggz"].pk,
                "new_concerns": "nee",
                "note": "Nogmaals",
            },
        )
        assert r.status_code == 400 and "al vastgelegd" in r.content.decode()


def _drifting_case(region_a, orgs, name):
    from .conftest import make_case

    case = make_case(region_a, family_name=name)
    with time_machine.travel(TODAY, tick=False):
        add(case, region_a.users["case_director"], "zorg_ggz", orgs)
    return case


def _drift_section(client):
    body = client.get(reverse("web:dashboard")).content.decode()
    return body.split('id="drift-title"')[1].split('id="followup-title"')[0]


def test_dashboard_shows_drift_for_own_cases_and_process_director_sees_the_region(client, region_a, orgs):
    from .factories import UserFactory

    own = _drifting_case(region_a, orgs, "Eigen")
    other = _drifting_case(region_a, orgs, "Ander")
    colleague = UserFactory(
        username="regisseur-2", organisation=region_a.orgs["zvh"], role=region_a.users["case_director"].role
    )
    type(other).objects.filter(pk=other.pk).update(case_director=colleague)
    with time_machine.travel(TODAY + timedelta(days=40), tick=False):
        login(client, region_a.users["case_director"])
        body = _drift_section(client)
        assert "Geen activiteit sinds 02-03-2026" in body
        assert own.reference in body and other.reference not in body
        assert reverse("plans:plan", kwargs={"pk": own.pk}) in body
        assert ProcessingLogEntry.objects.filter(object_type="case", object_id=own.pk, action="list").exists()
        login(client, region_a.users["process_director"])
        body = _drift_section(client)
        assert own.reference in body and other.reference in body
        login(client, region_a.users["participant_reclassering"])
        assert "Interventies die achterblijven" not in client.get(reverse("web:dashboard")).content.decode()
    with time_machine.travel(TODAY + timedelta(days=10), tick=False):
        login(client, region_a.users["case_director"])
        assert "Geen interventies die achterblijven" in client.get(reverse("web:dashboard")).content.decode()


def test_dashboard_follow_up_query_count_is_constant(client, region_a, orgs):
    director = region_a.users["case_director"]

    def measure():
        with time_machine.travel(TODAY + timedelta(days=40), tick=False):
            login(client, director)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse("web:dashboard"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode().count("Geen activiteit sinds")

    _drifting_case(region_a, orgs, "Eerste")
    small, shown = measure()
    assert shown == 1
    for i in range(9):
        _drifting_case(region_a, orgs, f"Persoon{i}")
    large, shown = measure()
    assert shown == 10
    assert small == large, f"{small} queries with 1 drifting case, {large} with 10"
