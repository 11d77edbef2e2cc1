"""The NL Design System look at 390 px and in print (issue 12 item 12, ADR 0037), in Chromium
with axe-core (WCAG 2.1 A/AA): the menu collapses behind a disclosure button and opens, its
links work; wide tables scroll inside their block, not the page; the print stylesheet hides
the menu and the buttons; the case page has an "Afdrukken" button. A refused section page
says "Geen toegang" (issue 12 item 11)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..conftest import make_case
from ..factories import build_region
from .test_flow import login_ok

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_menu_collapses_at_390px_opens_and_its_links_work(page, check_a11y):
    world = build_region("a")
    case = make_case(world)
    page.set_viewport_size(PHONE)
    login_ok(page, check_a11y, world.users["case_director"])

    toggle = page.get_by_role("button", name="Menu")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    check_a11y(page, "werkvoorraad op 390 px, menu dicht")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    check_a11y(page, "werkvoorraad op 390 px, menu open")
    menu.get_by_role("link", name="Casussen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casussen")
    expect(page.get_by_role("main")).to_contain_text(case.reference)

    # The list's table scrolls inside its own block: the page itself is not wider than the screen.
    expect(page.locator("main .table-scroll").first).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_a11y(page, "casussen op 390 px")

    page.goto(f"/casussen/{case.pk}/")
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_a11y(page, "casus op 390 px")


def test_wide_screen_shows_the_menu_without_the_button(page, check_a11y):
    world = build_region("a")
    page.set_viewport_size({"width": 1280, "height": 900})
    login_ok(page, check_a11y, world.users["intake"])
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalen", exact=True)
    ).to_be_visible()


def test_print_hides_menu_and_buttons_of_the_case(page, check_a11y):
    world = build_region("a")
    case = make_case(world)
    login_ok(page, check_a11y, world.users["case_director"])
    page.goto(f"/casussen/{case.pk}/")
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_hidden()
    expect(page.get_by_role("button", name="Afdrukken")).to_be_hidden()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(case.reference)
    # Internal links print as their text only.
    after = page.evaluate("getComputedStyle(document.querySelector('main a[href^=\"/\"]'), '::after').content")
    assert after in ("none", "normal", "")
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()


def test_printing_the_plan_opens_its_closed_sections(page, check_a11y):
    world = build_region("a")
    case = make_case(world)
    login_ok(page, check_a11y, world.users["case_director"])
    page.goto(f"/casussen/{case.pk}/plan/")
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()
    closed = page.locator("main details:not([open])")
    count = closed.count()
    assert count > 0, "the plan page has closed sections (the catalogue)"
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(closed).to_have_count(0)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(closed).to_have_count(count)


def test_refused_section_page_says_no_access(page, check_a11y):
    world = build_region("a")
    login_ok(page, check_a11y, world.users["privacy_officer"])
    response = page.goto("/casussen/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    expect(page.get_by_role("main")).to_contain_text(re.compile("Uw rol .* geeft geen toegang"))
    check_a11y(page, "geen toegang")
