"""Policy signals (issue 13 item 6) and the national figures (item 8, Wet PGA art. 24) in a real
browser, with axe-core (WCAG 2.1 A/AA) on every page.

case director: the case → "Beleidssignaal indienen" → refused (empty; then with the person's
name) → raised; the process director: "Beleidssignalen" → the signal → answered; the analyst:
"Landelijk beeld" with one imported region.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casustafel.national import aggregate, signing

from ..conftest import make_case
from ..factories import build_region
from .test_flow import login_ok, logout, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_policy_signal_is_raised_answered_and_the_nation_read(page, check_a11y, settings, tmp_path):
    world = build_region("a")
    users = world.users
    case = make_case(world, family_name="Beleidspersoon")

    login_ok(page, check_a11y, users["case_director"])
    page.goto(page.url.rstrip("/") + f"/casussen/{case.pk}/")
    page.get_by_role("link", name="Beleidssignaal indienen (knelpunt voor beleid, zonder persoonsgegevens)").click()
    check_a11y(page, "beleidssignaal indienen")
    page.get_by_role("button", name="Beleidssignaal indienen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_a11y(page, "beleidssignaal met fouten")
    page.get_by_label("Categorie").select_option(label="Capaciteit (wachtlijsten, menskracht)")
    page.get_by_label("Omschrijving van het knelpunt").fill("Beleidspersoon wacht al maanden.")
    page.get_by_role("button", name="Beleidssignaal indienen").click()
    expect(page.get_by_role("alert")).to_contain_text("zonder namen")
    page.get_by_label("Omschrijving van het knelpunt").fill("Wachtlijst ambulante begeleiding van 14 weken.")
    page.get_by_role("button", name="Beleidssignaal indienen").click()
    expect(page.get_by_role("status")).to_contain_text("is ingediend")
    expect(page.get_by_role("main")).not_to_contain_text("Beleidspersoon")
    check_a11y(page, "beleidssignalen (casusregisseur)")
    logout(page)

    login_ok(page, check_a11y, users["process_director"])
    nav(page, "Beleidssignalen")
    page.get_by_role("table").get_by_role("link").first.click()
    check_a11y(page, "beleidssignaal (procesregisseur)")
    page.get_by_label("Nieuwe stand").select_option(label="Beantwoord")
    page.get_by_label("Antwoord").fill("Meegenomen in de inkoop voor volgend jaar.")
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("main")).to_contain_text("Meegenomen in de inkoop voor volgend jaar.")
    check_a11y(page, "beleidssignaal beantwoord")
    logout(page)

    year = timezone.localdate().year
    pair = signing.generate()
    settings.CASUSTAFEL_AGGREGATE_SIGNING_KEY = pair.private_b64
    document, _missing = aggregate.build_document(world.region, year, fact_names=("policy_signals",))
    path = tmp_path / "a.json"
    aggregate.write_document(document, path)
    aggregate.import_files([path], trusted={"a": {pair.public_b64}})

    login_ok(page, check_a11y, users["analyst"])
    nav(page, "Landelijk beeld")
    expect(page.get_by_role("table", name=f"Beleidssignalen — {year}")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("< 5")
    check_a11y(page, "landelijk beeld")
