"""The public meldpunt in a real browser (issue 14 item 1, ADR 0044; Wet PGA art. 5 lid 2):
a citizen reports a concern and later adds to it, with JavaScript switched off in Chromium; the
same pages pass axe-core (WCAG 2.1 A/AA), which needs script and runs in a second context."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casustafel.meldpunt.models import GemeenteMeldpunt, PublicReport, ReportAddition

from ..factories import build_region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _report(page, *, gemeente: str):
    page.get_by_label("Gemeente waar de persoon woont of verblijft").select_option(label=gemeente)
    page.get_by_label("Wat heeft u gezien of gehoord?").fill("Mijn neef zegt dat hij 'iets groots' gaat doen.")
    page.get_by_label("Naam van de persoon (als u die weet)").fill("N'Diaye Özdemir")
    page.get_by_label("Ik ben familielid of naaste").check()
    page.get_by_label("Nee, ik meld anoniem").check()
    page.get_by_role("button", name="Melding versturen").click()


def test_a_citizen_reports_and_adds_information_without_javascript(browser, live_server, page, check_a11y):
    world = build_region("a")
    gemeente = world.orgs["gemeente"]
    GemeenteMeldpunt.objects.create(
        organisation=gemeente, region=world.region, code="lindeveld", intro_text="Welkom bij het meldpunt."
    )
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", java_script_enabled=False)
    context.set_default_timeout(15_000)
    plain = context.new_page()
    try:
        plain.goto("/melden/a/lindeveld/")
        expect(plain.get_by_role("heading", level=1)).to_contain_text("Zorgen melden bij de burgemeester")
        expect(plain.get_by_text("Welkom bij het meldpunt.")).to_be_visible()
        expect(plain.locator("main")).to_contain_text("Bel 112")
        # Nothing filled in: the error summary links to the fields, without script.
        plain.get_by_role("button", name="Melding versturen").click()
        summary = plain.get_by_role("alert")
        expect(summary).to_contain_text("Er is een probleem")
        expect(summary.get_by_role("link", name="Wat heeft u gezien of gehoord?: Vul dit veld in.")).to_be_visible()

        _report(plain, gemeente=gemeente.name)
        expect(plain.get_by_role("heading", level=1)).to_have_text("Uw melding is ontvangen")
        reference = plain.locator("[data-reference]").inner_text()
        code = plain.locator("[data-code]").inner_text()
        assert reference not in plain.url and code not in plain.url
        report = PublicReport.objects.get(reference=reference)
        assert report.organisation == gemeente and report.about_name == "N'Diaye Özdemir"

        plain.get_by_role("link", name="Later iets toevoegen aan uw melding").click()
        plain.get_by_label("Kenmerk van uw melding").fill(reference)
        plain.get_by_label("Geheime code").fill(code)
        plain.get_by_label("Wat wilt u aanvullen?").fill("Hij noemde zaterdag.")
        plain.get_by_role("button", name="Aanvulling versturen").click()
        expect(plain.get_by_role("heading", level=1)).to_have_text("Uw aanvulling is verstuurd")
        assert ReportAddition.objects.get().report == report
        assert "follow" not in plain.url and reference not in plain.url
    finally:
        context.close()

    # axe-core needs script: the same pages in the ordinary (JavaScript) context.
    page.goto("/melden/a/")
    check_a11y(page, "meldpunt van de regio")
    page.goto("/melden/a/lindeveld/")
    check_a11y(page, "meldpunt van een gemeente")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is een probleem")
    check_a11y(page, "meldpunt met foutmeldingen")
    _report(page, gemeente=gemeente.name)
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw melding is ontvangen")
    check_a11y(page, "melding ontvangen")
    page.goto("/melden/a/aanvullen/")
    check_a11y(page, "aanvullen")
