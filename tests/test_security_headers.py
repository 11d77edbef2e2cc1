"""Security headers and HTTPS settings of every response (issue 9, "Protections to add").

Rules protected here:

* every response of the application — a page, the login page, an error page (403, 404), a
  redirect, an API answer and an API problem — carries a Content-Security-Policy without
  ``unsafe-inline`` or ``unsafe-eval``, a Permissions-Policy that allows no browser feature,
  and ``Cache-Control: no-store``: pages and API answers carry personal data (AVG art. 32,
  security of processing), which no browser or proxy cache may keep;
* static files carry the policy too, and stay cacheable;
* no page has an inline script, inline style or event-handler attribute, so the policy
  never needs to allow one (checked on the templates and on the rendered pages);
* HTTPS: HSTS on every HTTPS response; a real deployment redirects to HTTPS and sends its
  cookies ``Secure`` by default, the embedded development server does neither; the test
  client's ``testserver`` is a host of the tests only;
* ``manage.py check --deploy`` is clean with the settings of a real deployment.

The ``Server`` banner of the real ``casustafel serve`` is checked in tests/test_project.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casustafel.accounts.services import create_api_token
from casustafel.conf import env
from casustafel.conf.keys import generate_keys
from casustafel.flow.services import send_to_weighing

from .factories import governance_objects
from .helpers import login

SRC = Path(__file__).resolve().parents[1] / "src"
REAL_DATABASE = "postgresql://casustafel_app@db.invalid/casustafel"  # .invalid never resolves
#: Browser features that no page uses; each must be switched off.
FEATURES_OFF = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "display-capture")
API_POLICY = {"default-src": "'none'", "frame-ancestors": "'none'"}


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def assert_protected(response, *, api: bool = False) -> None:
    """The headers every response of the application carries."""
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    if api:
        assert _directives(policy) == API_POLICY
    else:
        directives = _directives(policy)
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == directives["base-uri"] == "'none'"
        assert directives["form-action"] == "'self'"
    permissions = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    assert all(permissions[feature] == "()" for feature in FEATURES_OFF), permissions
    assert "no-store" in response["Cache-Control"].replace(" ", "").split(",")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Server" not in response


# --- every kind of response ------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_redirect_and_pages_carry_the_headers(client, region_a):
    assert_protected(client.get("/inloggen/"))
    redirect = client.get("/")
    assert redirect.status_code == 302
    assert_protected(redirect)
    login(client, region_a.users["intake"])
    for url in ("/", "/signalen/", "/signalen/nieuw/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_protected(response)


@pytest.mark.django_db
def test_error_pages_carry_the_headers(client, region_a):
    login(client, region_a.users["intake"])
    not_found = client.get("/bestaat-niet/")
    assert not_found.status_code == 404
    assert_protected(not_found)
    # A form posted without its CSRF token: Django's 403, rendered by our own template.
    csrf_client = Client(enforce_csrf_checks=True)
    forbidden = csrf_client.post("/inloggen/", {"username": "x", "password": "y"})
    assert forbidden.status_code == 403
    assert_protected(forbidden)
    assert "Geen toegang" in forbidden.content.decode()
    PageChecker.check(forbidden.content.decode(), "403_csrf.html")


@pytest.mark.django_db
def test_api_answers_and_problems_carry_the_restrictive_policy(region_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token(region_a.users['intake'])}")
    anonymous = APIClient()
    for response, status in (
        (client.get("/api/v1/signals"), 200),
        (client.get("/api/v1/nergens"), 404),
        (anonymous.get("/api/v1/signals"), 401),
        (anonymous.get("/api/v1/openapi.json"), 200),
        (anonymous.post("/api/v1/openapi.json", {}, format="json"), 405),
    ):
        assert response.status_code == status
        assert_protected(response, api=True)


@pytest.mark.django_db  # closing the response closes the database connection
def test_static_files_carry_the_policy_and_stay_cacheable(client):
    response = client.get("/static/web/casustafel.css")
    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["Permissions-Policy"].startswith("accelerometer=()")
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" not in response.get("Cache-Control", "")
    response.close()


@pytest.mark.django_db
def test_hsts_on_https_responses(client):
    response = client.get("/inloggen/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_protected(response)


# --- no inline script or style, so the policy never needs to allow one ----------------------


URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


class PageChecker(HTMLParser):
    """Collects what a strict Content-Security-Policy would block, and the page's own links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self._inline_script = True
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.problems.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False

    @classmethod
    def check(cls, html: str, where: str) -> list[str]:
        checker = cls()
        checker.feed(html)
        assert not checker.problems, f"{where}: {checker.problems}"
        return checker.links


def test_no_template_has_inline_script_or_style():
    templates = sorted(SRC.rglob("templates/**/*.html"))
    assert len(templates) > 20
    for template in templates:
        PageChecker.check(template.read_text(encoding="utf-8"), str(template.relative_to(SRC)))


#: (user, start page) — roles between them reach every kind of page.
CRAWLS = (
    ("intake", "/"),
    ("weigher_gemeente", "/"),
    ("case_director", "/"),
    ("mayor", "/"),
    ("privacy_officer", "/"),
    ("functional_admin", "/"),
)


