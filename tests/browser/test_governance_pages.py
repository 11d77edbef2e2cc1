"""The information-governance pages in a real browser, each checked with axe-core (WCAG 2.1 A/AA):
the processing log and retention (privacy officer, functional administrator), ambtsberichten
(mayor and a designated official), transparency and objections (case director), access
requests (privacy officer), requests between casustafels and the "known elsewhere" check."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from casustafel.flow.services import register_signal
from casustafel.governance.models import RestrictedDocument

from ..conftest import make_case
from ..factories import build_region, governance_objects, signal_fields, subject_data
from .test_flow import login_ok, logout, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BSN = "111222333"


def submit(page, name: str, *, within=None):
    (within or page.get_by_role("main")).get_by_role("button", name=name, exact=True).click()


def test_privacy_officer_logbook_retention_and_access_requests(page, check_a11y):
    world = build_region("a")
    case = make_case(world, bsn=BSN)
    governance_objects(world, case=case)
    officer = world.users["privacy_officer"]
    login_ok(page, check_a11y, officer)

    nav(page, "Logboek")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logboek dataverwerkingen")
    check_a11y(page, "logboek")
    page.get_by_label("Interne controle").check()  # art. 14 lid 2 Wet PGA: the purpose of the query
    page.get_by_label("Burgerservicenummer van de betrokkene").fill(BSN)
    submit(page, "Zoeken")
    expect(page.get_by_role("main")).to_contain_text(case.reference)
    assert BSN not in page.url
    check_a11y(page, "logboek na zoeken op BSN")
    page.get_by_label("Burgerservicenummer van de betrokkene").fill("123456789")  # fails the elfproef
    submit(page, "Zoeken")
    expect(page.get_by_role("main")).to_contain_text("geen geldig burgerservicenummer")
    check_a11y(page, "logboek met fout in BSN")

    nav(page, "Bewaartermijnen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewaartermijnen")
    check_a11y(page, "bewaartermijnen (FG)")

    nav(page, "Inzageverzoeken")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inzageverzoeken")
    check_a11y(page, "inzageverzoeken")
    submit(page, "Registreren")
    expect(page.locator(".field--error, [aria-invalid=true]").first).to_be_visible()
    check_a11y(page, "inzageverzoek met fouten")


def test_functional_admin_retention(page, check_a11y):
    world = build_region("a")
    login_ok(page, check_a11y, world.users["functional_admin"])
    nav(page, "Bewaartermijnen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewaartermijnen")
    check_a11y(page, "bewaartermijnen (functioneel beheerder)")


def test_mayor_and_designated_official_ambtsberichten(page, check_a11y):
    world = build_region("a")
    case = make_case(world)
    governance_objects(world, case=case)
    document = RestrictedDocument.objects.get(region=world.region)
    mayor, official = world.users["mayor"], world.users["weigher_gemeente"]

    login_ok(page, check_a11y, mayor)
    nav(page, "Ambtsberichten")
    expect(page.get_by_role("heading", level=1)).to_have_text("AIVD-ambtsberichten")
    check_a11y(page, "ambtsberichten (burgemeester)")
    page.get_by_role("main").get_by_role("link", name="Ambtsbericht vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ambtsbericht vastleggen")
    check_a11y(page, "ambtsbericht vastleggen")
    submit(page, "Vastleggen")
    expect(page.locator(".field--error, [aria-invalid=true], .alert--error").first).to_be_visible()
    check_a11y(page, "ambtsbericht vastleggen met fouten")

    page.goto(f"/ambtsberichten/{document.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ambtsbericht {document.reference}")
    check_a11y(page, "ambtsbericht (burgemeester)")
    readers = page.get_by_role("region", name="Aangewezen lezers")
    readers.get_by_label("Medewerker").select_option(
        label=f"{world.users['intake'].display_name} ({world.users['intake'].organisation})"
    )
    readers.get_by_label("Handeling").select_option(label="Aanwijzen als lezer")
    submit(page, "Vastleggen", within=readers)
    expect(page.get_by_role("status")).to_contain_text("De aanwijzing is vastgelegd.")
    check_a11y(page, "ambtsbericht na aanwijzen")
    submit(page, "Vrijgeven", within=page.get_by_role("region", name="Samenvatting vrijgeven"))
    check_a11y(page, "ambtsbericht: vrijgeven zonder samenvatting")
    logout(page)

    login_ok(page, check_a11y, official)
    nav(page, "Ambtsberichten")
    check_a11y(page, "ambtsberichten (aangewezen ambtenaar)")
    page.get_by_role("main").get_by_role("link", name=document.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ambtsbericht {document.reference}")
    expect(page.get_by_role("region", name="Samenvatting vrijgeven")).to_have_count(0)
    check_a11y(page, "ambtsbericht (aangewezen ambtenaar)")


def test_case_transparency_and_objections(page, check_a11y):
    world = build_region("a")
    case = make_case(world)
    governance_objects(world, case=case)
    login_ok(page, check_a11y, world.users["case_director"])
    page.goto(f"/casussen/{case.pk}/transparantie/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Transparantie en bezwaren {case.reference}")
    check_a11y(page, "transparantie en bezwaren")
    submit(page, "Registreren")  # an objection without anything filled in
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Transparantie en bezwaren {case.reference}")
    check_a11y(page, "bezwaar met fouten")
    submit(page, "Vastleggen")  # transparency without a choice
    check_a11y(page, "transparantie met fouten")


def test_known_elsewhere_check_and_requests_between_tables(page, check_a11y):
    a, b = build_region("a"), build_region("b")
    mine = register_signal(
        a.users["intake"], subject=subject_data(family_name="Reiziger"), fields=signal_fields()
    ).signal
    register_signal(b.users["intake"], subject=subject_data(family_name="Reiziger"), fields=signal_fields())

    login_ok(page, check_a11y, a.users["intake"])
    page.goto(f"/signalen/{mine.pk}/")
    page.get_by_role("button", name="Controleer andere casustafels").click()
    expect(page.locator("#known-elsewhere")).to_contain_text("Deze persoon is bekend bij een andere casustafel.")
    check_a11y(page, "signaalpagina na controle andere casustafels")
    page.get_by_label("Reden van het verzoek").fill("Is de persoon bij u in beeld?")
    page.get_by_role("button", name="Formeel verzoek indienen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Signaal "))
    nav(page, "Verzoeken")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verzoeken andere casustafels")
    check_a11y(page, "verzoeken (verstuurd)")
    logout(page)

    login_ok(page, check_a11y, b.users["weigher_politie"])
    nav(page, "Verzoeken")
    expect(page.get_by_role("main")).to_contain_text("Is de persoon bij u in beeld?")
    check_a11y(page, "verzoeken (ontvangen)")
