"""The Content-Security-Policy in a real browser: the pages and htmx work, and Chromium blocks nothing.

A strict policy (no inline script or style, no eval) fails quietly: the browser drops what
it refuses and reports a ``securitypolicyviolation`` event. This test collects those events
on the login page, the dashboard and the signal form with its htmx known-person check, and
requires none (htmx's own indicator stylesheet would be one; base.html switches it off).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from ..factories import PASSWORD, build_region
from ..helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: Runs before any page script (an init script is not subject to the page's policy).
COLLECT_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
"""


def test_pages_and_htmx_work_under_the_policy(page, live_server):
    user = build_region("a").users["intake"]
    page.context.add_init_script(COLLECT_VIOLATIONS)
    reported = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            reported.append(message.text)

    page.on("console", on_console)

    def assert_nothing_blocked(where: str) -> None:
        assert page.evaluate("window.cspViolations") == [], where
        assert reported == [], where

    response = page.goto("/inloggen/")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij Casustafel")
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Noto Sans"')  # the stylesheet
    assert_nothing_blocked("inlogpagina")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Verificatiecode").fill("000000")
    page.get_by_role("button", name="Inloggen").click()  # a form post (form-action 'self'), refused
    expect(page.get_by_role("alert")).to_be_visible()
    assert_nothing_blocked("inlogpagina na een geweigerde poging")

    # Logged in with both factors (tests/helpers.py), in this browser: the session cookie.
    session = login(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad")
    assert_nothing_blocked("werkvoorraad")

    page.goto("/signalen/nieuw/")
    assert page.evaluate("typeof htmx") == "object"  # the script loaded from 'self'
    page.get_by_label("Voornamen").fill("Pieter")
    page.get_by_label("Achternaam").fill("Beleidstest")
    page.get_by_label("Geboortedatum").fill("1998-03-14")
    page.get_by_role("button", name="Controleer of deze persoon bekend is").click()  # htmx POST (connect-src)
    expect(page.locator("#known-person")).to_contain_text(re.compile("Geen eerdere signalen"))
    assert_nothing_blocked("signaalformulier na de htmx-controle")
