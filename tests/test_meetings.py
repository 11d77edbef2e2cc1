"""Case conferences: scheduling, agenda, need-to-know per organisation (web and PDF),
minutes/decisions/actions, and the closure guard for open actions."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from casustafel.cases.models import CaseTransition
from casustafel.cases.services import transition_case
from casustafel.core.errors import PolicyDenied
from casustafel.meetings import services
from casustafel.meetings.models import ActionStatus, AgendaItem, ItemReason, Meeting, MeetingAction
from casustafel.meetings.selectors import agenda_suggestions
from casustafel.processing_log.models import ProcessingLogEntry

from .conftest import make_case
from .factories import admit_ggz
from .helpers import login
from .meetings_helpers import meeting_with_case, schedule

pytestmark = pytest.mark.django_db


def _start(days=7, hour=10):
    return (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


# ------------------------------------------------------------------ scheduling


def test_past_meeting_is_refused(region_a):
    start = timezone.now() - timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        services.schedule_meeting(
            region_a.users["process_director"], starts_at=start, ends_at=start + timedelta(hours=2), location="Stadhuis"
        )
    assert "verleden" in exc.value.message_dict["starts_at"][0]
    assert not Meeting.objects.exists()


def test_overlapping_meeting_of_the_same_table_is_refused(world):
    a, b = world["a"], world["b"]
    start = _start()
    services.schedule_meeting(
        a.users["process_director"], starts_at=start, ends_at=start + timedelta(hours=2), location="Stadhuis"
    )
    with pytest.raises(ValidationError) as exc:
        services.schedule_meeting(
            a.users["process_director"],
            starts_at=start + timedelta(hours=1),
            ends_at=start + timedelta(hours=3),
            location="Politiebureau",
        )
    assert "overlapt" in exc.value.message_dict["starts_at"][0]
    # Back to back is fine, and another table may meet at the same time.
    services.schedule_meeting(
        a.users["process_director"],
        starts_at=start + timedelta(hours=2),
        ends_at=start + timedelta(hours=3),
        location="Zaal 2",
    )
    services.schedule_meeting(
        b.users["process_director"], starts_at=start, ends_at=start + timedelta(hours=2), location="Stadhuis b"
    )
    assert Meeting.objects.filter(region=a.region).count() == 2


def test_end_before_start_and_missing_location_are_refused(region_a):
    start = _start()
    with pytest.raises(ValidationError) as exc:
        services.schedule_meeting(
            region_a.users["process_director"], starts_at=start, ends_at=start - timedelta(hours=1), location="  "
        )
    assert set(exc.value.message_dict) == {"ends_at", "location"}


def test_only_the_process_director_schedules(region_a):
    start = _start()
    with pytest.raises(PolicyDenied):
        services.schedule_meeting(
            region_a.users["case_director"], starts_at=start, ends_at=start + timedelta(hours=1), location="Stadhuis"
        )


def test_web_schedule_shows_dutch_refusals_and_never_500(client, region_a):
    login(client, region_a.users["process_director"])
    url = reverse("meetings:meeting_create")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(url, {"date": yesterday, "start": "10:00", "end": "12:00", "location": "Stadhuis"})
    assert response.status_code == 400 and "in het verleden" in response.content.decode()
    for bad in ({"date": "morgen", "start": "25:00", "end": "x", "location": "y" * 5000}, {}):
        assert client.post(url, bad).status_code == 400
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(url, {"date": day, "start": "10:00", "end": "12:00", "location": "Stadhuis"})
    assert response.status_code == 302
    response = client.post(url, {"date": day, "start": "11:00", "end": "13:00", "location": "Stadhuis"})
    assert response.status_code == 400 and "overlapt" in response.content.decode()
    assert Meeting.objects.count() == 1


# ------------------------------------------------------------------ agenda and need-to-know


@pytest.fixture
def ten_cases(region_a):
    """Ten cases; the ggz takes part in the first three (a third party, art. 3 lid 3)."""
    cases = [make_case(region_a, family_name=f"Persoon{n:02d}") for n in range(10)]
    for case in cases[:3]:
        admit_ggz(region_a, case)
    return cases


@pytest.fixture
def big_meeting(region_a, ten_cases):
    meeting = schedule(region_a)
    services.build_agenda(region_a.users["process_director"], meeting=meeting)
    chair = region_a.users["process_director"]
    for item in meeting.items.select_related("case"):
        services.set_minutes(chair, item=item, minutes=f"Verslag over {item.case.reference}")
        services.add_decision(chair, item=item, text=f"Besluit over {item.case.reference}")
    return meeting


def test_build_agenda_takes_new_inclusions(region_a, ten_cases, big_meeting):
    assert big_meeting.items.count() == 10
    assert set(big_meeting.items.values_list("reason", flat=True)) == {ItemReason.NEW_INCLUSION}


def test_overdue_actions_come_back_on_the_next_agenda(region_a, case_a):
    first, item, action = meeting_with_case(region_a, case_a)
    MeetingAction.objects.filter(pk=action.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    later = schedule(region_a, days=21)
    assert agenda_suggestions(later) == [(case_a, ItemReason.OVERDUE_ACTIONS)]
    services.complete_action(region_a.users["participant_reclassering"], action=action)
    assert agenda_suggestions(later) == []


def test_reviews_due_come_on_the_agenda(region_a, case_a):
    from casustafel.plans.models import Plan
    from casustafel.plans.services import add_goal

    meeting_with_case(region_a, case_a)  # on the previous agenda; its action is due in 14 days
    later = schedule(region_a, days=10)
    assert agenda_suggestions(later) == []
    add_goal(region_a.users["case_director"], case=case_a, domain="huisvesting", description="Stabiele woonsituatie")
    Plan.objects.filter(case=case_a).update(next_review_due=later.starts_at.date())
    assert agenda_suggestions(later) == [(case_a, ItemReason.REVIEW_DUE)]
    Plan.objects.filter(case=case_a).update(next_review_due=later.starts_at.date() + timedelta(days=1))
    assert agenda_suggestions(later) == []


def test_new_signal_on_scaled_down_case_proposes_reopening(region_a, case_a):
    from casustafel.cases.services import transition_case
    from casustafel.flow.services import register_signal

    from .factories import signal_fields, subject_data

    director = region_a.users["case_director"]
    transition_case(director, case=case_a, target="scaled_down", reason="Gaat goed")
    later = schedule(region_a, days=10)
    assert agenda_suggestions(later) == []
    register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields())  # same person as case_a
    assert agenda_suggestions(later) == [(case_a, ItemReason.REOPEN_PROPOSAL)]
    items = services.build_agenda(region_a.users["process_director"], meeting=later)
    assert [(i.case_id, i.reason) for i in items] == [(case_a.pk, ItemReason.REOPEN_PROPOSAL)]
    transition_case(director, case=case_a, target="active", reason="Heropend na nieuw signaal")
    assert agenda_suggestions(schedule(region_a, days=12)) != [(case_a, ItemReason.REOPEN_PROPOSAL)]


def test_art6_lid3_a_new_signal_on_a_closed_case_is_not_put_on_the_agenda(region_a, case_a):
    """A closed case is blocked: the new aanmelding goes to the three (blocked-case notice), not to
    the conference as a reopening proposal with the blocked case's data."""
    from casustafel.cases.services import transition_case
    from casustafel.flow.services import register_signal

    from .factories import signal_fields, subject_data

    director = region_a.users["case_director"]
    transition_case(director, case=case_a, target="scaled_down", reason="Gaat goed")
    transition_case(
        director, case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt", override_open_work="x"
    )
    register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields())  # same person
    assert agenda_suggestions(schedule(region_a, days=10)) == []


