"""The timeline and the meeting changes (issue 12 items 6, 7, 8) in a real browser, with
axe-core (WCAG 2.1 A/AA) on every page.

The process director: a meeting action without an owner is refused with the message at the
field and in the summary, its section open and the input kept; a move to the year 9999 is
refused in Dutch; the meeting is cancelled with a reason and stays as cancelled. The case page
leads to the case's timeline (with the conference and its decision) and the person's.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casustafel.meetings import services as meetings

from ..conftest import make_case
from ..factories import build_region
from ..meetings_helpers import meeting_with_case
from .test_flow import login_ok

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_meeting_changes_and_the_timeline(page, check_a11y):
    world = build_region("a")
    chair = world.users["process_director"]
    case = make_case(world, family_name="Tijdlijnpersoon")
    meeting, item, _action = meeting_with_case(world, case)
    meetings.add_decision(chair, item=item, text="Huisbezoek inzetten")

    login_ok(page, check_a11y, chair)
    page.goto(f"/overleggen/{meeting.pk}/")
    check_a11y(page, "casusoverleg")

    # --- item 8: an action without an owner
    block = page.locator(f"#punt-{item.pk}")
    block.get_by_text("Verslag, besluit of actie vastleggen").click()
    prefix = f"a{item.pk.hex[:8]}"
    block.locator(f"#id_{prefix}-description").fill("Gesprek met school")
    block.get_by_role("button", name="Actie vastleggen").click()
    block = page.locator(f"#punt-{item.pk}")
    expect(block.locator("details")).to_have_attribute("open", "")
    expect(block.locator(f"#id_{prefix}-owner_error")).to_contain_text("Een actie heeft een eigenaar nodig")
    expect(block.locator(f'a[href="#id_{prefix}-owner"]')).to_be_visible()
    expect(block.locator(f"#id_{prefix}-description")).to_have_value("Gesprek met school")
    check_a11y(page, "actie zonder eigenaar")

    # --- item 7: a move to the year 9999 is refused; then the meeting is cancelled
    page.goto(f"/overleggen/{meeting.pk}/wijzigen/")
    page.locator("#id_date").fill("9999-12-31")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator("#id_start_error")).to_contain_text("vooruit worden gepland")
    check_a11y(page, "overleg wijzigen met fout")
    page.goto(f"/overleggen/{meeting.pk}/annuleren/")
    check_a11y(page, "overleg annuleren")
    page.locator("#id_reason").fill("Voorzitter ziek")
    page.get_by_role("button", name="Overleg annuleren").click()
    expect(page.locator(".facts")).to_contain_text("Geannuleerd")
    expect(page.locator(".facts")).to_contain_text("Voorzitter ziek")
    check_a11y(page, "geannuleerd overleg")

    # --- item 6: from the case to its timeline and the person's
    page.goto(f"/casussen/{case.pk}/")
    page.get_by_role("link", name="Tijdlijn van deze casus").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.locator("table")).to_contain_text("Huisbezoek inzetten")
    expect(page.locator("table")).to_contain_text("geannuleerd")
    check_a11y(page, "tijdlijn casus")
    page.get_by_role("link", name="Tijdlijn van de persoon").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tijdlijnpersoon")
    check_a11y(page, "tijdlijn persoon")
