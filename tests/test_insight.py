"""Insight (issue 13 items 1, 5, 7; ADR 0042): management information per role, the
recognition-bias monitor and per-measure progress — aggregates, never a person; each of the
process director's numbers is a link to the list behind it, under the access policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.insight import selectors
from casustafel.meetings import services as meeting_services
from casustafel.plans import services as plan_services
from casustafel.plans.models import CatalogueEntry, CoordinationTask, Plan
from casustafel.processing_log.models import ProcessingLogEntry

from .conftest import make_case
from .factories import signal_fields, subject_data
from .helpers import login
from .meetings_helpers import meeting_with_case, schedule
from .test_auth_matrix_web import MATRIX, objects  # noqa: F401  (the matrix's objects, a fixture)

pytestmark = pytest.mark.django_db

#: Days after the data were made at which the flow is looked at: the review (90 days) is due
#: within two weeks, the action (14 days) and the task (5 days) are overdue, the intervention
#: has had no activity for more than 30 days (drift), one of the two meetings is still ahead.
LATER = 80


def _flow_world(world_region, family_name="Stroom", meeting=None):
    """A case with a plan (a goal, a running intervention, a coordination task), a meeting with
    an action on it (``meeting``, or a new one and another meeting ahead), and a signal waiting
    for the weegploeg."""
    case = make_case(world_region, family_name=family_name)
    director = world_region.users["case_director"]
    plan_services.add_goal(director, case=case, domain="huisvesting", description="Woning")
    entry = CatalogueEntry.objects.get(code="zorg_ggz", is_active=True)
    today = timezone.localdate()
    plan_services.add_intervention(
        director,
        case=case,
        entry_code=entry.code,
        organisation=world_region.orgs[entry.organisation_kinds[0]],
        starts_on=today,
        planned_end=today + timedelta(days=180),
    )
    CoordinationTask.objects.create(
        plan=Plan.objects.get(case=case),
        description="Afstemmen",
        owner=world_region.orgs["reclassering"],
        due_on=today + timedelta(days=5),
    )
    if meeting is None:
        meeting, _item, _action = meeting_with_case(world_region, case)
        schedule(world_region, days=LATER + 20)
    else:
        chair = world_region.users["process_director"]
        item = meeting_services.add_agenda_item(chair, meeting=meeting, case=case)
        meeting_services.add_action(
            chair, item=item, description="Bellen", owner=world_region.orgs["reclassering"], due_date=today
        )
    register_signal(
        world_region.users["intake"], subject=subject_data(family_name=f"{family_name} wacht"), fields=signal_fields()
    )
    case.meeting = meeting
    return case


def _numbers(html: str) -> dict[str, tuple[int, str | None]]:
    """kind → (count, link or None) from the flow block."""
    block = html.split('id="flow-title"')[1].split("</section>")[0]
    numbers = {}
    for kind, cell in re.findall(r'<tr data-kind="([a-z_]+)">.*?<td>(.*?)</td>', block, re.S):
        link = re.search(r'<a href="([^"]+)" data-count="(\d+)"', cell)
        if link:
            numbers[kind] = (int(link.group(2)), link.group(1))
        else:
            numbers[kind] = (int(re.search(r'data-count="(\d+)"', cell).group(1)), None)
    return numbers


def test_each_number_of_the_process_director_links_to_a_list_of_exactly_that_many_items(client, world):
    """Issue 13 item 1: every linked number equals the rows of the list behind it (the list reads
    through the policy), and nothing of another region is counted."""
    region_a = world["a"]
    _flow_world(region_a)
    _flow_world(world["b"], family_name="Elders")
    with time_machine.travel(timezone.now() + timedelta(days=LATER), tick=False):
        login(client, region_a.users["process_director"])
        response = client.get(reverse("insight:overview"))
        assert response.status_code == 200
        numbers = _numbers(response.content.decode())
        assert set(numbers) == {"signals_waiting", "weighings_open", *selectors.LISTS}
        for kind, (count, link) in numbers.items():
            if kind in selectors.LISTS:
                assert link == reverse(selectors.LISTS[kind].url_name)
                assert count == 1, kind  # region b's are not counted
                page = client.get(link)
                assert page.status_code == 200
                html = page.content.decode()
                assert html.count('class="flow-row"') == count, kind
                assert f'data-total="{count}"' in html
        # The dashboard shows the same block.
        assert _numbers(client.get(reverse("web:dashboard")).content.decode()) == numbers


def test_the_signal_side_numbers_are_counts_without_a_link_with_their_age(client, region_a):
    """The process director may count the signals waiting and the weighings open in the region
    (Action.INSIGHT_FLOW_VIEW) but not open them — those lists are the signal side's."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = register_signal(region_a.users["intake"], subject=subject_data(family_name="Oud"), fields=signal_fields())
        weighed = register_signal(
            region_a.users["intake"], subject=subject_data(family_name="Weging"), fields=signal_fields()
        )
        send_to_weighing(region_a.users["intake"], signal=weighed.signal)
    with time_machine.travel(start + timedelta(days=10), tick=False):
        register_signal(region_a.users["intake"], subject=subject_data(family_name="Nieuw"), fields=signal_fields())
    with time_machine.travel(start + timedelta(days=20), tick=False):
        numbers = {n.kind: n for n in selectors.flow(region_a.users["process_director"])}
        waiting = numbers["signals_waiting"]
        assert waiting.count == 2 and waiting.url is None
        assert [b.count for b in waiting.bands] == [0, 0, 1, 1]  # 10 days and 20 days
        assert numbers["weighings_open"].count == 1 and numbers["weighings_open"].url is None
        login(client, region_a.users["process_director"])
        html = client.get(reverse("insight:overview")).content.decode()
        assert _numbers(html)["signals_waiting"] == (2, None)
        assert old.signal.reference not in html


