"""The hostile-input corpus against every web form: never a 5xx, nothing half-written.

The forms are found, not listed: for every route the authorization matrix grants a POST,
a permitted user's pages (every GET route the matrix grants them) are rendered and each
``<form method="post">`` whose action is that route gives the field names and valid
defaults. Each hostile value then replaces one field of that otherwise valid form. A new
form is covered as soon as its route is in the matrix, which a test already demands.
Whole requests that are hostile by shape (charsets, sizes, encodings) are sent to every
POST route as well, and to the login page without a session, with CSRF checks on.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from .helpers import login
from .test_auth_matrix_web import MATRIX
from .test_auth_matrix_web import objects as objects  # the matrix's fixture, used by name

pytestmark = pytest.mark.django_db

#: Form values, percent-encoded as they would travel (so invalid UTF-8 can be sent too).
HOSTILE_VALUES: dict[str, str] = {
    "NUL byte": "a%00b",
    "NUL only": "%00",
    "invalid UTF-8": "%FF%FE",
    "encoded surrogate": "%ED%A0%80",
    "date at the start of time": "0001-01-01",
    "date at the end of time": "9999-12-31",
    "date far away": "99999-01-01",
    "datetime at the start of time": "0001-01-01T00%3A00",
    "SQL injection": quote("' OR 1=1; DROP TABLE signals_signal; --"),
    "script": quote("<script>alert(1)</script>"),
    "template": quote("{{ settings.SECRET_KEY }}{% debug %}"),
    "overlong": "x" * 100_000,
    "control characters": "%01%1B%5B31m%7F",
    "bidi override": quote("\u202egnp.exe"),
    "empty": "",
    "blank": "+++",
    "negative": "-1",
    "huge integer": "1" + "0" * 40,
    "nil uuid": "00000000-0000-0000-0000-000000000000",
    "not a uuid": "not-a-uuid",
}

#: (body, content type) sent whole to every POST route.
HOSTILE_REQUESTS: dict[str, tuple[bytes, str]] = {
    "latin-1 charset": ("veld=é".encode("latin-1"), "application/x-www-form-urlencoded; charset=latin-1"),
    "UTF-16 charset": ("veld=x".encode("utf-16"), "application/x-www-form-urlencoded; charset=utf-16"),
    "unknown charset": (b"veld=x", "application/x-www-form-urlencoded; charset=x-nonsense"),
    "bytes codec charset": (b"veld=x", "application/x-www-form-urlencoded; charset=bz2_codec"),
    "broken multipart": (b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"),
    "multipart without boundary": (b"veld=x", "multipart/form-data"),
    "JSON": (b'{"veld": "x"}', "application/json"),
    "too many fields": ("&".join(f"f{i}=x" for i in range(1500)).encode(), "application/x-www-form-urlencoded"),
    "oversized": (b"veld=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "application/x-www-form-urlencoded"),
}


class _Forms(HTMLParser):
    """``<form method=post>`` elements: action → {field name: default value}."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: dict[str, dict[str, str]] = {}
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            action = urlsplit(a.get("action") or self.page_url).path or self.page_url
            self._fields = self.forms.setdefault(action, {})
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name") and a.get("name") != "csrfmiddlewaretoken":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a and a["name"] in self._fields:
                return
            self._fields[a["name"]] = a.get("value") or ("on" if a.get("type") == "checkbox" else "x")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._fields.setdefault(a["name"], "")
        elif tag == "option" and self._select and a.get("value") and not self._fields[self._select]:
            self._fields[self._select] = a["value"]
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._fields[a["name"]] = "Toelichting"

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _encode(fields: dict[str, str], override: tuple[str, str] | None = None) -> bytes:
    parts = []
    for name, value in fields.items():
        if override and name == override[0]:
            parts.append(f"{quote(name)}={override[1]}")
        else:
            parts.append(f"{quote(name)}={quote(value)}")
    return "&".join(parts).encode()


def _forms_for(client, user_key, objects_) -> dict[str, dict[str, str]]:
    """Every post form on the pages this user may open."""
    forms: dict[str, dict[str, str]] = {}
    for route, (kwargs_key, grants) in MATRIX.items():
        if user_key not in grants.get("get", set()):
            continue
        url = reverse(route, kwargs=objects_[kwargs_key])
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms(url)
        parser.feed(response.content.decode())
        for action, fields in parser.forms.items():
            forms.setdefault(action, {}).update(fields)
    return forms


POST_ROUTES = sorted(route for route, (_key, grants) in MATRIX.items() if grants.get("post"))


