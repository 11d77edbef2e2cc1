"""Web behaviour: bad input gets Dutch messages and writes nothing; list pages have a
constant number of queries; the known-person history is shown."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casustafel.cases.models import Case, CaseTransition
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject

from .conftest import make_case
from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db


def intake_post(**overrides):
    data = {
        "given_names": "Piet",
        "family_name": "Proefpersoon",
        "date_of_birth": "1998-03-02",
        "gender": "man",
        "municipality": "Lindeveld",
        "bsn": "",
        "source_type": "school",
        "source_description": "Mentor",
        "phenomenon": "rechts_extremistisch",
        "facts": "Tekent symbolen op schoolspullen.",
        "opinions": "",
        "counter_indications": "",
        "urgency": "normaal",
        "observed_on": "",
        "submission": str(uuid.uuid4()),
        "legal_basis": "wet-pga",
        "classification": "ordinary",
        "visibility": "all_participants",
    }
    data.update(overrides)
    return data


def _counts():
    return (
        Signal.objects.count(),
        Subject.objects.count(),
        ProcessingLogEntry.objects.filter(action__in=["create", "update", "transition"]).count(),
    )


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"bsn": "123456789"}, "bsn", "geen geldig burgerservicenummer"),
        ({"bsn": "12345"}, "bsn", "9 tekens"),
        # Dates relative to today are computed when the test runs, not when it is collected: a
        # suite collected before midnight and run after it would otherwise send "today".
        (
            lambda: {"date_of_birth": (timezone.localdate() + timedelta(days=3)).isoformat()},
            "date_of_birth",
            "toekomst",
        ),
        ({"date_of_birth": "2001-02-30"}, "date_of_birth", "geldige datum"),
        ({"phenomenon": "religie"}, "phenomenon", "geen beschikbare keuze"),
        ({"facts": ""}, "facts", "vereist"),
        ({"facts": "x" * 10001}, "facts", "10000"),
        (lambda: {"observed_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "observed_on", "toekomst"),
    ],
)
def test_intake_bad_input_is_refused_in_dutch_and_writes_nothing(client, region_a, overrides, field, message):
    login(client, region_a.users["intake"])
    overrides = overrides() if callable(overrides) else overrides
    before = _counts()
    response = client.post(reverse("signals:signal_create"), intake_post(**overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "Het formulier is niet opgeslagen" in response.content.decode()
    assert _counts() == before


def test_intake_registers_and_duplicate_submission_creates_one(client, region_a):
    login(client, region_a.users["intake"])
    data = intake_post(bsn="111222333")
    first = client.post(reverse("signals:signal_create"), data)
    second = client.post(reverse("signals:signal_create"), data)
    assert first.status_code == second.status_code == 302
    assert Signal.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert "111222333" not in first["Location"]


def test_acute_signal_shows_escalation_notice(client, region_a):
    login(client, region_a.users["intake"])
    response = client.post(reverse("signals:signal_create"), intake_post(urgency="acuut"), follow=True)
    assert "ACUUT GEVAAR" in response.content.decode()
    assert Signal.objects.get().status == "in_weighing"


def test_known_person_history_is_shown(client, region_a):
    intake = region_a.users["intake"]
    case = make_case(region_a, family_name="Bekend")
    new = register_signal(intake, subject=subject_data(family_name="Bekend"), fields=signal_fields()).signal
    login(client, intake)
    page = client.get(reverse("signals:signal_detail", args=[new.pk])).content.decode()
    assert "Bekende persoon" in page and case.reference in page
    check = client.post(
        reverse("signals:known_person_check"),
        intake_post(given_names="Jan", family_name="Bekend", date_of_birth="1999-04-12"),
    )
    assert "al bekend" in check.content.decode()
    assert ProcessingLogEntry.objects.filter(action="search", purpose="known_person_check").count() == 1


def test_signal_on_person_of_scaled_down_case_announces_reopening_proposal(client, region_a, case_a):
    from casustafel.cases.services import transition_case

    transition_case(region_a.users["case_director"], case=case_a, target="scaled_down", reason="Gaat goed")
    login(client, region_a.users["intake"])
    response = client.post(
        reverse("signals:signal_create"),
        intake_post(given_names="Jan", family_name="Testpersoon", date_of_birth="1999-04-12"),
        follow=True,
    )
    assert "voorstel tot heropening" in response.content.decode()


def test_art6_lid3_signal_on_person_of_closed_case_does_not_propose_reopening(client, region_a, case_a):
    """A closed case is blocked: the new aanmelding is weighed anew by the three, not put to the table."""
    from casustafel.cases.services import transition_case

    transition_case(
        region_a.users["case_director"], case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
    )
    login(client, region_a.users["intake"])
    response = client.post(
        reverse("signals:signal_create"),
        intake_post(given_names="Jan", family_name="Testpersoon", date_of_birth="1999-04-12"),
        follow=True,
    )
    assert response.status_code == 200 and "voorstel tot heropening" not in response.content.decode()


def test_decision_before_three_contributions_is_refused(client, region_a, signal_a):
    signal = send_to_weighing(region_a.users["intake"], signal=signal_a)
    login(client, region_a.users["weigher_om"])
    response = client.post(
        reverse("weighing:weighing_decide", args=[signal.weighing_id]),
        {"outcome": "geen_actie", "rationale": "Geen zorgen"},
    )
    assert response.status_code == 400
    assert "Nog nodig van" in response.content.decode()
    assert not signal.weighing.decisions.exists()


def test_contribution_without_criteria_is_refused(client, region_a, signal_a):
    signal = send_to_weighing(region_a.users["intake"], signal=signal_a)
    login(client, region_a.users["weigher_om"])
    response = client.post(
        reverse("weighing:weighing_contribute", args=[signal.weighing_id]),
        {"holds_information": "1", "information": "", "view": "opnemen", "view_rationale": "x"},
    )
    assert response.status_code == 400
    assert not signal.weighing.contributions.exists()


def test_illegal_case_transition_is_refused(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    url = reverse("cases:case_transition", args=[case_a.pk])
    response = client.post(url, {"target": "reopened", "reason": "Waarom niet"})
    assert response.status_code == 400
    response = client.post(url, {"target": "closed", "reason": "Klaar", "closure_reason": ""})
    assert response.status_code == 400
    assert "reden van afsluiting" in response.content.decode()
    assert Case.objects.get(pk=case_a.pk).status == "active"
    assert CaseTransition.objects.filter(case=case_a).count() == 1
    response = client.post(url, {"target": "closed", "reason": "Klaar", "closure_reason": "doelen_bereikt"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case_a.pk).status == "closed"


def test_duplicate_participant_is_refused(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    response = client.post(
        reverse("cases:case_add_participant", args=[case_a.pk]),
        {"organisation": region_a.orgs["reclassering"].pk, "reason": "Nogmaals"},
    )
    assert response.status_code == 400
    assert case_a.participants.count() == 5


@pytest.mark.parametrize(
    "route, user_key",
    [
        ("signals:signal_list", "intake"),
        ("cases:case_list", "case_director"),
        ("weighing:weighing_list", "weigher_om"),
        ("web:dashboard", "weigher_gemeente"),
    ],
)
def test_list_pages_have_constant_query_count(client, region_a, route, user_key, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, region_a.users[user_key])

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(route)).status_code == 200
        return len(ctx.captured_queries)

    make_case(region_a, family_name="Eerste")
    small = measure()
    for i in range(12):
        make_case(region_a, family_name=f"Persoon{i}")
    large = measure()
    assert small == large, f"{route}: {small} queries with 1 row, {large} with 13"
    # incl. one for the menu (may this user read any ambtsbericht?), two to set and reset the
    # database scope (ADR 0014) and one for the audit record of the read (ADR 0015); the
    # dashboard reads one query per kind of work the user can get (the weegploeg member of the
    # gemeente: eleven, ADR 0038) besides its lists, and records them all in one audit record.
    assert large <= (32 if route == "web:dashboard" else 20)
