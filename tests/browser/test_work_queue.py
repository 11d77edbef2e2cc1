"""The work queue of each role in a real browser (issue 12 item 1), with axe-core (WCAG 2.1 A/AA).

The flow gives every role work — a received signal for intake, an open weighing for the three
core parties, a proposed decision for the two that did not propose it, a plan review for the
case director, an action from the case conference for the reclassering, a rights request for
the coordinating FG — and each user finds it on the dashboard, overdue first, with the count
in the menu. With ``CASUSTAFEL_SCREENSHOTS=<folder>`` each queue is also saved as a PNG (the
screenshots in docs/screenshots/ were made that way).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casustafel.flow.services import propose_decision, register_signal, send_to_weighing
from casustafel.governance.models import RegionPrivacySettings
from casustafel.meetings.models import AgendaItem, Meeting, MeetingAction
from casustafel.plans import services as plan_services
from casustafel.plans.models import Plan
from casustafel.weighing.models import Outcome
from casustafel.weighing.services import DecisionData

from ..conftest import make_case, weigh_all
from ..factories import build_region, signal_fields, subject_data
from .test_flow import login_ok, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = os.environ.get("CASUSTAFEL_SCREENSHOTS")


def _give_everyone_work(world):
    users, today = world.users, timezone.localdate()
    received = register_signal(users["intake"], subject=subject_data(family_name="Eén"), fields=signal_fields()).signal
    open_weighing = send_to_weighing(
        users["intake"],
        signal=register_signal(
            users["intake"], subject=subject_data(family_name="Twee"), fields=signal_fields()
        ).signal,
    ).weighing
    proposed = send_to_weighing(
        users["intake"],
        signal=register_signal(
            users["intake"], subject=subject_data(family_name="Drie"), fields=signal_fields()
        ).signal,
    ).weighing
    weigh_all(world, proposed)
    propose_decision(
        users["weigher_gemeente"],
        weighing=proposed,
        data=DecisionData(
            outcome=Outcome.INCLUDE,
            rationale="Samenhangende zorgen.",
            case_director=users["case_director"],
            participants=[(world.orgs["reclassering"], "Toezicht loopt")],
        ),
    )
    case = make_case(world, family_name="Vier")
    plan_services.add_goal(users["case_director"], case=case, domain="huisvesting", description="Woning")
    Plan.objects.filter(case=case).update(next_review_due=today + timedelta(days=3))
    meeting = Meeting.objects.create(
        region=world.region,
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() - timedelta(days=7, hours=-1),
        location="Stadhuis",
        chair=users["process_director"],
    )
    item = AgendaItem.objects.create(meeting=meeting, case=case, reason="new", added_by=users["process_director"])
    MeetingAction.objects.create(
        item=item,
        case=case,
        description="Huisbezoek afleggen",
        owner=world.orgs["reclassering"],
        due_date=today - timedelta(days=1),
        created_by=users["process_director"],
    )
    RegionPrivacySettings.objects.create(
        region=world.region,
        coordinating_officer=users["privacy_officer"],
        contact_point="privacy@example.org",
        updated_by=users["privacy_officer"],
    )
    from casustafel.governance.rights import register_rights_request

    rights = register_rights_request(
        users["privacy_officer"], kind="access", received_on=today - timedelta(days=40), summary="Inzage gevraagd"
    )
    return {
        "intake": ("Signaal voorbereiden", received.reference),
        "weigher_gemeente": ("Inbreng van uw organisatie gevraagd", open_weighing.reference),
        "weigher_politie": ("Besluit bevestigen (art. 5 lid 3)", proposed.reference),
        "weigher_om": ("Besluit bevestigen (art. 5 lid 3)", proposed.reference),
        "case_director": ("Evaluatie van het plan van aanpak", case.reference),
        "participant_reclassering": ("Actie uit casusoverleg voor uw organisatie", case.reference),
        "privacy_officer": ("Verzoek van betrokkene beantwoorden", rights.reference),
    }


def test_each_role_finds_its_work_on_the_dashboard(page, check_a11y):
    world = build_region("a")
    expected = _give_everyone_work(world)
    for key, (task, reference) in expected.items():
        login_ok(page, check_a11y, world.users[key])  # the dashboard, checked with axe
        queue = page.get_by_role("region", name="Wat op u wacht")
        row = queue.get_by_role("row").filter(has_text=reference).filter(has_text=task)
        expect(row).to_have_count(1)
        if key == "participant_reclassering":  # its overdue action is marked, and comes first
            first = queue.get_by_role("row").nth(1)
            expect(first).to_contain_text("over de termijn")
            expect(first).to_contain_text("Actie uit casusoverleg")
        badge = page.get_by_role("navigation", name="Hoofdmenu").locator(".badge")
        expect(badge).to_be_visible()
        assert int(badge.inner_text()) >= 1
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"werkvoorraad-{key}.png"), full_page=True)
        # The reference leads to the work itself.
        row.get_by_role("link", name=reference).first.click()
        expect(page.get_by_role("heading", level=1)).not_to_have_text("Werkvoorraad")
        check_a11y(page, f"taak uit de werkvoorraad ({key})")
        logout(page)