def test_agenda_item_refusals(world, case_a):
    a, b = world["a"], world["b"]
    meeting = schedule(a)
    services.add_agenda_item(a.users["process_director"], meeting=meeting, case=case_a)
    with pytest.raises(ValidationError, match="al op de agenda"):
        services.add_agenda_item(a.users["process_director"], meeting=meeting, case=case_a)
    other = make_case(b)
    with pytest.raises(ValidationError, match="van deze casustafel"):
        services.add_agenda_item(a.users["process_director"], meeting=meeting, case=other)


def _refs_in(html, cases):
    return {case.reference for case in cases if case.reference in html}


def test_an_organisation_sees_only_its_cases_on_the_web(client, region_a, ten_cases, big_meeting):
    url = reverse("meetings:meeting_detail", args=[big_meeting.pk])
    login(client, region_a.users["participant_ggz"])
    html = client.get(url).content.decode()
    assert _refs_in(html, ten_cases) == {c.reference for c in ten_cases[:3]}
    assert "Persoon05" not in html and "Verslag over " + ten_cases[7].reference not in html
    # The chair and the core parties see the whole agenda.
    for key in ("process_director", "weigher_politie", "weigher_om", "intake"):
        login(client, region_a.users[key])
        assert _refs_in(client.get(url).content.decode(), ten_cases) == {c.reference for c in ten_cases}


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_for_an_organisation_contains_only_its_three_cases(client, region_a, ten_cases, big_meeting):
    url = reverse("meetings:meeting_pdf", args=[big_meeting.pk])
    ggz = region_a.orgs["ggz"]
    # The chair prints the ggz's copy; the ggz prints its own.
    for key, query in (("process_director", {"organisatie": str(ggz.pk)}), ("participant_ggz", {})):
        login(client, region_a.users[key])
        text = _pdf_text(client.get(url, query))
        for case in ten_cases[:3]:
            assert case.reference in text and f"Besluit over {case.reference}" in text
        for case in ten_cases[3:]:
            assert case.reference not in text and "Persoon" + case.subject.family_name[-2:] not in text
        # The printed copy is logged as an export of exactly what it contains.
        exported = ProcessingLogEntry.objects.filter(
            audit_record__user=region_a.users[key], action="export", object_type="agendaitem"
        )
        assert set(exported.values_list("data_subject_id", flat=True)) == {c.subject_id for c in ten_cases[:3]}
    # The whole agenda for a core party.
    login(client, region_a.users["process_director"])
    text = _pdf_text(client.get(url, {"organisatie": str(region_a.orgs["politie"].pk)}))
    assert all(case.reference in text for case in ten_cases)


