"""Planning changes of case conferences (issue 12, item 7 and 8): edit, cancel with a
reason (stays in the record), record an emergency meeting afterwards, date bounds defined
once (a meeting in the year 9999 is refused in Dutch), every write in the processing log;
and the action-without-owner refusal shown at the field with its section open."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casustafel.meetings import services, states
from casustafel.meetings.models import AgendaItem, Meeting
from casustafel.meetings.selectors import previous_meeting
from casustafel.processing_log.models import ProcessingLogEntry

from .helpers import login
from .meetings_helpers import meeting_with_case, schedule

pytestmark = pytest.mark.django_db


def _moment(days, hour=10):
    return (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _year_9999():
    return timezone.make_aware(datetime(9999, 6, 1, 10, 0))


# ------------------------------------------------------------------ bounds


def test_meeting_in_the_year_9999_is_refused_in_dutch(region_a):
    chair = region_a.users["process_director"]
    start = _year_9999()
    with pytest.raises(ValidationError) as exc:
        services.schedule_meeting(chair, starts_at=start, ends_at=start + timedelta(hours=2), location="Stadhuis")
    assert "vooruit worden gepland" in exc.value.message_dict["starts_at"][0]
    assert not Meeting.objects.exists()


def test_web_year_9999_is_refused_at_the_field(client, region_a):
    login(client, region_a.users["process_director"])
    response = client.post(
        reverse("meetings:meeting_create"), {"date": "9999-12-31", "start": "10:00", "end": "12:00", "location": "Zaal"}
    )
    assert response.status_code == 400
    assert "vooruit worden gepland" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_bounds_are_defined_once_and_apply_to_planning_and_recording(region_a):
    chair = region_a.users["process_director"]
    too_far = timezone.now() + states.PLANNING_HORIZON + timedelta(days=1)
    with pytest.raises(ValidationError):
        services.schedule_meeting(chair, starts_at=too_far, ends_at=too_far + timedelta(hours=1), location="Zaal")
    too_old = timezone.now() - states.RECORDING_WINDOW - timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.record_meeting_afterwards(
            chair, starts_at=too_old, ends_at=too_old + timedelta(hours=1), location="Zaal", reason="Spoed"
        )
    assert "achteraf" in exc.value.message_dict["starts_at"][0]
    assert not Meeting.objects.exists()


# ------------------------------------------------------------------ record afterwards


def test_a_past_date_is_allowed_only_when_recording_afterwards(region_a):
    chair = region_a.users["process_director"]
    past = _moment(-2)
    with pytest.raises(ValidationError) as exc:
        services.schedule_meeting(chair, starts_at=past, ends_at=past + timedelta(hours=1), location="Zaal")
    assert "achteraf" in exc.value.message_dict["starts_at"][0]
    meeting = services.record_meeting_afterwards(
        chair, starts_at=past, ends_at=past + timedelta(hours=1), location="Politiebureau", reason="Spoedoverleg"
    )
    assert meeting.status == states.RECORDED_AFTERWARDS and meeting.status_reason == "Spoedoverleg"
    assert ProcessingLogEntry.objects.filter(object_id=meeting.pk, action="create").exists()
    future = _moment(2)
    with pytest.raises(ValidationError) as exc:
        services.record_meeting_afterwards(
            chair, starts_at=future, ends_at=future + timedelta(hours=1), location="Zaal", reason="Spoed"
        )
    assert "al is afgelopen" in exc.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as exc:
        services.record_meeting_afterwards(
            chair, starts_at=past - timedelta(days=1), ends_at=past, location="Zaal", reason=" "
        )
    assert "reason" in exc.value.message_dict


def test_web_record_afterwards_then_minutes_and_decisions(client, region_a, case_a):
    chair = region_a.users["process_director"]
    login(client, chair)
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("meetings:meeting_record"),
        {"date": day, "start": "20:00", "end": "21:00", "location": "Stadhuis", "reason": "Spoedoverleg na dreiging"},
    )
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert meeting.status == states.RECORDED_AFTERWARDS
    assert client.post(reverse("meetings:add_item", args=[meeting.pk]), {"case": case_a.pk}).status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    prefix = f"d{item.pk.hex[:8]}"
    response = client.post(reverse("meetings:item_decision", args=[item.pk]), {f"{prefix}-text": "Huisbezoek"})
    assert response.status_code == 302
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Achteraf vastgelegd" in page and "Spoedoverleg na dreiging" in page and "Huisbezoek" in page


# ------------------------------------------------------------------ edit


def test_edit_moves_the_meeting_within_bounds_and_logs_it(region_a, case_a):
    chair = region_a.users["process_director"]
    meeting, item, _action = meeting_with_case(region_a, case_a)
    other = schedule(region_a, days=20)
    new_start = _moment(10, hour=14)
    services.edit_meeting(
        chair, meeting=meeting, starts_at=new_start, ends_at=new_start + timedelta(hours=1), location="Raadzaal"
    )
    meeting.refresh_from_db()
    assert meeting.starts_at == new_start and meeting.location == "Raadzaal"
    logged = ProcessingLogEntry.objects.filter(action="update")
    assert {meeting.pk, item.pk} <= set(logged.values_list("object_id", flat=True))
    assert logged.filter(object_id=item.pk, data_subject_id=case_a.subject_id).exists()
    with pytest.raises(ValidationError) as exc:
        services.edit_meeting(
            chair, meeting=meeting, starts_at=other.starts_at, ends_at=other.ends_at, location="Raadzaal"
        )
    assert "overlapt" in exc.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as exc:
        services.edit_meeting(
            chair, meeting=meeting, starts_at=_year_9999(), ends_at=_year_9999() + timedelta(hours=1), location="X"
        )
    assert "vooruit" in exc.value.message_dict["starts_at"][0]


def test_web_edit_shows_the_current_values_and_saves(client, region_a):
    meeting = schedule(region_a)
    login(client, region_a.users["process_director"])
    url = reverse("meetings:meeting_edit", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert meeting.location in page
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    edit = {"date": day, "start": "09:00", "end": "11:00", "location": "Online", "online": "on", "version": 1}
    response = client.post(url, edit)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.online and timezone.localtime(meeting.starts_at).date().isoformat() == day
    response = client.post(url, {**edit, "date": "9999-01-01", "version": meeting.version})
    assert response.status_code == 400 and "vooruit worden gepland" in response.content.decode()


# ------------------------------------------------------------------ cancel


def test_cancel_needs_a_reason_stays_in_the_record_and_freezes_the_meeting(region_a, case_a):
    chair = region_a.users["process_director"]
    meeting, item, _action = meeting_with_case(region_a, case_a)
    with pytest.raises(ValidationError) as exc:
        services.cancel_meeting(chair, meeting=meeting, reason="  ")
    assert "reden" in exc.value.message_dict["reason"][0]
    services.cancel_meeting(chair, meeting=meeting, reason="Voorzitter ziek")
    meeting.refresh_from_db()
    assert meeting.status == states.CANCELLED and meeting.status_reason == "Voorzitter ziek"
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    assert ProcessingLogEntry.objects.filter(object_id=item.pk, action="transition").exists()
    with pytest.raises(ValidationError):
        services.cancel_meeting(chair, meeting=meeting, reason="Nog eens")
    with pytest.raises(ValidationError) as exc:
        services.set_minutes(chair, item=item, minutes="Besproken")
    assert "geannuleerd" in str(exc.value)
    start = meeting.starts_at
    with pytest.raises(ValidationError):
        services.edit_meeting(chair, meeting=meeting, starts_at=start, ends_at=meeting.ends_at, location="X")
    # The slot is free again, and the cancelled meeting is no "previous conference".
    again = services.schedule_meeting(chair, starts_at=start, ends_at=meeting.ends_at, location="Stadhuis")
    later = schedule(region_a, days=30)
    assert previous_meeting(later) == again
    Meeting.objects.filter(pk=again.pk).update(status=states.CANCELLED)
    assert previous_meeting(later) is None


def test_web_cancel_shows_reason_and_status(client, region_a):
    meeting = schedule(region_a)
    login(client, region_a.users["process_director"])
    url = reverse("meetings:meeting_cancel", args=[meeting.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and 'id="id_reason_error"' in response.content.decode()
    assert client.post(url, {"reason": "Te weinig agendapunten"}).status_code == 302
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "Geannuleerd" in page and "Te weinig agendapunten" in page
    assert reverse("meetings:meeting_edit", args=[meeting.pk]) not in page
    listing = client.get(reverse("meetings:meeting_list")).content.decode()
    assert "geannuleerd" in listing


def test_remove_agenda_item_only_while_nothing_was_recorded(region_a, case_a):
    chair = region_a.users["process_director"]
    meeting, item, _action = meeting_with_case(region_a, case_a)
    with pytest.raises(ValidationError):
        services.remove_agenda_item(chair, item=item)
    from .conftest import make_case

    other = make_case(region_a, family_name="Tweede")
    second = services.add_agenda_item(chair, meeting=meeting, case=other)
    services.remove_agenda_item(chair, item=second)
    assert not AgendaItem.objects.filter(pk=second.pk).exists()
    assert ProcessingLogEntry.objects.filter(object_id=second.pk, action="update").exists()


# ------------------------------------------------------------------ item 8: action without owner


def test_action_without_owner_shows_at_the_field_with_its_section_open(client, region_a, case_a):
    meeting, item, _action = meeting_with_case(region_a, case_a)
    login(client, region_a.users["process_director"])
    prefix = f"a{item.pk.hex[:8]}"
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        reverse("meetings:item_action", args=[item.pk]),
        {f"{prefix}-description": "Gesprek voeren", f"{prefix}-due_date": due},
    )
    html = response.content.decode()
    assert response.status_code == 400
    # The message at the field itself, the typed input kept, and the section open.
    assert f'id="id_{prefix}-owner_error"' in html and "Een actie heeft een eigenaar nodig" in html
    assert "Gesprek voeren" in html
    # The error summary at the top of the form links to the field (part E's partial).
    assert f'href="#id_{prefix}-owner"' in html
    section = html[html.index(f'id="punt-{item.pk}"') :]
    assert section[section.index("<details") :].startswith("<details open")
    untouched = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert "<details open" not in untouched


def test_attendance_is_chosen_not_preselected(region_a):
    """Issue 12 item 10: an untouched attendance form records neither present nor absent."""
    from casustafel.meetings.forms import AttendanceForm
    from casustafel.meetings.models import Meeting

    meeting = Meeting(region=region_a.region)
    form = AttendanceForm(data={"organisation": region_a.orgs["ggz"].pk}, meeting=meeting)
    assert form.fields["attendance"].choices[0][0] == ""
    assert not form.is_valid() and "attendance" in form.errors
