"""A correction and its melding (Wet PGA art. 10) in a real browser, with axe-core (WCAG 2.1
A/AA) on every page.

The gemeente's intake officer opens its signal → "Corrigeren" (a refused correction without
reason first) → the corrected signal shows the correction; a colleague of the gemeente finds
the melding on the dashboard and marks the own records checked.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casustafel.corrections.models import CorrectionNotice
from casustafel.flow.services import register_signal

from ..factories import build_region, signal_fields, subject_data
from .test_flow import login_ok, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_art10_the_supplier_corrects_a_signal_and_its_organisation_gets_a_melding(page, check_a11y):
    world = build_region("a")
    users = world.users
    signal = register_signal(
        users["intake"], subject=subject_data(family_name="Correctiepersoon"), fields=signal_fields()
    ).signal

    # --- the supplier corrects its signal, first without a reason (refused)
    login_ok(page, check_a11y, users["intake"])
    page.goto(f"/signalen/{signal.pk}/")
    page.get_by_role("link", name="Corrigeren").click()
    check_a11y(page, "signaal corrigeren")
    page.get_by_label("Waargenomen feiten").fill("Deelt gewelddadige teksten in een besloten groep van vijf.")
    page.get_by_role("button", name="Correctie vastleggen").click()
    expect(page.get_by_role("main")).to_contain_text("Geef de reden van de correctie")
    check_a11y(page, "signaal corrigeren met fouten")
    page.get_by_label("Reden van de correctie").fill("Aantal deelnemers ontbrak.")
    page.get_by_role("button", name="Correctie vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("De correctie is vastgelegd")
    corrections = page.get_by_role("region", name="Correcties")
    expect(corrections).to_contain_text("gecorrigeerd op")
    expect(corrections).to_contain_text("Aantal deelnemers ontbrak.")
    check_a11y(page, "signaal met correctie")
    logout(page)

    # --- a colleague of the gemeente finds the melding and checks the own records
    login_ok(page, check_a11y, users["weigher_gemeente"])
    queue = page.get_by_role("region", name="Gecorrigeerde gegevens: controleer uw eigen bestanden (art. 10 Wet PGA)")
    expect(queue).to_contain_text("Aantal deelnemers ontbrak.")
    check_a11y(page, "dashboard met melding van een correctie")
    queue.get_by_role("button", name="Eigen bestanden gecontroleerd").click()
    expect(page.get_by_role("status")).to_contain_text("De melding is afgehandeld")
    check_a11y(page, "dashboard na afhandelen")
    assert CorrectionNotice.objects.get().done_by == users["weigher_gemeente"]

    print("axe checked:", *check_a11y.checked, sep="\n  ")
