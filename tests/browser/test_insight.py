"""Insight in a real browser (issue 13 items 1, 5, 7; ADR 0042), with axe-core (WCAG 2.1 A/AA):
the analyst's overview, the recognition monitor and the per-measure progress, a refused choice,
and the process director's flow with the list behind a number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casustafel.flow.services import register_signal
from casustafel.meetings import services as meeting_services
from casustafel.plans import services as plan_services
from casustafel.plans.models import CatalogueEntry, Plan
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal

from ..conftest import make_case
from ..factories import build_region, signal_fields, subject_data
from .test_flow import login_ok, logout, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _world():
    world = build_region("a")
    users = world.users
    for n, (gender, status) in enumerate(
        [("man", signal_states.INCLUDED)] * 8 + [("vrouw", signal_states.NO_ACTION)] * 6 + [("vrouw", "included")] * 5
    ):
        subject = subject_data(family_name=f"Persoon {n}", gender=gender)
        signal = register_signal(users["intake"], subject=subject, fields=signal_fields()).signal
        Signal.objects.filter(pk=signal.pk).update(status=status)
    case = make_case(world, family_name="Casus")
    entry = CatalogueEntry.objects.get(code="zorg_ggz", is_active=True)
    today = timezone.localdate()
    for _n in range(6):
        plan_services.add_intervention(
            users["case_director"],
            case=case,
            entry_code=entry.code,
            organisation=world.orgs[entry.organisation_kinds[0]],
            starts_on=today,
            planned_end=today + timedelta(days=90),
        )
    Plan.objects.filter(case=case).update(next_review_due=today + timedelta(days=3))
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    meeting_services.schedule_meeting(
        users["process_director"], starts_at=start, ends_at=start + timedelta(hours=2), location="Stadhuis"
    )
    return world, case


def test_the_analyst_reads_aggregates_and_the_director_the_flow(page, check_a11y):
    world, case = _world()
    login_ok(page, check_a11y, world.users["analyst"])  # the dashboard's insight block, checked
    expect(page.get_by_role("heading", name="Inzicht en verantwoording")).to_be_visible()
    nav(page, "Inzicht")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inzicht")
    expect(page.get_by_role("heading", name="De stroom in uw regio")).to_have_count(0)  # not the analyst's
    check_a11y(page, "inzicht (analist)")

    page.get_by_role("link", name="Herkenningsmonitor: signalen en opname naar groep").first.click()
    page.get_by_label("Indeling").select_option(label="Geslacht")
    page.get_by_role("button", name="Toon").click()
    table = page.get_by_role("table", name="Signalen en aandeel opgenomen per Geslacht")
    expect(table).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Vrouw")).to_contain_text("11")
    expect(page.get_by_text("geen bewijs van vooringenomenheid")).to_be_visible()
    check_a11y(page, "herkenningsmonitor")

    # A period ending before it starts: refused in Dutch, in the summary and the form.
    page.get_by_label("Eerste kwartaal").select_option(index=0)
    page.get_by_label("Laatste kwartaal").select_option(index=1)
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_role("alert")).to_contain_text("De periode is leeg")
    check_a11y(page, "herkenningsmonitor, foute periode")

    page.goto("/inzicht/maatregelen/")
    measures = page.locator("table.measures")
    expect(measures).to_contain_text("GGZ / zorg")
    check_a11y(page, "voortgang per maatregel")
    logout(page)

    login_ok(page, check_a11y, world.users["process_director"])  # the flow on the dashboard, checked
    nav(page, "Inzicht")
    flow = page.get_by_role("region", name="De stroom in uw regio")
    expect(flow).to_be_visible()
    check_a11y(page, "inzicht (procesregisseur)")
    flow.get_by_role("row").filter(has_text="Evaluaties").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluaties die eraan komen of verlopen zijn")
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    check_a11y(page, "lijst achter een aantal")
