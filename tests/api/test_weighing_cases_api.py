"""Weighing and cases through the API: contributions, the decision, participants, transitions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casustafel.cases import states as case_states
from casustafel.cases.models import Case, CaseParticipant, CaseTransition
from casustafel.weighing.models import Contribution, CriterionAssessment, Decision, Weighing

from ..factories import OrganisationFactory
from .conftest import assert_problem, contribution_body

pytestmark = pytest.mark.django_db


def _weighing_counts():
    return (
        Contribution.objects.count(),
        CriterionAssessment.objects.count(),
        Decision.objects.count(),
        Case.objects.count(),
    )


def _case_counts():
    return CaseParticipant.objects.count(), CaseTransition.objects.count()


def test_contribution_created_then_renewed(api, region_a, weighing_a):
    client = api(region_a.users["weigher_politie"])
    url = f"/api/v1/weighings/{weighing_a.pk}/contributions"
    first = client.post(url, contribution_body(weighing_a), format="json")
    assert first.status_code == 201 and first.json()["party"] == "politie"
    renewed = client.post(url, contribution_body(weighing_a, view="geen_actie"), format="json")
    assert renewed.status_code == 200 and renewed.json()["view"] == "geen_actie"
    detail = client.get(f"/api/v1/weighings/{weighing_a.pk}").json()
    assert [c["party"] for c in detail["contributions"]] == ["politie"]
    assert len(detail["framework"]["criteria"]) == len(detail["contributions"][0]["assessments"])
    assert "Gemeente" in detail["missing_parties"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"view": "misschien"}, "view"),
        ({"view_rationale": ""}, "view_rationale"),
        ({"view_rationale": "x" * 5001}, "view_rationale"),
        ({"information": "x" * 10001}, "information"),
        ({"holds_information": True, "information": ""}, "information"),
        ({"assessments": []}, "assessments.violence"),
        ({"assessments": [{"criterion": "onbekend", "assessment": "aanwezig", "reasons": "x"}]}, "assessments"),
        (
            {"assessments": [{"criterion": "social-relations", "assessment": "heel erg", "reasons": "x"}]},
            "assessments.0.assessment",
        ),
    ],
)
def test_bad_contribution(api, region_a, weighing_a, overrides, field):
    before = _weighing_counts()
    response = api(region_a.users["weigher_om"]).post(
        f"/api/v1/weighings/{weighing_a.pk}/contributions", contribution_body(weighing_a, **overrides), format="json"
    )
    assert_problem(response, 400, field)
    assert _weighing_counts() == before


def test_duplicate_criterion(api, region_a, weighing_a):
    body = contribution_body(weighing_a)
    body["assessments"].append(body["assessments"][0])
    response = api(region_a.users["weigher_om"]).post(
        f"/api/v1/weighings/{weighing_a.pk}/contributions", body, format="json"
    )
    assert_problem(response, 400, "assessments")


def test_decision_before_all_three_contributions(api, region_a, weighing_a):
    for key in ("weigher_gemeente", "weigher_politie"):
        api(region_a.users[key]).post(
            f"/api/v1/weighings/{weighing_a.pk}/contributions", contribution_body(weighing_a), format="json"
        )
    before = _weighing_counts()
    response = api(region_a.users["weigher_om"]).post(
        f"/api/v1/weighings/{weighing_a.pk}/decision",
        {"outcome": "geen_actie", "rationale": "Geen zorgen."},
        format="json",
    )
    body = assert_problem(response, 400, "contributions")
    assert "Openbaar Ministerie" in str(body["invalidParams"])
    assert _weighing_counts() == before


def test_decision_include_opens_case(api, region_a, weighed_a):
    client = api(region_a.users["weigher_gemeente"])
    response = client.post(
        f"/api/v1/weighings/{weighed_a.pk}/decision",
        {
            "outcome": "opnemen",
            "rationale": "Samenhangende zorgen.",
            "case_director": region_a.users["case_director"].username,
            "participants": [{"organisation": str(region_a.orgs["reclassering"].pk), "reason": "Toezicht loopt"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    proposal = response.json()
    assert proposal["status"] == "proposed" and proposal["case"] is None
    assert [c["party"] for c in proposal["confirmations"]] == ["gemeente"]
    # The eensluidende beoordeling (art. 5 lid 3 Wet PGA): politie and OM confirm.
    path = f"/api/v1/decisions/{proposal['id']}/confirmations"
    politie = api(region_a.users["weigher_politie"]).post(path, {"agrees": True}, format="json")
    assert politie.status_code == 200 and politie.json()["case"] is None
    assert_problem(api(region_a.users["weigher_politie"]).post(path, {"agrees": True}, format="json"), 400)
    assert_problem(api(region_a.users["weigher_om"]).post(path, {"agrees": False}, format="json"), 400, "reason")
    om = api(region_a.users["weigher_om"]).post(path, {"agrees": True}, format="json")
    assert om.status_code == 200 and om.json()["status"] == "in_effect"
    case = Case.objects.get(pk=om.json()["case"])
    assert case.participants.filter(organisation=region_a.orgs["reclassering"]).exists()
    assert_problem(
        client.post(
            f"/api/v1/weighings/{weighed_a.pk}/decision",
            {"outcome": "geen_actie", "rationale": "Nogmaals."},
            format="json",
        ),
        400,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "opnemen", "rationale": "x"}, "case_director"),
        ({"outcome": "opnemen", "rationale": "x", "case_director": "niemand"}, "case_director"),
        ({"outcome": "opnemen", "rationale": "x", "case_director": "case_director-b"}, "case_director"),
        (
            {
                "outcome": "opnemen",
                "rationale": "x",
                "case_director": "case_director-a",
                "participants": [{"organisation": "00000000-0000-0000-0000-000000000000", "reason": "x"}],
            },
            "participants.0.organisation",
        ),
        ({"outcome": "doorverwijzen", "rationale": "x"}, "referral_target"),
        ({"outcome": "geen_actie", "rationale": "x", "referral_target": "veilig_thuis"}, "referral_target"),
        ({"outcome": "meer_informatie", "rationale": "x"}, "information_deadline"),
        (
            {
                "outcome": "meer_informatie",
                "rationale": "x",
                "information_deadline": (timezone.localdate() - timedelta(days=1)).isoformat(),
            },
            "information_deadline",
        ),
        ({"outcome": "geen_actie", "rationale": ""}, "rationale"),
        ({"outcome": "geen_actie", "rationale": "x" * 10001}, "rationale"),
        ({"outcome": "weet niet", "rationale": "x"}, "outcome"),
        ({"rationale": "x"}, "outcome"),
    ],
)
def test_bad_decision(api, region_a, weighed_a, body, field):
    before = _weighing_counts()
    response = api(region_a.users["weigher_om"]).post(f"/api/v1/weighings/{weighed_a.pk}/decision", body, format="json")
    assert_problem(response, 400, field)
    assert _weighing_counts() == before
    assert Weighing.objects.get(pk=weighed_a.pk).status == Weighing.OPEN


def test_add_participant(api, region_a, case_a):
    client = api(region_a.users["case_director"])
    url = f"/api/v1/cases/{case_a.pk}/participants"
    body = {"organisation": str(OrganisationFactory(region=region_a.region, kind="rvdk").pk), "reason": "Onderzoek"}
    response = client.post(url, body, format="json")
    assert response.status_code == 201 and response.json()["organisation"]["kind"] == "rvdk"
    assert response.json()["capacity"] == "participant"
    before = _case_counts()
    assert_problem(client.post(url, body, format="json"), 400, "organisation")  # duplicate submission
    assert _case_counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"organisation": "other-region", "reason": "x"}, "organisation"),
        ({"organisation": "ggz", "reason": ""}, "reason"),
        ({"organisation": "ggz", "reason": "x" * 2001}, "reason"),
        ({"organisation": "geen-uuid", "reason": "x"}, "organisation"),
        ({"reason": "x"}, "organisation"),
    ],
)
def test_bad_participant(api, world, case_a, body, field):
    orgs = {"other-region": str(world["b"].orgs["ggz"].pk), "ggz": str(world["a"].orgs["ggz"].pk)}
    body = {**body, "organisation": orgs.get(body.get("organisation"), body.get("organisation"))}
    if body["organisation"] is None:
        del body["organisation"]
    before = _case_counts()
    response = api(world["a"].users["process_director"]).post(
        f"/api/v1/cases/{case_a.pk}/participants", body, format="json"
    )
    assert_problem(response, 400, field)
    assert _case_counts() == before


def test_case_lifecycle(api, region_a, case_a):
    client = api(region_a.users["case_director"])
    url = f"/api/v1/cases/{case_a.pk}/transitions"
    closed = client.post(
        url, {"target": "closed", "reason": "Doelen bereikt", "closure_reason": "doelen_bereikt"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == case_states.CLOSED
    assert closed.json()["transitions"][-1]["closure_reason"] == "doelen_bereikt"
    reopened = client.post(url, {"target": "reopened", "reason": "Nieuwe zorgen"}, format="json")
    assert reopened.json()["status"] == case_states.REOPENED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": "reopened", "reason": "x"}, "status"),  # illegal: active → reopened
        ({"target": "closed", "reason": "x"}, "closure_reason"),
        ({"target": "scaled_down", "reason": "x", "closure_reason": "verhuisd"}, "closure_reason"),
        ({"target": "scaled_down", "reason": ""}, "reason"),
        ({"target": "gesloten", "reason": "x"}, "target"),
        ({"target": "closed", "reason": "x", "closure_reason": "verveeld"}, "closure_reason"),
    ],
)
def test_bad_case_transition(api, region_a, case_a, body, field):
    before = _case_counts()
    response = api(region_a.users["case_director"]).post(f"/api/v1/cases/{case_a.pk}/transitions", body, format="json")
    assert_problem(response, 400, field)
    assert _case_counts() == before
    case_a.refresh_from_db()
    assert case_a.status == case_states.ACTIVE