@pytest.mark.parametrize("key", ["analyst", "case_director", "intake", "weigher_gemeente", "mayor"])
def test_only_the_process_director_gets_the_flow(region_a, key):
    assert selectors.flow(region_a.users[key]) == []
    assert selectors.dashboard_insight(region_a.users[key]) is None or key == "analyst"


def test_a_list_behind_a_number_is_logged_as_a_list(client, region_a):
    """The lists behind the numbers show case references: listing them is recorded (art. 17)."""
    case = _flow_world(region_a)
    with time_machine.travel(timezone.now() + timedelta(days=LATER), tick=False):
        login(client, region_a.users["process_director"])
        client.get(reverse("insight:flow_reviews"))
    assert ProcessingLogEntry.objects.filter(action="list", object_type="case", object_id=case.pk).exists()


def test_the_flow_costs_the_same_queries_for_one_or_many_cases(client, region_a):
    def measure():
        with time_machine.travel(timezone.now() + timedelta(days=LATER), tick=False):
            login(client, region_a.users["process_director"])
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("insight:overview")).status_code == 200
        return len(ctx.captured_queries)

    first = _flow_world(region_a, family_name="Een")
    small = measure()
    for n in range(3):
        _flow_world(region_a, family_name=f"Meer {n}", meeting=first.meeting)
    assert measure() == small
    # Two aggregates of the signal side, one count per list (two for the drifting interventions),
    # the session, the user, the database scope (set and reset) and the menu.
    assert small <= 18


#: Where the analyst may go: the frame (dashboard, own account) and pages of aggregates. The
#: lists behind the process director's numbers (insight:flow_*) are person-level.
AGGREGATE_NAMESPACES = {"web", "work", "accounts", "insight", "reporting", "policy_signals", "national"}
#: The insight pages the analyst reaches (the reports of reporting have their own tests).
ANALYST_PAGES = ["insight:overview"]


def test_analyst_reaches_reports_and_no_person_level_page(client, world, objects):  # noqa: F811
    """Need-to-know (DESIGN.md: the analyst sees aggregates only, never a person): walking every
    web route of the authorization matrix, the analyst is refused (403 or 404; 405 for a verb the
    route does not have) on every page about persons — signals, weighings, cases, subjects, plans,
    meetings, timelines, the journal, governance, the lists behind the director's numbers — and
    the routes granted to the analyst are all frame or aggregate pages."""
    login(client, world["a"].users["analyst"])
    failures = []
    for route, (kwargs_key, grants) in sorted(MATRIX.items()):
        granted = any("analyst" in users for users in grants.values())
        namespace = route.split(":")[0]
        if granted:
            if namespace not in AGGREGATE_NAMESPACES or route.startswith("insight:flow_"):
                failures.append(f"{route} is granted to the analyst but is not an aggregate page")
            continue
        url = reverse(route, kwargs=objects[kwargs_key])
        for verb in ("get", "post"):
            with transaction.atomic():
                status = getattr(client, verb)(url).status_code
                transaction.set_rollback(True)
            if status not in (403, 404, 405):
                failures.append(f"{verb.upper()} {route} → {status}")
    assert failures == []
    for name in ANALYST_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
