"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One Chromium per session, a fresh browser context (cookies, storage) per test.
"""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the
# tests make between browser steps (factories, TOTP codes) are still plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread. Django then keeps its
    # (thread-critical) database connections per async context instead of per thread, and would
    # hand the tests a fresh connection that lacks the test database's serialized contents
    # (serialized_rollback). Hand the connections set up by django_db_setup over to that context.
    existing = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in existing.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def check_a11y(axe):
    """Run axe-core (WCAG 2.1 A/AA) on the page as it is now; fail on any violation."""
    checked = []

    def check(page, label: str | None = None):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        name = label or page.url
        details = "\n".join(
            f"  {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} element(s)]\n"
            + "\n".join(f"    {n['target']}: {' '.join(n.get('failureSummary', '').split())}" for n in v["nodes"][:5])
            for v in results.response["violations"]
        )
        assert results.violations_count == 0, f"axe: {results.violations_count} violation(s) on {name}:\n{details}"
        checked.append(name)

    check.checked = checked
    return check
