"""The reports of issue 13 in a real browser, each page checked with axe-core (WCAG 2.1 A/AA).

Annual report (Wet PGA art. 18, ADR 0040): the process director creates the draft, leaves a
section out with its reason (lid 1) and closes the redaction; the analyst reads it; the
publication-ready HTML page (lid 2) is accessible on its own.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casustafel.reporting.annual.content import document_html
from casustafel.reporting.annual.selectors import report_content
from casustafel.reporting.models import AnnualReport

from ..conftest import make_case
from ..factories import build_region
from .test_flow import login_ok, logout, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _main_button(page, name: str):
    page.get_by_role("main").get_by_role("button", name=name, exact=True).click()


def test_annual_report_draft_redaction_and_publication_page(page, check_a11y):
    world = build_region("a")
    make_case(world, family_name="Jaarverslag")
    login_ok(page, check_a11y, world.users["process_director"])

    nav(page, "Jaarverslagen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jaarverslagen (art. 18 Wet PGA)")
    check_a11y(page, "jaarverslagen")
    page.get_by_role("link", name="Nieuw jaarverslag").click()
    check_a11y(page, "nieuw jaarverslag")
    page.get_by_label("Verslagjaar").fill(str(timezone.localdate().year + 1))
    _main_button(page, "Concept aanmaken")
    expect(page.get_by_role("main")).to_contain_text("ligt in de toekomst")
    check_a11y(page, "nieuw jaarverslag met fout")
    page.get_by_label("Verslagjaar").fill(str(timezone.localdate().year))
    _main_button(page, "Concept aanmaken")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jaarverslag")
    expect(page.get_by_role("main")).to_contain_text("< 5")
    check_a11y(page, "concept jaarverslag")

    # Art. 18 lid 1: leave a section out, with the reason the report shows.
    _main_button(page, "Onderdeel weglaten")
    expect(page.get_by_role("main")).to_contain_text("Er is een probleem")
    check_a11y(page, "weglaten zonder reden")
    page.get_by_label("Onderdeel").select_option(label="Hoofdstuk: Achtergehouden gegevens")
    page.get_by_label("Reden (wordt in het verslag getoond").fill("Publicatie zou een lopend onderzoek schaden.")
    _main_button(page, "Onderdeel weglaten")
    expect(page.get_by_role("main")).to_contain_text("Weggelaten op grond van art. 18 lid 1 Wet PGA.")
    _main_button(page, "Redactie afronden")
    expect(page.get_by_role("main")).to_contain_text("Geredigeerd, klaar voor publicatie")
    check_a11y(page, "geredigeerd jaarverslag")
    logout(page)

    login_ok(page, check_a11y, world.users["analyst"])
    nav(page, "Jaarverslagen")
    page.get_by_role("link", name=re.compile(r"^Jaarverslag \d{4}$")).click()
    expect(page.get_by_role("main")).to_contain_text("Publicatie zou een lopend onderzoek schaden.")
    check_a11y(page, "jaarverslag (analist)")

    # The standalone page that goes on the internet (art. 18 lid 2), on its own.
    report = AnnualReport.objects.get()
    page.set_content(document_html(report_content(world.users["analyst"], report)))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jaarverslag")
    check_a11y(page, "jaarverslag als publicatiepagina")


# -- council and quarterly report (issue 13 item 3, ADR 0041) --------------------------------------


def test_council_report_chosen_read_and_downloaded(page, check_a11y):
    """The analyst chooses the region and quarters (an empty period refused in Dutch), reads the
    report with its tables and charts — small numbers "< 5" — downloads the CSV; the standalone
    page for publication is accessible on its own."""
    from django.template.loader import render_to_string

    from casustafel.reporting.council.report import build
    from casustafel.reporting.periods import Period, Quarter
    from casustafel.reporting.scope import Scope

    world = build_region("a")
    make_case(world, family_name="Raadsrapport")
    current = Quarter.of(timezone.localdate())
    earlier = Quarter(current.year - 1, current.number)
    login_ok(page, check_a11y, world.users["analyst"])

    nav(page, "Raadsrapportage")
    expect(page.get_by_role("heading", level=1)).to_have_text("Raadsrapportage")
    check_a11y(page, "raadsrapportage kiezen")
    page.get_by_label("Eerste kwartaal").select_option(current.code)
    page.get_by_label("Laatste kwartaal").select_option(earlier.code)
    _main_button(page, "Rapportage maken")
    expect(page.get_by_role("main")).to_contain_text("De periode is leeg")
    check_a11y(page, "raadsrapportage met fout")

    page.get_by_label("Eerste kwartaal").select_option(earlier.code)
    page.get_by_label("Laatste kwartaal").select_option(current.code)
    _main_button(page, "Rapportage maken")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Raadsrapportage Regio a, ")
    expect(page.get_by_role("main")).to_contain_text("< 5")
    expect(page.get_by_role("img", name="Signalen naar soort bron en uitkomst")).to_be_visible()
    check_a11y(page, "raadsrapportage")
    with page.expect_download() as download:
        _main_button(page, "CSV")
    assert download.value.suggested_filename.startswith("raadsrapportage-region-")

    report = build(Scope.region(world.region), Period(earlier, current))
    page.set_content(render_to_string("reporting/council/document.html", {"report": report}))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Raadsrapportage")
    check_a11y(page, "raadsrapportage als publicatiepagina")
