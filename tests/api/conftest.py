"""Fixtures for the API tests: personal tokens and a client that speaks JSON."""

import pytest

from casustafel.flow.services import propose_decision, send_to_weighing
from casustafel.weighing.models import Outcome
from casustafel.weighing.services import DecisionData

from ..conftest import weigh_all
from ..helpers import api_client

API = "/api/v1"


@pytest.fixture
def api():
    """``api(user)`` → an APIClient authenticated with that person's token (``None``: anonymous)."""

    return api_client


@pytest.fixture
def weighing_a(region_a, signal_a):
    """An open weighing in region a without contributions."""
    return send_to_weighing(region_a.users["intake"], signal=signal_a).weighing


@pytest.fixture
def weighed_a(region_a, weighing_a):
    """An open weighing in region a with fresh contributions of all three parties."""
    weigh_all(region_a, weighing_a)
    return weighing_a


@pytest.fixture
def proposed_decision_a(region_a, weighed_a):
    """A decision "geen actie" proposed by the gemeente, awaiting politie and OM (art. 5 lid 3)."""
    return propose_decision(
        region_a.users["weigher_gemeente"],
        weighing=weighed_a,
        data=DecisionData(outcome=Outcome.NO_ACTION, rationale="Geen zorgen over radicalisering."),
    )


@pytest.fixture
def consultation_a(region_a, weighing_a):
    """The politie consulted the reclassering on weighing_a (art. 5 lid 3); the answer is awaited."""
    from django.utils import timezone

    from casustafel.weighing.services import record_consultation

    return record_consultation(
        region_a.users["weigher_politie"],
        weighing=weighing_a,
        organisation=region_a.orgs["reclassering"],
        consulted_on=timezone.localdate(),
        question="Loopt er toezicht?",
    )


@pytest.fixture
def third_party_admission_a(region_a, case_a):
    """The case director's proposal to admit the ggz to case_a as a third party (art. 3 lid 3),
    awaiting all three (gemeente, politie, OM)."""
    from casustafel.cases.third_parties import propose_third_party

    return propose_third_party(
        region_a.users["case_director"],
        case=case_a,
        organisation=region_a.orgs["ggz"],
        expertise="Behandeling",
        plan_roles=["carrying_out"],
        necessary_data=["plan_of_action"],
    )


def assert_problem(response, status: int, field: str | None = None) -> dict:
    """The response is an RFC 9457 problem with ``status``, naming ``field`` in ``invalidParams``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["traceId"]
    if field is not None:
        names = [p["name"] for p in body.get("invalidParams", [])]
        assert field in names, names
    return body


def signal_body(**overrides) -> dict:
    body = {
        "subject": {
            "given_names": "Piet",
            "family_name": "Apitest",
            "date_of_birth": "2001-02-03",
            "gender": "man",
            "municipality": "Lindeveld",
        },
        "source_type": "politie",
        "phenomenon": "rechts_extremistisch",
        "facts": "Deelt gewelddadige teksten in een besloten groep.",
        "online_component": True,
        "legal_basis": "wet-pga",
    }
    subject = overrides.pop("subject", {})
    body["subject"].update(subject)
    body.update(overrides)
    return body


def contribution_body(weighing, **overrides) -> dict:
    body = {
        "holds_information": True,
        "information": "Bekend uit eigen systemen.",
        "view": "opnemen",
        "view_rationale": "Zorgen over samenhang van signalen.",
        "legal_basis": "wet-pga",
        "assessments": [
            {"criterion": c.code, "assessment": "aanwezig", "reasons": "Onderbouwing."}
            for c in weighing.framework.criteria.all()
        ],
    }
    body.update(overrides)
    return body
