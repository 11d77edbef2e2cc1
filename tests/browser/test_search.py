"""Search in a real browser (issue 12 item 4, ADR 0035), with axe-core (WCAG 2.1 A/AA):
the case director types a BSN and then a name in the header box and finds their own case;
the same person's case in another region is never shown, and the URL never carries a term."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..conftest import make_case
from ..factories import build_region
from .test_flow import login_ok

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BSN = "111222333"  # passes the elfproef; fictitious


def test_search_finds_own_case_and_not_another_regions(page, check_a11y):
    world_a, world_b = build_region("a"), build_region("b")
    own = make_case(world_a, given_names="Piet", family_name="Zoekpersoon", bsn=BSN)
    elsewhere = make_case(world_b, given_names="Piet", family_name="Zoekpersoon", bsn=BSN)

    login_ok(page, check_a11y, world_a.users["case_director"])
    box = page.get_by_role("search", name="Zoeken")
    box.get_by_label("Zoekterm").fill(BSN)
    box.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoeken")
    results = page.get_by_role("region", name="1 resultaat")
    expect(results.get_by_role("link", name=own.reference)).to_be_visible()
    expect(results).not_to_contain_text(elsewhere.reference)
    assert BSN not in page.url and page.url.endswith("/zoeken/")
    check_a11y(page, "zoekresultaat op BSN")

    # By name and date of birth, from the search page's own form.
    page.locator("main").get_by_label(re.compile("^Zoeken")).fill("zoekpersoon 12-04-1999")
    page.locator("main").get_by_role("button", name="Zoeken").click()
    results = page.get_by_role("region", name="1 resultaat")
    expect(results).to_contain_text("Zoekpersoon")
    expect(results).not_to_contain_text(elsewhere.reference)
    assert "zoekpersoon" not in page.url.lower()

    # The other region's reference: the same answer as a reference that does not exist.
    page.locator("main").get_by_label(re.compile("^Zoeken")).fill(elsewhere.reference)
    page.locator("main").get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("region", name="0 resultaten")).to_contain_text("Niets gevonden.")
    check_a11y(page, "zoekresultaat zonder treffers")
