"""A case cannot be closed while work registered by other apps is open, unless the
closing decision records why."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casustafel.cases import closure
from casustafel.cases.models import CaseTransition
from casustafel.cases.services import transition_case

from .helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_action(monkeypatch, case_a):
    def check(case):
        return ["actie ‘huisbezoek’ (wijkteam, uiterlijk 1 december)"] if case.pk == case_a.pk else []

    monkeypatch.setattr(closure, "OPEN_WORK_CHECKS", [check])


def test_closing_with_open_work_needs_a_recorded_override(region_a, case_a, open_action):
    director = region_a.users["case_director"]
    with pytest.raises(ValidationError) as exc:
        transition_case(director, case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt")
    assert "huisbezoek" in exc.value.message_dict["override_open_work"][0]
    case_a.refresh_from_db()
    assert case_a.status == "active"
    transition_case(
        director,
        case=case_a,
        target="closed",
        reason="Klaar",
        closure_reason="doelen_bereikt",
        override_open_work="Wijkteam zet huisbezoek voort buiten de PGA",
    )
    last = CaseTransition.objects.filter(case=case_a).last()
    assert "huisbezoek" in last.open_work_override and "buiten de PGA" in last.open_work_override


def test_closing_without_open_work_records_no_override(region_a, case_a):
    transition_case(
        region_a.users["case_director"], case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
    )
    assert CaseTransition.objects.filter(case=case_a).last().open_work_override == ""


def test_web_and_api_show_the_open_work(client, region_a, case_a, open_action):
    login(client, region_a.users["case_director"])
    response = client.post(
        reverse("cases:case_transition", args=[case_a.pk]),
        {"target": "closed", "reason": "Klaar", "closure_reason": "doelen_bereikt"},
    )
    assert response.status_code == 400 and "huisbezoek" in response.content.decode()
    from casustafel.accounts.services import create_api_token

    token = create_api_token(region_a.users["case_director"])
    api = client.post(
        f"/api/v1/cases/{case_a.pk}/transitions",
        {"target": "closed", "reason": "Klaar", "closure_reason": "doelen_bereikt"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"
    assert [p["name"] for p in api.json()["invalidParams"]] == ["override_open_work"]
