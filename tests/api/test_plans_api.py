"""The plan API: problem+json on bad input, the plan read, writes through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casustafel.plans import services
from casustafel.plans.models import CheckIn, CoordinationTask, Intervention, Plan
from casustafel.processing_log.models import ProcessingLogEntry

from .conftest import assert_problem

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


# ------------------------------------------------------------------ body builders (also used by the matrix)


def goal_body(request):
    return {"domain": "huisvesting", "description": "Stabiele woning"}


def intervention_body(request):
    region = request.getfixturevalue("region_a")
    return {
        "measure": "zorg_ggz",
        "organisation": str(region.orgs["ggz"].pk),
        "starts_on": str(_today()),
        "planned_end": str(_today() + timedelta(days=90)),
        "planned_sessions": 6,
    }


def contact_body(request):
    region, case = request.getfixturevalue("region_a"), request.getfixturevalue("case_a")
    intervention = services.add_intervention(
        region.users["case_director"],
        case=case,
        entry_code="zorg_ggz",
        organisation=region.orgs["ggz"],
        starts_on=_today(),
        planned_end=_today() + timedelta(days=90),
    )
    return {"intervention": str(intervention.pk), "date": str(_today()), "held": True, "note": "Intake"}


def review_body(request):
    region, case = request.getfixturevalue("region_a"), request.getfixturevalue("case_a")
    goal = services.add_goal(region.users["case_director"], case=case, domain="huisvesting", description="Woning")
    return {"held_on": str(_today()), "narrative": "Gaat goed", "scores": [{"goal": str(goal.pk), "score": 4}]}


def acknowledgement_body(request):
    region, case = request.getfixturevalue("region_a"), request.getfixturevalue("case_a")
    director = region.users["case_director"]
    for code, org in (("bevriezing_terrorismelijst", "om"), ("reclasseringstoezicht", "reclassering")):
        services.add_intervention(
            director,
            case=case,
            entry_code=code,
            organisation=region.orgs[org],
            starts_on=_today(),
            planned_end=_today() + timedelta(days=90),
        )
    return {"rule": "bevriezing_achterblijvers", "reason": "Ontheffing aangevraagd"}


def task_completion_body(request):
    return {"outcome": "Gesprekken afgestemd met het OM"}


def checkin_body(request):
    region = request.getfixturevalue("region_a")
    return {
        "held_on": str(_today()),
        "organisation": str(region.orgs["reclassering"].pk),
        "new_concerns": False,
        "note": "Rustig, werkt en woont stabiel",
    }


@pytest.fixture
def coordination_task_a(region_a, case_a, request):
    """An acknowledged conflict with a coordination task owned by the reclassering (a participant)."""
    acknowledgement_body(request)
    services.acknowledge(
        region_a.users["case_director"],
        case=case_a,
        rule_code="bevriezing_achterblijvers",
        reason="Ontheffing",
        coordination="Afstemmen met OM",
        owner=region_a.orgs["reclassering"],
        due_on=_today() + timedelta(days=14),
    )
    return CoordinationTask.objects.get(plan__case=case_a)


@pytest.fixture
def due_checkin_a(region_a, case_a):
    """case_a closed; its 6-month check-in moved to today (due, so it can be recorded)."""
    from casustafel.cases.services import transition_case

    transition_case(
        region_a.users["case_director"],
        case=case_a,
        target="closed",
        reason="Klaar",
        closure_reason="doelen_bereikt",
        override_open_work="Loopt buiten de PGA door",
    )
    checkin = CheckIn.objects.get(case=case_a, months=6)
    CheckIn.objects.filter(pk=checkin.pk).update(due_on=_today())
    return checkin


@pytest.fixture
def planned_case_a(region_a, case_a):
    services.add_goal(region_a.users["case_director"], case=case_a, domain="huisvesting", description="Stabiele woning")
    return case_a


# ------------------------------------------------------------------ tests


def test_plan_round_trip(api, region_a, case_a, request):
    client = api(region_a.users["case_director"])
    base = f"/api/v1/cases/{case_a.pk}/plan"
    assert_problem(client.get(base), 404)
    assert client.post(base + "/goals", goal_body(request), format="json").status_code == 201
    r = client.post(base + "/interventions", intervention_body(request), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["legal_basis"] and r.json()["enforced"] is False
    body = acknowledgement_body(request)
    plan = client.get(base).json()
    assert {c["rule"] for c in plan["conflicts"]} == {"bevriezing_achterblijvers"}
    assert client.post(base + "/acknowledgements", body, format="json").status_code == 201
    plan = api(region_a.users["participant_reclassering"]).get(base).json()
    assert plan["conflicts"][0]["acknowledged"] is True
    assert len(plan["interventions"]) == 3 and len(plan["goals"]) == 1


@pytest.mark.parametrize(
    "path,body,field",
    [
        ("/goals", {"domain": "maan", "description": "x"}, "domain"),
        ("/goals", {"domain": "huisvesting", "description": "x" * 3000}, "description"),
        (
            "/interventions",
            {
                "measure": "ongewenstverklaring",
                "organisation": "ORG:gemeente",
                "starts_on": "2026-01-01",
                "planned_end": "2026-02-01",
            },
            "organisation",
        ),
        (
            "/interventions",
            {
                "measure": "bestaat_niet",
                "organisation": "ORG:ggz",
                "starts_on": "2026-01-01",
                "planned_end": "2026-02-01",
            },
            "entry",
        ),
        (
            "/interventions",
            {"measure": "zorg_ggz", "organisation": "ORG:ggz", "starts_on": "2026-03-01", "planned_end": "2026-02-01"},
            "planned_end",
        ),
        ("/interventions", {"measure": "zorg_ggz", "organisation": "nope", "starts_on": "x"}, "organisation"),
        (
            "/contacts",
            {"intervention": "00000000-0000-0000-0000-000000000000", "date": "2026-01-01", "held": True},
            "intervention",
        ),
        ("/contacts", {"intervention": [], "date": {}, "held": "misschien"}, "held"),
        ("/acknowledgements", {"rule": "exit_reclasseringstoezicht", "reason": "   "}, "reason"),
        ("/acknowledgements", {"rule": "exit_reclasseringstoezicht", "reason": "Omdat"}, "rule"),
        ("/reviews", {"held_on": "2026-01-01", "narrative": "x", "scores": []}, "scores"),
        ("/reviews", {"held_on": "2026-01-01", "narrative": "x", "scores": "veel"}, "scores.nonFieldErrors"),
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(api, region_a, case_a, path, body, field):
    for key, value in list(body.items()):
        if isinstance(value, str) and value.startswith("ORG:"):
            body[key] = str(region_a.orgs[value[4:]].pk)
    client = api(region_a.users["case_director"])
    response = client.post(f"/api/v1/cases/{case_a.pk}/plan{path}", body, format="json")
    assert_problem(response, 400, field)
    assert not Intervention.objects.exists()


def test_acknowledgement_without_reason_refused(api, region_a, case_a, request):
    body = acknowledgement_body(request)
    body["reason"] = ""
    response = api(region_a.users["case_director"]).post(
        f"/api/v1/cases/{case_a.pk}/plan/acknowledgements", body, format="json"
    )
    assert_problem(response, 400, "reason")


def test_review_of_closed_case_refused(api, region_a, case_a, request):
    from casustafel.cases.services import transition_case

    body = review_body(request)
    transition_case(
        region_a.users["case_director"], case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
    )
    response = api(region_a.users["case_director"]).post(f"/api/v1/cases/{case_a.pk}/plan/reviews", body, format="json")
    assert_problem(response, 404)  # blocked after closure (Wet PGA art. 6 lid 3)
    assert Plan.objects.get(case=case_a).reviews.count() == 0


def test_complete_coordination_task(api, region_a, case_a, coordination_task_a):
    path = f"/api/v1/coordination-tasks/{coordination_task_a.pk}/completion"
    assert_problem(api(region_a.users["weigher_politie"]).post(path, task_completion_body(None), format="json"), 403)
    client = api(region_a.users["participant_reclassering"])
    assert_problem(client.post(path, {"outcome": "  "}, format="json"), 400, "outcome")
    response = client.post(path, task_completion_body(None), format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done"] is True and body["outcome"] == "Gesprekken afgestemd met het OM" and body["done_at"]
    assert body["done_by"] == region_a.users["participant_reclassering"].display_name
    problem = assert_problem(client.post(path, {"outcome": "Nogmaals"}, format="json"), 400, "task")
    assert "al afgerond" in problem["invalidParams"][0]["reason"]
    entry = ProcessingLogEntry.objects.get(
        object_type="coordinationtask", object_id=coordination_task_a.pk, action="update", status="ok"
    )
    assert entry.audit_record.via_api
    plan = client.get(f"/api/v1/cases/{case_a.pk}/plan").json()
    assert plan["coordination_tasks"][0]["outcome"] == "Gesprekken afgestemd met het OM"


def test_task_of_closed_case_refused(api, region_a, case_a, coordination_task_a):
    from casustafel.cases.services import transition_case

    transition_case(
        region_a.users["case_director"],
        case=case_a,
        target="closed",
        reason="Klaar",
        closure_reason="doelen_bereikt",
        override_open_work="Loopt buiten de PGA",
    )
    response = api(region_a.users["case_director"]).post(
        f"/api/v1/coordination-tasks/{coordination_task_a.pk}/completion", task_completion_body(None), format="json"
    )
    assert_problem(response, 404)  # blocked after closure (Wet PGA art. 6 lid 3)
    coordination_task_a.refresh_from_db()
    assert not coordination_task_a.done


def test_record_checkin(api, region_a, case_a, due_checkin_a, request):
    path = f"/api/v1/checkins/{due_checkin_a.pk}/result"
    client = api(region_a.users["case_director"])
    assert_problem(client.post(path, {**checkin_body(request), "held_on": "2999-01-01"}, format="json"), 400, "held_on")
    other_region = request.getfixturevalue("world")["b"].orgs["reclassering"]
    assert_problem(
        client.post(path, {**checkin_body(request), "organisation": str(other_region.pk)}, format="json"),
        400,
        "organisation",
    )
    response = client.post(path, {**checkin_body(request), "new_concerns": True}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["new_concerns"] is True and body["held_on"] == str(_today()) and "nieuw signaal" in body["follow_up"]
    assert body["organisation"]["id"] == str(region_a.orgs["reclassering"].pk)
    problem = assert_problem(client.post(path, checkin_body(request), format="json"), 400, "checkin")
    assert "al vastgelegd" in problem["invalidParams"][0]["reason"]
    assert (
        ProcessingLogEntry.objects.filter(object_type="checkin", object_id=due_checkin_a.pk, action="update").count()
        == 1
    )


def test_checkins_of_a_closed_case_without_plan_are_listed_and_recordable(api, region_a, case_a, request):
    """An API client finds the check-ins through the case (there need not be a plan)."""
    from casustafel.cases.services import transition_case
    from casustafel.plans.models import Plan

    transition_case(
        region_a.users["case_director"], case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
    )
    assert not Plan.objects.filter(case=case_a).exists()
    client = api(region_a.users["case_director"])
    listed = client.get(f"/api/v1/cases/{case_a.pk}/checkins")
    assert listed.status_code == 200
    assert [c["months"] for c in listed.json()] == [6, 12]
    assert all(c["held_on"] is None and c["opens_on"] for c in listed.json())
    logged = ProcessingLogEntry.objects.filter(object_type="checkin", action="read", data_subject_id=case_a.subject_id)
    assert {e.object_id for e in logged} == set(CheckIn.objects.filter(case=case_a).values_list("pk", flat=True))
    # Another region's user does not learn the case exists.
    other = api(request.getfixturevalue("world")["b"].users["case_director"])
    assert_problem(other.get(f"/api/v1/cases/{case_a.pk}/checkins"), 404)


def test_checkin_too_early_refused(api, region_a, case_a, request):
    from casustafel.cases.services import transition_case

    transition_case(
        region_a.users["case_director"], case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
    )
    checkin = CheckIn.objects.get(case=case_a, months=12)
    response = api(region_a.users["case_director"]).post(
        f"/api/v1/checkins/{checkin.pk}/result", checkin_body(request), format="json"
    )
    problem = assert_problem(response, 400, "checkin")
    assert "pas vanaf" in problem["invalidParams"][0]["reason"]
    checkin.refresh_from_db()
    assert checkin.done_on is None