def test_pdf_of_another_organisation_is_not_found(client, world, big_meeting):
    a, b = world["a"], world["b"]
    url = reverse("meetings:meeting_pdf", args=[big_meeting.pk])
    login(client, a.users["participant_ggz"])
    assert client.get(url, {"organisatie": str(a.orgs["politie"].pk)}).status_code == 404
    assert client.get(url, {"organisatie": "geen-uuid"}).status_code == 404
    login(client, a.users["process_director"])
    assert client.get(url, {"organisatie": str(b.orgs["ggz"].pk)}).status_code == 404


def test_reading_the_agenda_is_logged(client, region_a, case_a):
    meeting, item, action = meeting_with_case(region_a, case_a)
    user = region_a.users["participant_reclassering"]
    login(client, user)
    client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    logged = set(
        ProcessingLogEntry.objects.filter(audit_record__user_id=user.pk, action="read").values_list(
            "object_type", "object_id"
        )
    )
    assert {("agendaitem", item.pk), ("meetingaction", action.pk)} <= logged
    assert ProcessingLogEntry.objects.filter(
        audit_record__user_id=user.pk, object_id=item.pk, data_subject_id=case_a.subject_id
    ).exists()


def test_meeting_list_query_count_is_constant(client, region_a, case_a):
    login(client, region_a.users["process_director"])
    url = reverse("meetings:meeting_list")
    schedule(region_a, days=2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    meeting, _item, _action = meeting_with_case(region_a, case_a)
    for day in range(3, 9):
        m = schedule(region_a, days=day * 10)
        services.invite(region_a.users["process_director"], meeting=m, organisations=[region_a.orgs["ggz"]])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count("/overleggen/") >= 8
    assert len(many) == len(few)


# ------------------------------------------------------------------ minutes, decisions, actions


def test_action_without_owner_is_refused(client, region_a, case_a):
    meeting, item, _action = meeting_with_case(region_a, case_a)
    chair = region_a.users["process_director"]
    due = timezone.localdate() + timedelta(days=7)
    with pytest.raises(ValidationError) as exc:
        services.add_action(chair, item=item, description="Gesprek voeren", owner=None, due_date=due)
    assert "eigenaar" in exc.value.message_dict["owner"][0]
    with pytest.raises(ValidationError) as exc:
        services.add_action(chair, item=item, description="Gesprek voeren", owner=region_a.orgs["ggz"], due_date=due)
    assert "deelneemt" in exc.value.message_dict["owner"][0]
    login(client, chair)
    prefix = f"a{item.pk.hex[:8]}"
    response = client.post(
        reverse("meetings:item_action", args=[item.pk]),
        {f"{prefix}-description": "Gesprek voeren", f"{prefix}-due_date": due.isoformat()},
    )
    assert response.status_code == 400 and "Een actie heeft een eigenaar nodig" in response.content.decode()
    assert MeetingAction.objects.count() == 1


def test_web_minutes_decision_action_and_completion(client, region_a, case_a):
    meeting, item, action = meeting_with_case(region_a, case_a)
    login(client, region_a.users["process_director"])
    m, d, a = (f"{k}{item.pk.hex[:8]}" for k in "mda")
    assert (
        client.post(
            reverse("meetings:item_minutes", args=[item.pk]),
            {f"{m}-minutes": "Goed gesprek gehad.", f"{m}-version": item.version},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("meetings:item_decision", args=[item.pk]), {f"{d}-text": "Toezicht voortzetten."}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("meetings:item_action", args=[item.pk]),
            {
                f"{a}-description": "Contact met school",
                f"{a}-owner": str(region_a.orgs["gemeente"].pk),
                f"{a}-due_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
            },
        ).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.minutes == "Goed gesprek gehad." and item.decisions.count() == 1 and item.actions.count() == 2
    # Bad input: empty, too long, garbage ids → 400 / 404, never 500.
    assert client.post(reverse("meetings:item_minutes", args=[item.pk]), {f"{m}-minutes": ""}).status_code == 400
    assert client.post(reverse("meetings:item_decision", args=[item.pk]), {f"{d}-text": "x" * 5000}).status_code == 400
    assert client.post(reverse("meetings:add_item", args=[meeting.pk]), {"case": "geen-uuid"}).status_code == 400
    assert (
        client.post(
            reverse("meetings:attendance", args=[meeting.pk]),
            {"organisation": str(region_a.orgs["ggz"].pk), "attendance": "misschien"},
        ).status_code
        == 400
    )
    # The owning organisation completes its action; another participant may not.
    client.logout()
    login(client, region_a.users["weigher_politie"])
    assert client.post(reverse("meetings:action_done", args=[action.pk])).status_code == 404
    login(client, region_a.users["participant_reclassering"])
    assert client.post(reverse("meetings:action_done", args=[action.pk])).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_by == region_a.users["participant_reclassering"]
    assert client.post(reverse("meetings:action_done", args=[action.pk])).status_code == 400


def test_invitations_and_attendance(client, region_a, case_a):
    meeting, item, _action = meeting_with_case(region_a, case_a)
    login(client, region_a.users["process_director"])
    assert client.post(reverse("meetings:invite", args=[meeting.pk])).status_code == 302
    invited = set(meeting.invitations.values_list("organisation__kind", flat=True))
    assert invited == {"gemeente", "politie", "om", "zvh", "reclassering"}
    assert (
        client.post(
            reverse("meetings:attendance", args=[meeting.pk]),
            {"organisation": str(region_a.orgs["politie"].pk), "attendance": "aanwezig"},
        ).status_code
        == 302
    )
    assert meeting.invitations.get(organisation=region_a.orgs["politie"]).attendance == "aanwezig"
    html = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "reclassering a" in html and "Aanwezig" in html


# ------------------------------------------------------------------ closure guard


def test_case_with_open_action_cannot_be_closed_without_override(region_a, case_a):
    _meeting, _item, action = meeting_with_case(region_a, case_a)
    director = region_a.users["case_director"]
    with pytest.raises(ValidationError) as exc:
        transition_case(director, case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt")
    assert "Huisbezoek afleggen" in exc.value.message_dict["override_open_work"][0]
    case_a.refresh_from_db()
    assert case_a.status == "active"
    transition_case(
        director,
        case=case_a,
        target="closed",
        reason="Klaar",
        closure_reason="doelen_bereikt",
        override_open_work="Reclassering rondt het huisbezoek af binnen het eigen toezicht",
    )
    last = CaseTransition.objects.filter(case=case_a).last()
    assert "Huisbezoek afleggen" in last.open_work_override and "eigen toezicht" in last.open_work_override


def test_case_closes_once_its_actions_are_done(region_a, case_a):
    _meeting, _item, action = meeting_with_case(region_a, case_a)
    services.complete_action(region_a.users["process_director"], action=action)
    transition_case(
        region_a.users["case_director"], case=case_a, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
    )
    assert CaseTransition.objects.filter(case=case_a).last().open_work_override == ""
    assert AgendaItem.objects.filter(case=case_a).count() == 1


def test_the_agenda_offers_as_action_owner_exactly_the_organisations_of_the_items_case(client, region_a, case_a):
    """The owner choices come from the prefetched participants (no query per item, see
    tests/test_query_constancy.py); an organisation outside the case stays refused on submit."""
    meeting, item, _action = meeting_with_case(region_a, case_a)
    login(client, region_a.users["process_director"])
    html = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    prefix = f"a{item.pk.hex[:8]}"
    start = html.index(f'name="{prefix}-owner"')
    select = html[start : html.index("</select>", start)]
    involved = {p.organisation for p in case_a.participants.select_related("organisation")}
    assert involved and all(f'value="{org.pk}"' in select for org in involved)
    outsiders = [org for org in region_a.orgs.values() if org not in involved]
    assert outsiders and not any(f'value="{org.pk}"' in select for org in outsiders)
    response = client.post(
        reverse("meetings:item_action", args=[item.pk]),
        {
            f"{prefix}-description": "Contact met school",
            f"{prefix}-owner": str(outsiders[0].pk),
            f"{prefix}-due_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 400 and item.actions.count() == 1
