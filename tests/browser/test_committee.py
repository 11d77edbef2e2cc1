"""The lawfulness advisory committee (Wet PGA art. 15) in a real browser, with axe-core
(WCAG 2.1 A/AA) on every page.

committee member: "Rechtmatigheidscommissie" → the overview (an art. 11 motivation without the
person's name, the register of processing changes) → "Advies vastleggen" (a refused, empty
advice first) → the advice; the process director (chair): the advice → the response.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casustafel.governance import informing
from casustafel.oversight.models import Advice, AdviceStatus

from ..conftest import make_case
from ..factories import build_region
from .test_flow import login_ok, logout, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_art15_the_committee_reads_and_advises_and_the_chair_responds(page, check_a11y):
    world = build_region("a")
    users = world.users
    case = make_case(world, family_name="Commissiepersoon")
    informing.record_informing_decision(
        users["case_director"],
        case=case,
        outcome="deferred",
        ground="d_criminal_offences",
        motivation="Lopend opsporingsonderzoek (fictief).",
        review_on=timezone.localdate() + timedelta(days=30),
    )

    # --- the committee member reads without case content and records an advice
    login_ok(page, check_a11y, users["committee"])
    nav(page, "Rechtmatigheidscommissie")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Lopend opsporingsonderzoek (fictief).")
    expect(main).to_contain_text(case.reference)
    expect(main).not_to_contain_text("Commissiepersoon")
    expect(page.get_by_role("table", name="Register van wijzigingen in de verwerking")).to_contain_text("Grondslagen")
    check_a11y(page, "rechtmatigheidsadviescommissie")
    page.get_by_role("link", name="Advies vastleggen").click()
    check_a11y(page, "advies vastleggen")
    page.get_by_role("button", name="Advies vastleggen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_a11y(page, "advies vastleggen met fouten")
    page.get_by_label("Onderwerp").fill("Motivering uitstel informeren")
    page.get_by_label("Advies of voorstel aan het casusoverleg").fill("Leg de heroverweging vast (fictief).")
    page.get_by_role("button", name="Advies vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("is vastgelegd")
    expect(page.get_by_role("main")).to_contain_text("Het casusoverleg heeft nog niet gereageerd.")
    check_a11y(page, "advies (commissie)")
    logout(page)

    # --- the chair responds
    advice = Advice.objects.get()
    login_ok(page, check_a11y, users["process_director"])
    nav(page, "Rechtmatigheidscommissie")
    check_a11y(page, "adviezen (voorzitter)")
    page.get_by_role("link", name=advice.reference).click()
    page.get_by_role("textbox", name="Reactie van het casusoverleg").fill("Overgenomen in het casusoverleg (fictief).")
    page.get_by_role("button", name="Reactie vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("is vastgelegd")
    check_a11y(page, "advies beantwoord")
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.ANSWERED and advice.responded_by == users["process_director"]

    print("axe checked:", *check_a11y.checked, sep="\n  ")
