"""A partner contributes (issue 12 item 3) in a real browser, with axe-core (WCAG 2.1 A/AA) on
every page.

The GGZ, admitted to the case as a third party with plan data marked necessary (Wet PGA art. 3
lid 3), opens the plan: a contact with a date in the year 9999 is refused with the error at the
field and its section open; the corrected contact is recorded, then an update in the case
journal; the case director sees both on the plan page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casustafel.plans import services as plans

from ..conftest import make_case
from ..factories import admit_ggz, build_region
from .test_flow import login_ok, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_partner_records_a_contact_and_the_case_director_sees_it(page, check_a11y):
    world = build_region("a")
    users = world.users
    case = make_case(world, family_name="Partnerpersoon")
    admit_ggz(world, case)
    today = timezone.localdate()
    intervention = plans.add_intervention(
        users["case_director"],
        case=case,
        entry_code="zorg_ggz",
        organisation=world.orgs["ggz"],
        starts_on=today - timedelta(days=14),
        planned_end=today + timedelta(days=120),
        planned_sessions=6,
    )

    # --- the GGZ records a contact of its own intervention (first with an impossible date)
    login_ok(page, check_a11y, users["participant_ggz"])
    page.goto(f"/casussen/{case.pk}/plan/")
    check_a11y(page, "plan van aanpak (ggz)")
    row = page.locator(f"#interventie-{intervention.pk}")
    row.get_by_text("Contact vastleggen, wijzigen of beëindigen").click()
    row.get_by_label("Datum").first.fill("9999-01-01")
    row.get_by_label("Doorgegaan").select_option(label="Ja")
    row.get_by_label("Notitie").fill("Eerste behandelgesprek gevoerd.")
    row.get_by_role("button", name="Contact vastleggen").click()
    row = page.locator(f"#interventie-{intervention.pk}")
    expect(row).to_have_attribute("open", "")
    expect(row.locator(f"#contact-{intervention.pk}-date_error")).to_contain_text("niet in de toekomst")
    expect(row.get_by_label("Notitie")).to_have_value("Eerste behandelgesprek gevoerd.")
    check_a11y(page, "contact met fout")
    row.get_by_label("Datum").first.fill(today.isoformat())
    row.get_by_role("button", name="Contact vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("Het contact is vastgelegd")

    # --- and an update in the case journal, with its provenance
    page.get_by_role("link", name="Het hele casusjournaal, of een update toevoegen").click()
    check_a11y(page, "casusjournaal (ggz)")
    page.get_by_label("Update voor het casusjournaal").fill("Behandeling gestart; motivatie is goed.")
    page.get_by_label("Grondslag voor het delen").select_option("wet-pga")
    page.get_by_label("Alle deelnemers van de casus").check()
    page.get_by_role("button", name="Vastleggen in het journaal").click()
    expect(page.get_by_role("status")).to_contain_text("staat in het casusjournaal")
    logout(page)

    # --- the case director sees the contact and the journal entry on the plan page
    login_ok(page, check_a11y, users["case_director"])
    page.goto(f"/casussen/{case.pk}/plan/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Eerste behandelgesprek gevoerd.")
    expect(main).to_contain_text("Behandeling gestart; motivatie is goed.")
    expect(page.get_by_role("region", name="Casusjournaal")).to_contain_text(str(world.orgs["ggz"]))
    check_a11y(page, "plan van aanpak (casusregisseur)")

    print("axe checked:", *check_a11y.checked, sep="\n  ")
