"""Wet PGA art. 6 lid 3: after closure a case's personal data are blocked (afgeschermd) for
the participants until destruction. Only the law's uses stay: the follow-up minimum, the
privacy officer's lawfulness review, the notice and renewed-weighing decision of the three."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casustafel.accounts.services import create_api_token
from casustafel.cases import blocking
from casustafel.cases.models import BlockedCaseReuse, LawfulnessReview, ReuseDecision
from casustafel.cases.services import transition_case
from casustafel.core.errors import PolicyDenied
from casustafel.flow.services import register_signal
from casustafel.meetings import selectors as meeting_selectors
from casustafel.meetings import services as meeting_services
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.signals.models import Signal
from casustafel.weighing.models import Weighing

from .factories import signal_fields, subject_data
from .helpers import login
from .meetings_helpers import schedule

pytestmark = pytest.mark.django_db

PARTICIPANTS = ("case_director", "process_director", "participant_reclassering", "weigher_politie")


def _close(region_a, case):
    transition_case(
        region_a.users["case_director"],
        case=case,
        target="closed",
        reason="Doelen bereikt",
        closure_reason="doelen_bereikt",
        override_open_work="Loopt buiten de PGA door",
    )
    case.refresh_from_db()
    return case


def _refused_reads(case):
    return ProcessingLogEntry.objects.filter(object_id=case.pk, status="refused", action="read")


@pytest.fixture
def closed_a(region_a, case_a):
    return _close(region_a, case_a)


@pytest.mark.parametrize("who", PARTICIPANTS)
def test_art6_lid3_closed_case_is_blocked_on_the_web_for_every_participant(client, region_a, closed_a, who):
    login(client, region_a.users[who])
    for url in (
        reverse("cases:case_detail", args=[closed_a.pk]),
        reverse("plans:plan", args=[closed_a.pk]),
        reverse("governance:case_transparency", args=[closed_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert closed_a.reference not in client.get(reverse("cases:case_list")).content.decode()
    assert closed_a.reference not in client.get(reverse("web:dashboard")).content.decode() or who in (
        "case_director",
        "process_director",
    )
    assert _refused_reads(closed_a).exists()


def test_art6_lid3_closed_case_is_blocked_in_the_api(client, region_a, closed_a):
    token = create_api_token(region_a.users["case_director"])
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    for path in (f"/api/v1/cases/{closed_a.pk}", f"/api/v1/cases/{closed_a.pk}/plan"):
        response = client.get(path, **auth)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", path
    listed = client.get("/api/v1/cases", **auth).json()
    assert closed_a.reference not in str(listed)
    refused = _refused_reads(closed_a).filter(audit_record__via_api=True)
    assert refused.exists()


def test_art6_lid3_agenda_items_and_export_of_a_closed_case_are_blocked(region_a, case_a):
    chair = region_a.users["process_director"]
    meeting = schedule(region_a)
    meeting_services.add_agenda_item(chair, meeting=meeting, case=case_a)
    assert [i.case_id for i in meeting_selectors.agenda(chair, meeting)] == [case_a.pk]
    _close(region_a, case_a)
    assert meeting_selectors.agenda(chair, meeting) == []
    # The per-organisation agenda (the PDF export) is built from the same scope.
    assert meeting_selectors.agenda_for_organisation(chair, meeting, region_a.orgs["reclassering"]) == []


def test_art6_lid3_signals_and_weighing_of_a_closed_case_are_blocked(region_a, case_a):
    weighing = case_a.origin_decision.weighing
    intake = region_a.users["intake"]
    from casustafel.access import policy

    assert policy.scope_signals(intake, Signal.objects.filter(weighing=weighing)).exists()
    _close(region_a, case_a)
    assert not policy.scope_signals(intake, Signal.objects.filter(weighing=weighing)).exists()
    assert not policy.scope_weighings(region_a.users["weigher_om"], Weighing.objects.filter(pk=weighing.pk)).exists()


def test_art6_lid3_checkins_keep_working_on_the_minimum_for_the_case_director(client, region_a, closed_a):
    login(client, region_a.users["case_director"])
    page = client.get(reverse("cases:closed_case", args=[closed_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and closed_a.reference in body and "Opvolging na afsluiting" in body
    assert "Doelen bereikt" in body  # the outcome
    subject = closed_a.subject
    assert subject.family_name not in body and "Toezicht loopt" not in body  # no personal content
    # A participant that does not direct the case does not see even the minimum.
    login(client, region_a.users["participant_reclassering"])
    assert client.get(reverse("cases:closed_case", args=[closed_a.pk])).status_code == 404


def test_art6_lid3_the_case_director_can_still_reopen(client, region_a, closed_a):
    login(client, region_a.users["case_director"])
    response = client.post(
        reverse("cases:case_transition", args=[closed_a.pk]), {"target": "reopened", "reason": "Nieuwe zorgen"}
    )
    assert response.status_code == 302
    closed_a.refresh_from_db()
    assert closed_a.status == "reopened"
    assert client.get(reverse("cases:case_detail", args=[closed_a.pk])).status_code == 200


def test_art6_lid3_privacy_officer_lawfulness_review_is_recorded_with_its_reason(client, region_a, closed_a):
    fg = region_a.users["privacy_officer"]
    with pytest.raises(ValidationError) as error:
        blocking.review_lawfulness(fg, case=closed_a, reason="  ")
    assert "reden" in error.value.message_dict["reason"][0]
    with pytest.raises(PolicyDenied):
        blocking.review_lawfulness(region_a.users["case_director"], case=closed_a, reason="Nieuwsgierig")
    assert not LawfulnessReview.objects.exists()
    login(client, fg)
    url = reverse("cases:lawfulness_review", args=[closed_a.pk])
    form = client.get(url).content.decode()
    assert closed_a.subject.family_name not in form  # nothing before the reason is recorded
    response = client.post(url, {"reason": "Klacht van betrokkene: controle rechtmatigheid"})
    assert response.status_code == 200 and closed_a.subject.family_name in response.content.decode()
    review = LawfulnessReview.objects.get(case=closed_a)
    assert (review.reviewed_by, review.reason) == (fg, "Klacht van betrokkene: controle rechtmatigheid")
    read = ProcessingLogEntry.objects.filter(
        object_id=closed_a.pk, action="read", purpose="privacy_supervision", status="ok"
    )
    assert read.count() == 1


def _new_aanmelding(region_a):
    return register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields()).signal


def test_art6_lid3_new_aanmelding_tells_the_three_a_blocked_case_exists_without_content(client, region_a, closed_a):
    assert not blocking.blocked_case_notices(region_a.users["weigher_om"]).exists()
    _new_aanmelding(region_a)  # the same person as case_a
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        assert list(blocking.blocked_case_notices(region_a.users[key])) == [closed_a]
    assert not blocking.blocked_case_notices(region_a.users["participant_reclassering"]).exists()
    login(client, region_a.users["weigher_politie"])
    overview = client.get(reverse("cases:blocked_cases")).content.decode()
    assert closed_a.reference in overview
    page = client.get(reverse("cases:blocked_case_notice", args=[closed_a.pk])).content.decode()
    assert closed_a.reference in page and "afgesloten op" in page
    assert closed_a.subject.family_name not in page and "Toezicht loopt" not in page
    assert client.get(reverse("cases:blocked_case_content", args=[closed_a.pk])).status_code == 404


def test_art6_lid3_renewed_weighing_decision_is_recorded_and_opens_only_when_all_three_agree(
    client, region_a, closed_a
):
    with pytest.raises(ValidationError):  # no new aanmelding yet
        blocking.decide_reuse(region_a.users["weigher_om"], case=closed_a, decision="may_serve", reason="Relevant")
    _new_aanmelding(region_a)
    with pytest.raises(PolicyDenied):
        blocking.decide_reuse(
            region_a.users["participant_reclassering"], case=closed_a, decision="may_serve", reason="Relevant"
        )
    with pytest.raises(ValidationError) as error:
        blocking.decide_reuse(region_a.users["weigher_om"], case=closed_a, decision="misschien", reason="")
    assert set(error.value.message_dict) == {"decision", "reason"}
    assert not BlockedCaseReuse.objects.exists()
    login(client, region_a.users["weigher_om"])
    url = reverse("cases:blocked_case_notice", args=[closed_a.pk])
    assert client.post(url, {"decision": "may_serve", "reason": "Zelfde netwerk"}).status_code == 302
    row = BlockedCaseReuse.objects.get()
    assert (row.decided_by, row.organisation, row.decision) == (
        region_a.users["weigher_om"],
        region_a.orgs["om"],
        ReuseDecision.MAY_SERVE,
    )
    assert ProcessingLogEntry.objects.filter(object_id=row.pk, action="create").exists()
    blocking.decide_reuse(region_a.users["weigher_politie"], case=closed_a, decision="may_serve", reason="Eens")
    assert not blocking.reuse_permitted(closed_a)
    assert client.get(reverse("cases:blocked_case_content", args=[closed_a.pk])).status_code == 404
    blocking.decide_reuse(region_a.users["weigher_gemeente"], case=closed_a, decision="may_serve", reason="Eens")
    assert blocking.reuse_permitted(closed_a)
    content = client.get(reverse("cases:blocked_case_content", args=[closed_a.pk]))
    assert content.status_code == 200 and "Toezicht loopt" in content.content.decode()
    assert ProcessingLogEntry.objects.filter(object_id=closed_a.pk, action="read", purpose="weighing").exists()
    # Participants other than the three still see nothing of the blocked case.
    login(client, region_a.users["case_director"])
    assert client.get(reverse("cases:case_detail", args=[closed_a.pk])).status_code == 404