def _failures(response, what: str) -> list[str]:
    return [f"{what} → {response.status_code}"] if response.status_code >= 500 else []


@pytest.mark.parametrize("route", POST_ROUTES)
def test_hostile_values_in_every_form_field(route, world, objects, client, record_property):
    client.raise_request_exception = False
    kwargs_key, grants = MATRIX[route]
    user_key = sorted(grants["post"])[0]
    login(client, world["a"].users[user_key])
    url = reverse(route, kwargs=objects[kwargs_key])
    fields = _forms_for(client, user_key, objects).get(url, {})
    failures: list[str] = []
    sent = 0
    for name in fields:
        for label, raw in HOSTILE_VALUES.items():
            with transaction.atomic():
                response = client.generic(
                    "POST", url, data=_encode(fields, (name, raw)), content_type="application/x-www-form-urlencoded"
                )
                transaction.set_rollback(True)
            failures += _failures(response, f"{route} {name}={label}")
            sent += 1
    for label, (body, content_type) in HOSTILE_REQUESTS.items():
        with transaction.atomic():
            response = client.generic("POST", url, data=body, content_type=content_type)
            transaction.set_rollback(True)
        failures += _failures(response, f"{route} {label}")
        sent += 1
    record_property("hostile_requests", sent)
    assert failures == [], "\n".join(failures)


def test_every_post_route_has_a_form_or_is_an_action(world, objects, client):
    """The corpus reaches the fields of every form: a POST route without a form on any page is
    an action button (no fields) — listed here so a new form cannot silently escape the corpus."""
    found: set[str] = set()
    for user_key in sorted({key for _k, grants in MATRIX.values() for key in grants.get("post", set())}):
        login(client, world["a"].users[user_key])
        found |= {action for action, fields in _forms_for(client, user_key, objects).items() if fields}
        client.logout()
    without_fields = sorted(
        route for route in POST_ROUTES if reverse(route, kwargs=objects[MATRIX[route][0]]) not in found
    )
    assert without_fields == WITHOUT_FIELDS, "\n".join(without_fields)


#: POST routes for which the matrix's pages show no form with fields. They still get every
#: hostile *request* above. Buttons (no fields): the meeting and known-elsewhere actions,
#: the known-person check (htmx, fields of the intake form). Forms that appear only once a case
#: has a plan, a contact, a review or a check-in due, or a weighing a proposed decision or a
#: registrant to inform: their fields reach the same service
#: entry points as the API's, which the API corpus (tests/api/test_hostile_input.py) covers.
#: The art. 17 acknowledgement shows its form only to users without a duty of secrecy from
#: elsewhere (the matrix's users have one); tests/test_confidentiality.py posts hostile input.
WITHOUT_FIELDS: list[str] = [
    "accounts:confidentiality",
    "accounts:draft",
    "accounts:keep_alive",
    "corrections:notice_done",
    "meetings:action_done",
    "meetings:build_agenda",
    "meetings:invite",
    "meetings:item_remove",
    "meldpunt:report_handled",
    "plans:acknowledge",
    "plans:checkin_record",
    "plans:contact_add",
    "plans:goal_edit",
    "plans:intervention_edit",
    "plans:intervention_end",
    "plans:review_add",
    "plans:task_done",
    "reporting:annual_finish",
    "reporting:annual_join",
    "reporting:annual_publish",
    "reporting:annual_put_back",
    "reporting:annual_reopen",
    "signals:known_person_check",
    "signals:signal_transition",
    "subjects:known_elsewhere_check",
    "subjects:known_elsewhere_request",
    "weighing:decision_confirm",
    "weighing:registrant_informed",
]


@pytest.mark.parametrize("label", ["too many fields", "oversized"])
def test_a_request_django_refuses_is_a_dutch_400_page(label, world, client):
    """handler400: what Django refuses before the view (too many fields, too large) is a page."""
    client.raise_request_exception = False
    login(client, world["a"].users["intake"])
    body, content_type = HOSTILE_REQUESTS[label]
    response = client.generic("POST", reverse("signals:signal_create"), data=body, content_type=content_type)
    assert response.status_code == 400
    assert "Ongeldige aanvraag" in response.content.decode()


@pytest.mark.parametrize("label", sorted(HOSTILE_REQUESTS))
def test_hostile_request_to_the_login_page_without_session(label):
    """Without a session and with CSRF checks on, as an attacker would: a 400 or 403 page, never 500."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    body, content_type = HOSTILE_REQUESTS[label]
    response = client.generic("POST", reverse("accounts:login"), data=body, content_type=content_type)
    assert response.status_code in (400, 403), response.status_code
    assert "text/html" in response["Content-Type"]