def _crawl(client, start: str, limit: int = 40) -> list[str]:
    """Follow the page's own links breadth-first (one URL per path); every page must pass."""
    queue, seen, visited = [start], set(), []
    while queue and len(visited) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen:
            continue
        seen.add(path)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        assert_protected(response)
        visited.append(url)
        for href in PageChecker.check(response.content.decode(), url):
            parts = urlsplit(href)
            if not parts.scheme and not parts.netloc and parts.path.startswith("/") and "/static/" not in parts.path:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return visited


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_script_or_style(region_a, case_a, signal_a):
    send_to_weighing(region_a.users["intake"], signal=signal_a)
    governance_objects(region_a, subject=case_a.subject, case=case_a)
    visited = set()
    for user, start in CRAWLS:
        visited.update(_crawl(login(Client(), region_a.users[user]), start))
    assert len(visited) > 15, sorted(visited)


# --- HTTPS settings of a real deployment and of the development server -----------------------

_PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER")}))
"""


def _deployment_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a real installation: its own database and keys, no test settings."""
    keys = generate_keys()
    return {
        **env.environment_without_own_variables(),
        "DJANGO_SETTINGS_MODULE": "casustafel.conf.settings",
        "CASUSTAFEL_DATA_DIR": str(data_dir),
        "DATABASE_URL": REAL_DATABASE,
        "DJANGO_SECRET_KEY": keys.secret_key,
        "CASUSTAFEL_ENCRYPTION_KEYS": ",".join(keys.encryption_keys),
        "CASUSTAFEL_BLIND_INDEX_KEY": keys.blind_index_key,
        "DJANGO_ALLOWED_HOSTS": "casustafel.example",
        **extra,
    }


def _settings_in(environment: dict[str, str], cwd: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + _PRINT_SETTINGS],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_real_deployment_is_https_only_by_default(tmp_path):
    deployed = _settings_in(_deployment_environment(tmp_path / "data"), tmp_path)
    assert deployed["SECURE_SSL_REDIRECT"] is True
    assert deployed["SESSION_COOKIE_SECURE"] is deployed["CSRF_COOKIE_SECURE"] is True
    assert (deployed["SECURE_HSTS_SECONDS"], deployed["SECURE_HSTS_INCLUDE_SUBDOMAINS"]) == (31_536_000, True)
    assert deployed["SECURE_HSTS_PRELOAD"] is True and deployed["SECURE_PROXY_SSL_HEADER"] is None
    assert deployed["ALLOWED_HOSTS"] == ["casustafel.example"]


def test_the_embedded_development_server_works_over_plain_http(tmp_path):
    development = {
        **env.environment_without_own_variables(),
        "DJANGO_SETTINGS_MODULE": "casustafel.conf.settings",
        "CASUSTAFEL_DATA_DIR": str(tmp_path / "data"),
    }
    values = _settings_in(development, tmp_path)
    # `casustafel serve` on http://127.0.0.1: no redirect to HTTPS, cookies a browser sends over HTTP.
    assert values["SECURE_SSL_REDIRECT"] is False and values["SESSION_COOKIE_SECURE"] is False
    assert values["DEBUG"] is False
    assert "testserver" not in values["ALLOWED_HOSTS"]


def test_the_proxy_header_and_each_default_can_be_set(tmp_path):
    values = _settings_in(
        _deployment_environment(
            tmp_path / "data",
            CASUSTAFEL_PROXY_SSL_HEADER="X-Forwarded-Proto",
            CASUSTAFEL_SSL_REDIRECT="false",
            CASUSTAFEL_SECURE_COOKIES="false",
            CASUSTAFEL_HSTS_SECONDS="600",
            CASUSTAFEL_HSTS_PRELOAD="false",
        ),
        tmp_path,
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (values["SECURE_SSL_REDIRECT"], values["SESSION_COOKIE_SECURE"]) == (False, False)
    assert (values["SECURE_HSTS_SECONDS"], values["SECURE_HSTS_PRELOAD"]) == (600, False)


def test_a_malformed_proxy_header_stops_the_start_with_its_name(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import casustafel.conf.settings"],
        env=_deployment_environment(tmp_path / "data", CASUSTAFEL_PROXY_SSL_HEADER="X-Forwarded-Proto: https"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "CASUSTAFEL_PROXY_SSL_HEADER" in result.stderr


@pytest.mark.django_db
def test_behind_a_proxy_https_is_recognised_and_http_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    redirect = client.get("/inloggen/")
    assert redirect.status_code == 301 and redirect["Location"] == "https://testserver/inloggen/"
    assert client.get("/inloggen/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


@pytest.mark.django_db
def test_secure_cookies_when_switched_on(client, settings, region_a):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.get("/inloggen/", secure=True)
    assert response.cookies["csrftoken"]["secure"] is True
    login(client, region_a.users["intake"])
    assert client.get("/", secure=True).cookies["sessionid"]["secure"] is True


def test_manage_check_deploy_is_clean_for_a_real_deployment(tmp_path):
    """Django's deployment checklist, and every app's deployment check (drf-spectacular's
    schema check among them), with the settings a real installation runs with."""
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_deployment_environment(tmp_path / "data"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


#: System checks the settings silence, each with its reason; a new one needs a reason here.
JUSTIFIED_SILENCES = {"axes.W006": "lockout per account, not per IP: partner organisations share NAT addresses"}


def test_only_justified_checks_are_silenced(settings):
    assert set(settings.SILENCED_SYSTEM_CHECKS) <= set(JUSTIFIED_SILENCES)
