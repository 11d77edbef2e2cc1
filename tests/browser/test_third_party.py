"""Admitting a third party to a case (Wet PGA art. 3 lid 3) in a real browser, with axe-core
(WCAG 2.1 A/AA) on every page.

case director: case page → "Derde toelaten" (a refused, incomplete proposal first) → the
proposal; gemeente, politie and OM weighing members in turn: "Derden toelaten" → the
proposal → agree; the GGZ participant then opens the case: it takes part as a third party
and, with only plan data marked necessary, does not see who the person is.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from casustafel.cases.models import AdmissionStatus, Capacity, ThirdPartyAdmission

from ..conftest import make_case
from ..factories import build_region
from .test_flow import login_ok, logout, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_art3_lid3_the_three_admit_a_third_party(page, check_a11y):
    world = build_region("a")
    users, ggz = world.users, world.orgs["ggz"]
    case = make_case(world, family_name="Derdenpersoon")

    # --- the case director proposes the GGZ as a third party
    login_ok(page, check_a11y, users["case_director"])
    page.goto(f"/casussen/{case.pk}/")
    panel = page.get_by_role("region", name="Derde toelaten")
    check_a11y(page, "casuspagina met derde toelaten")
    panel.get_by_label("Organisatie (derde)").select_option(label=str(ggz))
    panel.get_by_label("Deskundigheid die voor deze casus nodig is").fill("Ambulante behandeling.")
    panel.get_by_role("button", name="Toelating voorstellen").click()
    expect(page.get_by_role("alert")).to_contain_text("niet opgeslagen")  # no role, no data marked
    check_a11y(page, "derde toelaten met fouten")
    panel = page.get_by_role("region", name="Derde toelaten")
    panel.get_by_label("Uitvoeren van het plan van aanpak").check()
    panel.get_by_label("e. Gegevens voor het plan van aanpak").check()
    panel.get_by_role("button", name="Toelating voorstellen").click()
    expect(page.get_by_role("status")).to_contain_text("de burgemeester, politie en OM beslissen samen")
    expect(page.get_by_role("region", name="Derden (art. 3 lid 3 Wet PGA)")).to_contain_text("Voorgesteld")
    check_a11y(page, "casuspagina met voorstel derde")
    logout(page)

    # --- gemeente, politie and OM each agree for their party
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        login_ok(page, check_a11y, users[key])
        nav(page, "Derden toelaten")
        check_a11y(page, f"derden toelaten ({key})")
        page.get_by_role("table", name="Voorstellen tot toelating van een derde").get_by_role(
            "link", name=case.reference
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Derde toelaten tot casus "))
        check_a11y(page, f"toelating derde ({key})")
        page.get_by_label("Ja, wij laten de derde toe").check()
        page.get_by_role("button", name="Standpunt vastleggen").click()
        expect(page.get_by_role("status")).to_contain_text("is vastgelegd")
        logout(page)

    admission = ThirdPartyAdmission.objects.get(case=case)
    assert admission.status == AdmissionStatus.ADMITTED
    assert case.participants.get(organisation=ggz).capacity == Capacity.THIRD_PARTY

    # --- the third party sees the case, not who the person is (identifying data not marked)
    login_ok(page, check_a11y, users["participant_ggz"])
    page.goto(f"/casussen/{case.pk}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("afgeschermd: identificerende gegevens")
    expect(main).not_to_contain_text("Derdenpersoon")
    expect(page.get_by_role("table", name="Deelnemende organisaties")).to_contain_text("Derde (art. 3 lid 3)")
    check_a11y(page, "casuspagina (derde)")

    print("axe checked:", *check_a11y.checked, sep="\n  ")
