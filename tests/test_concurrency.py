"""Optimistic concurrency (issue 15 item 5, ADR 0052): two people edit the same record; the
one who saves second with a stale version is refused — 409 on a page, with their input kept
and what is stored now shown; 412 Precondition Failed in the API (problem+json), 428 when
If-Match is missing — and the first person's change is never silently overwritten."""

from __future__ import annotations

import re
import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casustafel.access import rls
from casustafel.core.concurrency import StaleVersion, if_match_version
from casustafel.flow.services import send_to_weighing
from casustafel.meetings import services as meeting_services
from casustafel.meetings.models import AgendaItem, Meeting
from casustafel.meldpunt import services as meldpunt_services
from casustafel.meldpunt.models import GemeenteMeldpunt
from casustafel.plans import services as plan_services
from casustafel.plans.models import Goal, Intervention
from casustafel.weighing import services as weighing_services
from casustafel.weighing.models import Contribution

from .api.conftest import assert_problem
from .factories import contribution
from .helpers import api_client, login
from .meetings_helpers import meeting_with_case, schedule

API = "/api/v1"
STALE_MESSAGE = "Iemand anders heeft dit intussen gewijzigd"


def _moment(days: int, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def _edit_meeting(chair, meeting, location, expected):
    return meeting_services.edit_meeting(
        chair,
        meeting=meeting,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=location,
        expected_version=expected,
    )


def _intervention(region, case):
    start = timezone.localdate() - timedelta(days=10)
    return plan_services.add_intervention(
        region.users["case_director"],
        case=case,
        entry_code="reclasseringstoezicht",
        organisation=region.orgs["reclassering"],
        starts_on=start,
        planned_end=start + timedelta(days=180),
        planned_sessions=4,
    )


# ------------------------------------------------------------------ the model and the services


@pytest.mark.django_db
def test_every_save_raises_the_version_also_with_update_fields(region_a):
    meeting = schedule(region_a)
    assert meeting.version == 1
    meeting.location = "Elders"
    meeting.save(update_fields=["location"])
    assert Meeting.objects.get(pk=meeting.pk).version == 2


@pytest.mark.django_db
def test_stale_meeting_edit_is_refused_and_keeps_the_other_change(region_a):
    chair = region_a.users["process_director"]
    meeting = schedule(region_a)
    _edit_meeting(chair, meeting, "Raadzaal", expected=1)
    with pytest.raises(StaleVersion) as refused:
        _edit_meeting(chair, meeting, "Kantine", expected=1)
    assert refused.value.status == 412 and refused.value.current == 2
    meeting.refresh_from_db()
    assert (meeting.location, meeting.version) == ("Raadzaal", 2)


@pytest.mark.django_db
def test_stale_minutes_goal_intervention_page_and_contribution_are_refused(region_a, case_a, signal_a):
    chair, director = region_a.users["process_director"], region_a.users["case_director"]
    _meeting, item, _action = meeting_with_case(region_a, case_a)
    meeting_services.set_minutes(chair, item=item, minutes="Eerste", expected_version=item.version)
    with pytest.raises(StaleVersion):
        meeting_services.set_minutes(chair, item=item, minutes="Tweede", expected_version=1)
    assert AgendaItem.objects.get(pk=item.pk).minutes == "Eerste"

    goal = plan_services.add_goal(director, case=case_a, domain="huisvesting", description="Woning")
    plan_services.update_goal(
        director, case=case_a, goal_id=goal.pk, domain="huisvesting", description="Eigen", expected_version=1
    )
    with pytest.raises(StaleVersion):
        plan_services.update_goal(
            director, case=case_a, goal_id=goal.pk, domain="werk_onderwijs", description="Werk", expected_version=1
        )
    assert Goal.objects.get(pk=goal.pk).description == "Eigen"

    intervention = _intervention(region_a, case_a)
    values = {"starts_on": intervention.starts_on, "planned_end": intervention.planned_end}
    plan_services.update_intervention(
        director, case=case_a, intervention_id=intervention.pk, planned_sessions=6, expected_version=1, **values
    )
    with pytest.raises(StaleVersion):
        plan_services.update_intervention(
            director, case=case_a, intervention_id=intervention.pk, planned_sessions=9, expected_version=1, **values
        )
    assert Intervention.objects.get(pk=intervention.pk).planned_sessions == 6

    admin, gemeente = region_a.users["functional_admin"], region_a.orgs["gemeente"]
    page = {"organisation": gemeente, "code": "lindeveld", "contact_details": ""}
    meldpunt_services.save_gemeente_page(admin, intro_text="Eerste", expected_version=0, **page)
    with pytest.raises(StaleVersion):  # "there was no page yet" is stale once a colleague created it
        meldpunt_services.save_gemeente_page(admin, intro_text="Tweede", expected_version=0, **page)
    assert GemeenteMeldpunt.objects.get(organisation=gemeente).intro_text == "Eerste"

    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    om = region_a.users["weigher_om"]
    data = contribution(region_a.region)
    weighing_services.submit_contribution(om, weighing=weighing, data=data, expected_version=0)
    data.information = "Tweede versie"
    with pytest.raises(StaleVersion):
        weighing_services.submit_contribution(om, weighing=weighing, data=data, expected_version=0)
    assert Contribution.objects.get(weighing=weighing, party="om").information == "Bekend uit eigen systemen."


@pytest.mark.django_db
def test_a_transition_from_a_stale_state_is_already_refused_by_the_state_machine(region_a):
    """State changes need no version: the machine checks the state on the locked row."""
    from django.core.exceptions import ValidationError

    chair = region_a.users["process_director"]
    meeting = schedule(region_a)
    stale_copy = Meeting.objects.get(pk=meeting.pk)
    meeting_services.cancel_meeting(chair, meeting=meeting, reason="Ziek")
    with pytest.raises(ValidationError):
        meeting_services.cancel_meeting(chair, meeting=stale_copy, reason="Ook ziek")
    assert Meeting.objects.get(pk=meeting.pk).status_reason == "Ziek"


# ------------------------------------------------------------------ pages: 409, input kept


def _hidden_version(page: str, name: str = "version") -> str:
    return re.search(rf'name="{re.escape(name)}" value="(\d+)"', page).group(1)


@pytest.mark.django_db
def test_web_meeting_edit_stale_is_409_with_the_input_kept_and_the_current_values(client, region_a):
    chair = region_a.users["process_director"]
    meeting = schedule(region_a)
    login(client, chair)
    url = reverse("meetings:meeting_edit", args=[meeting.pk])
    rendered = client.get(url).content.decode()
    assert _hidden_version(rendered) == "1"
    _edit_meeting(chair, meeting, "Raadzaal van de ander", expected=1)  # a colleague saves first
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    mine = {"date": day, "start": "10:00", "end": "12:00", "location": "Mijn locatie", "version": "1"}
    response = client.post(url, mine)
    page = response.content.decode()
    assert response.status_code == 409
    assert STALE_MESSAGE in page
    assert 'value="Mijn locatie"' in page  # the user's input, nothing lost
    assert "Raadzaal van de ander" in page  # what is stored now
    assert _hidden_version(page) == "2"
    assert Meeting.objects.get(pk=meeting.pk).location == "Raadzaal van de ander"
    # Saving the re-rendered form again (after checking) is a knowing overwrite.
    assert client.post(url, {**mine, "version": _hidden_version(page)}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).location == "Mijn locatie"


@pytest.mark.django_db
def test_web_minutes_stale_is_409(client, region_a, case_a):
    chair = region_a.users["process_director"]
    meeting, item, _action = meeting_with_case(region_a, case_a)
    login(client, chair)
    prefix = f"m{item.pk.hex[:8]}"
    page = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    version = _hidden_version(page, f"{prefix}-version")
    meeting_services.set_minutes(chair, item=item, minutes="Verslag van de ander")
    response = client.post(
        reverse("meetings:item_minutes", args=[item.pk]),
        {f"{prefix}-minutes": "Mijn verslag", f"{prefix}-version": version},
    )
    page = response.content.decode()
    assert response.status_code == 409 and STALE_MESSAGE in page
    assert "Mijn verslag" in page and "Verslag van de ander" in page
    assert AgendaItem.objects.get(pk=item.pk).minutes == "Verslag van de ander"


@pytest.mark.django_db
def test_web_goal_and_intervention_stale_is_409(client, region_a, case_a):
    director = region_a.users["case_director"]
    goal = plan_services.add_goal(director, case=case_a, domain="huisvesting", description="Woning")
    intervention = _intervention(region_a, case_a)
    login(client, director)
    base = {"pk": case_a.pk}
    plan_services.update_goal(director, case=case_a, goal_id=goal.pk, domain="huisvesting", description="Andermans")
    response = client.post(
        reverse("plans:goal_edit", kwargs=base),
        {"goal": goal.pk, "domain": "huisvesting", "description": "Mijn doel", "version": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 409 and STALE_MESSAGE in page
    assert "Mijn doel" in page and "Andermans" in page
    assert Goal.objects.get(pk=goal.pk).description == "Andermans"

    values = {"starts_on": intervention.starts_on, "planned_end": intervention.planned_end}
    plan_services.update_intervention(
        director, case=case_a, intervention_id=intervention.pk, planned_sessions=7, **values
    )
    response = client.post(
        reverse("plans:intervention_edit", kwargs=base),
        {
            "intervention": intervention.pk,
            "starts_on": intervention.starts_on.isoformat(),
            "planned_end": intervention.planned_end.isoformat(),
            "planned_sessions": "3",
            "version": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 409 and STALE_MESSAGE in page
    assert Intervention.objects.get(pk=intervention.pk).planned_sessions == 7
    # A form without its version (not rendered by us) is refused, not written.
    response = client.post(
        reverse("plans:goal_edit", kwargs=base), {"goal": goal.pk, "domain": "huisvesting", "description": "Zonder"}
    )
    assert response.status_code == 400 and "verouderd" in response.content.decode()
    assert Goal.objects.get(pk=goal.pk).description == "Andermans"


@pytest.mark.django_db
def test_web_gemeente_page_stale_is_409(client, world):
    a = world["a"]
    admin = a.users["functional_admin"]
    login(client, admin)
    edit = reverse("meldpunt:gemeente_page_edit", kwargs={"pk": a.orgs["gemeente"].pk})
    assert _hidden_version(client.get(edit).content.decode()) == "0"
    meldpunt_services.save_gemeente_page(
        admin, organisation=a.orgs["gemeente"], code="lindeveld", intro_text="Van de ander", contact_details=""
    )
    response = client.post(edit, {"code": "lindeveld", "intro_text": "Mijn tekst", "contact_details": "", "version": 0})
    page = response.content.decode()
    assert response.status_code == 409 and STALE_MESSAGE in page
    assert "Mijn tekst" in page and "Van de ander" in page
    assert GemeenteMeldpunt.objects.get(organisation=a.orgs["gemeente"]).intro_text == "Van de ander"


@pytest.mark.django_db
def test_web_contribution_stale_is_409(client, region_a, signal_a):
    from .test_write_query_counts import contribution_form

    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    login(client, region_a.users["weigher_om"])
    page = client.get(reverse("weighing:weighing_detail", args=[weighing.pk])).content.decode()
    assert _hidden_version(page) == "0"
    weighing_services.submit_contribution(
        region_a.users["weigher_om"], weighing=weighing, data=contribution(region_a.region)
    )
    form = {**contribution_form(weighing), "information": "Mijn inbreng", "version": "0"}
    response = client.post(reverse("weighing:weighing_contribute", args=[weighing.pk]), form)
    page = response.content.decode()
    assert response.status_code == 409 and STALE_MESSAGE in page
    assert "Mijn inbreng" in page and "Bekend uit eigen systemen." in page
    assert Contribution.objects.get(weighing=weighing, party="om").information == "Bekend uit eigen systemen."


@pytest.mark.django_db
def test_web_stale_correction_of_a_signal_is_409_art10(client, region_a, signal_a):
    """A correction (art. 10 Wet PGA) made on a stale page does not undo a colleague's correction."""
    from casustafel.corrections.services import correct_item
    from casustafel.signals.models import Signal

    intake = region_a.users["intake"]
    login(client, intake)
    url = reverse("corrections:signal_correct", args=[signal_a.pk])
    version = _hidden_version(client.get(url).content.decode())
    correct_item(intake, item=signal_a, changes={"facts": "Correctie van de ander."}, reason="Onjuist.")
    response = client.post(url, {"facts": "Mijn correctie.", "reason": "Ook onjuist.", "version": version})
    page = response.content.decode()
    assert response.status_code == 409 and STALE_MESSAGE in page
    assert "Mijn correctie." in page and "Correctie van de ander." in page
    assert Signal.objects.get(pk=signal_a.pk).facts == "Correctie van de ander."


# ------------------------------------------------------------------ API: ETag, If-Match, 412, 428


def test_if_match_parsing():
    class Request:
        def __init__(self, value):
            self.headers = {} if value is None else {"If-Match": value}

    assert if_match_version(Request('W/"3"')) == 3
    assert if_match_version(Request('"12"')) == 12
    assert if_match_version(Request("*")) == -1
    assert if_match_version(Request('"a", "b"')) == -2
    assert if_match_version(Request('W/"' + "9" * 40 + '"')) == -2


@pytest.mark.django_db
def test_api_meeting_put_needs_the_current_etag(region_a):
    chair = api_client(region_a.users["process_director"])
    meeting = schedule(region_a)
    url = f"{API}/meetings/{meeting.pk}"
    read = chair.get(url)
    assert read.status_code == 200 and read["ETag"] == 'W/"1"'
    body = {"starts_at": _moment(8, 10).isoformat(), "ends_at": _moment(8, 12).isoformat(), "location": "Raadzaal"}
    missing = assert_problem(chair.put(url, body, format="json"), 428)
    assert "If-Match" in missing["detail"]
    first = chair.put(url, body, format="json", HTTP_IF_MATCH='W/"1"')
    assert first.status_code == 200 and first["ETag"] == 'W/"2"'
    stale = assert_problem(chair.put(url, {**body, "location": "Kantine"}, format="json", HTTP_IF_MATCH='W/"1"'), 412)
    assert "intussen" in stale["detail"]
    assert Meeting.objects.get(pk=meeting.pk).location == "Raadzaal"
    assert chair.put(url, {**body, "location": "Kantine"}, format="json", HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.django_db
def test_api_minutes_and_contribution_with_a_stale_if_match_are_412(region_a, case_a, signal_a):
    from .test_write_query_counts import contribution_json

    chair = api_client(region_a.users["process_director"])
    _meeting, item, _action = meeting_with_case(region_a, case_a)
    url = f"{API}/agenda-items/{item.pk}/minutes"
    done = chair.post(url, {"minutes": "Eerste"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert done.status_code == 200 and done.json()["version"] == 2
    assert_problem(chair.post(url, {"minutes": "Tweede"}, format="json", HTTP_IF_MATCH='W/"1"'), 412)
    assert AgendaItem.objects.get(pk=item.pk).minutes == "Eerste"

    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    om = api_client(region_a.users["weigher_om"])
    url = f"{API}/weighings/{weighing.pk}/contributions"
    assert om.post(url, contribution_json(weighing), format="json", HTTP_IF_MATCH='W/"0"').status_code == 201
    assert_problem(om.post(url, contribution_json(weighing), format="json", HTTP_IF_MATCH='W/"0"'), 412)


# ------------------------------------------------------------------ real transactions, threads


PAIRS = 50


def _race(pairs: int, edit) -> dict:
    """``pairs`` times: two threads read the same version and save at once. Count the outcomes."""
    outcomes = {"saved": 0, "refused": 0, "lost": 0}
    for n in range(pairs):
        barrier = threading.Barrier(2)
        results: list = [None, None]

        def worker(index, n=n, barrier=barrier, results=results):
            try:
                barrier.wait(10)
                results[index] = edit(n, index)
            except StaleVersion:
                results[index] = "refused"
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        saved = [r for r in results if r not in (None, "refused")]
        outcomes["saved"] += len(saved)
        outcomes["refused"] += results.count("refused")
        if len(saved) > 1:  # both saved from the same version: the first one's change is gone
            outcomes["lost"] += 1
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_pairs_lose_no_update(region_a):
    """50 pairs of simultaneous edits of one meeting, each from the version both read: one
    saves, the other is refused, and the stored location is the one that was saved (0 lost)."""
    chair = region_a.users["process_director"]
    meeting = schedule(region_a)

    def edit(n, index):
        with rls.regions(region_a.region.pk):
            expected = n + 1  # both read the version before this pair
            saved = _edit_meeting(chair, meeting, f"Locatie {n}-{index}", expected=expected)
            return saved.location

    outcomes = _race(PAIRS, edit)
    assert outcomes == {"saved": PAIRS, "refused": PAIRS, "lost": 0}
    with rls.regions(region_a.region.pk):
        final = Meeting.objects.get(pk=meeting.pk)
    assert final.version == PAIRS + 1 and final.location.startswith(f"Locatie {PAIRS - 1}-")
