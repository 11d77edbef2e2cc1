"""The NL Design System look (issue 12 item 12, ADR 0037): the vendored CSS equals the npm
packages pinned in package.json / package-lock.json, carries its licence and NOTICE, is linked
from every page, and the print stylesheet is linked with media="print".

Like the OpenAPI drift check: `scripts/update-design-system` copies the files; these tests fail
when someone edits a vendored copy by hand or bumps a pin without re-running the script.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from .helpers import login

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = json.loads((ROOT / "package.json").read_text())
LOCK = json.loads((ROOT / "package-lock.json").read_text())
VENDOR_DIR = ROOT / PACKAGE["casustafel"]["vendorDirectory"]
VENDOR = PACKAGE["casustafel"]["vendor"]
STATIC = ROOT / "src/casustafel/web/static/web"


def _package_of(source: str) -> str:
    scope, name = source.split("/")[:2]
    return f"{scope}/{name}"


def test_vendored_packages_are_pinned_exactly_in_package_json_and_the_lock():
    for source in VENDOR.values():
        package = _package_of(source)
        pinned = PACKAGE["dependencies"][package]
        assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"{package}: pin an exact version, not {pinned!r}"
        assert LOCK["packages"][f"node_modules/{package}"]["version"] == pinned, package


def test_vendored_packages_are_eupl_or_mit_and_named_in_the_notice():
    notice = (VENDOR_DIR / "NOTICE").read_text()
    for source in VENDOR.values():
        package = _package_of(source)
        licence = LOCK["packages"][f"node_modules/{package}"].get("license")
        assert licence in {"EUPL-1.2", "MIT"}, f"{package}: licence {licence!r}"
        assert f"{package} {PACKAGE['dependencies'][package]}" in notice, f"NOTICE names {package} and its version"
    licences = [target for target in VENDOR if target.endswith("LICENSE.md")]
    assert licences and all((VENDOR_DIR / target).is_file() for target in licences)


@pytest.mark.parametrize("target", sorted(VENDOR))
def test_vendored_copy_equals_the_pinned_npm_package(target):
    """scripts/test runs `npm ci`: node_modules holds exactly the pinned packages."""
    source = ROOT / "node_modules" / VENDOR[target]
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("node_modules is missing: run `npm ci` (scripts/test does)")
    installed = json.loads((ROOT / "node_modules" / _package_of(VENDOR[target]) / "package.json").read_text())
    assert installed["version"] == PACKAGE["dependencies"][_package_of(VENDOR[target])], "run `npm ci`"
    assert (VENDOR_DIR / target).read_bytes() == source.read_bytes(), (
        f"{target} differs from {VENDOR[target]}: run scripts/update-design-system"
    )


def test_nothing_unlisted_in_the_vendor_directory():
    assert {p.name for p in VENDOR_DIR.iterdir()} == set(VENDOR) | {"NOTICE"}


def test_casustafel_css_uses_only_tokens_the_theme_defines():
    """The aliases are built on the design tokens: a token renamed in a theme update fails here
    instead of silently falling back to the browser's default."""
    defined = set(re.findall(r"(--[a-z0-9-]+)\s*:", (VENDOR_DIR / "voorbeeld-theme.css").read_text()))
    own = (STATIC / "casustafel.css").read_text()
    defined |= set(re.findall(r"(--[a-z0-9-]+)\s*:", own))
    used = set(re.findall(r"var\((--[a-z0-9-]+)", own))
    assert used and used <= defined, sorted(used - defined)
    # No hand-picked colours: every colour is a token.
    assert not re.search(r"#[0-9a-fA-F]{3,8}\b", re.sub(r"/\*.*?\*/", "", own, flags=re.S))


@pytest.mark.django_db
def test_pages_link_the_theme_components_and_print_stylesheet(client, region_a):
    login(client, region_a.users["intake"])
    html = client.get(reverse("web:dashboard")).content.decode()
    assert '<html lang="nl" class="voorbeeld-theme">' in html
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"( media="print")?>', html)
    assert [href for href, _ in links] == [
        "/static/web/nlds/voorbeeld-theme.css",
        "/static/web/nlds/utrecht-component-library.css",
        "/static/web/casustafel.css",
        "/static/web/print.css",
    ]
    assert [href for href, media in links if media] == ["/static/web/print.css"]
    assert '<script src="/static/web/page.js" defer></script>' in html
    assert "//" not in "".join(href for href, _ in links), "no CDN: every stylesheet from this origin"


def test_print_stylesheet_hides_menu_and_buttons_and_prints_only_external_urls():
    css = (STATIC / "print.css").read_text()
    hidden = re.search(r"([^{}]+)\{\s*display:\s*none !important;", css).group(1)
    for selector in ("#hoofdmenu", ".menu-toggle", "button", ".button", "form", ".page-footer"):
        assert selector in [s.strip() for s in hidden.split(",")], selector
    assert 'a[href^="https://"]::after' in css
    assert re.search(r'a\[href\^="/"\]::after[^{]*\{\s*content:\s*none', css)
