"""Issue 12 items 8 and 9 in a real browser, axe-core (WCAG 2.1 A/AA) on every state.

- A refused form shows the error summary at the top, linking to the field, and the message at
  the field itself.
- Before the idle timeout the page warns and offers to stay signed in (the session is renewed
  only by that click).
- A form submitted after the session ended keeps its input through the new login (ADR 0036).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casustafel.signals.models import Signal

from ..factories import build_region
from .test_flow import login, login_ok, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FACTS = "Deelt gewelddadige teksten in een besloten chatgroep."


def fill_intake(page):
    """The intake form, filled in within the page's main content (the header has a search box)."""
    form = page.get_by_role("main")
    form.get_by_label("Voornamen").fill("Pieter")
    form.get_by_label("Achternaam").fill("Browsertest")
    form.get_by_label("Geboortedatum").fill("1998-03-14")
    form.get_by_label("Geslacht").select_option(label="Man")
    form.get_by_label("Gemeente van verblijf").fill("Lindeveld")
    form.get_by_label("Soort bron").select_option(label="Politie")
    form.get_by_label("Fenomeen").select_option(label="Rechts-extremistisch")
    form.get_by_label("Waargenomen feiten").fill(FACTS)
    form.get_by_label("Urgentie").select_option(label="Normaal")
    form.get_by_label("Grondslag voor het delen").select_option(
        label="Wet PGA art. 4 en 8 (verstrekking aan de deelnemers van het casusoverleg)"
    )
    return form


def open_signal_form(page):
    page.goto(reverse("signals:signal_create"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaal registreren")


def test_refused_form_shows_the_summary_linking_to_the_field_and_the_message_at_it(page, check_a11y):
    intake = build_region("a").users["intake"]
    login_ok(page, check_a11y, intake)
    open_signal_form(page)
    form = fill_intake(page)
    form.get_by_label("Fenomeen").select_option(value="")  # left unchosen: nothing is pre-selected
    form.get_by_label("Waargenomen feiten").fill("")
    page.get_by_role("button", name="Signaal registreren").click()

    summary = page.get_by_role("alert").filter(has_text="Er is een probleem")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="Er is een probleem")).to_be_visible()
    link = summary.get_by_role("link", name=re.compile("^Fenomeen"))
    expect(link).to_have_attribute("href", "#id_phenomenon")
    expect(summary.get_by_role("link", name=re.compile("^Waargenomen feiten"))).to_have_attribute("href", "#id_facts")
    form = page.get_by_role("main")
    expect(form.get_by_label("Fenomeen")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_phenomenon_error")).to_be_visible()
    expect(form.get_by_label("Voornamen")).to_have_value("Pieter")  # the rest of the input is still there
    check_a11y(page, "geweigerd signaalformulier")
    expect(summary).to_be_focused()  # keyboard and screen-reader users start at the summary
    link.click()
    expect(form.get_by_label("Fenomeen")).to_be_focused()  # the link moves the focus to its field
    assert not Signal.objects.exists()


def test_idle_warning_offers_to_stay_signed_in(page, check_a11y, settings):
    settings.SESSION_COOKIE_AGE = 30  # the dialog opens 15 s before the end (half the age below 4 minutes)
    intake = build_region("a").users["intake"]
    login(page, check_a11y, intake)
    expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad")
    dialog = page.get_by_role("dialog", name="U wordt bijna afgemeld")
    expect(dialog).to_be_visible(timeout=25_000)
    expect(dialog.get_by_role("button", name="Ingelogd blijven")).to_be_focused()
    check_a11y(page, "waarschuwing voor afmelden")
    dialog.get_by_role("button", name="Ingelogd blijven").click()
    expect(dialog).to_be_hidden()
    # Renewed: past the original end (30 s after the page loaded) the session still holds.
    page.wait_for_timeout(12_000)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad")
    # Left alone, the dialog says the session has ended.
    expect(page.get_by_role("dialog", name="U bent afgemeld")).to_be_visible(timeout=40_000)
    check_a11y(page, "sessie verlopen")


def test_form_submitted_after_session_expiry_keeps_its_input(page, check_a11y):
    intake = build_region("a").users["intake"]
    login_ok(page, check_a11y, intake)
    open_signal_form(page)
    fill_intake(page)
    # Fifteen quiet minutes later, the session has ended on the server.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    page.get_by_role("button", name="Signaal registreren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij Casustafel")
    expect(page.get_by_text("Wat u in het formulier invulde, is bewaard")).to_be_visible()
    assert "Deelt" not in page.url and not Signal.objects.exists()
    login(page, check_a11y, intake, code=totp_code(intake, offset_steps=1))

    expect(page.get_by_role("heading", level=1)).to_have_text("Bewaard formulier")
    check_a11y(page, "bewaard formulier")
    page.get_by_role("button", name="Formulier opnieuw versturen").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Bewaard formulier")
    signal = Signal.objects.get()
    assert signal.facts == FACTS and signal.phenomenon == "rechts_extremistisch"
    check_a11y(page, "signaal na opnieuw inloggen")
