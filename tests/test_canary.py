"""Canary tests (information governance): no BSN, password, API token or TOTP code reaches
any log, the processing log, a URL or a problem+json body.

Everything Python logs is captured at DEBUG (every logger, with DEBUG=True so Django also
logs each SQL statement with its parameters), plus stdout/stderr, while a user logs in
(wrong and right password/code), registers a signal with a BSN through the web and the API,
sends bad input containing the BSN, uses a wrong API token, and the privacy officer
searches the processing log on that BSN.
"""

from __future__ import annotations

import io
import logging
import random
import re
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from casustafel import cli
from casustafel.accounts.models import AuthenticatorDevice
from casustafel.accounts.services import create_api_token
from casustafel.subjects.models import Subject

from .api.conftest import signal_body
from .factories import PASSWORD
from .helpers import login
from .test_web import intake_post

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Canary-Wrong-Horse-77"
WRONG_TOKEN = "canarytoken" + "0" * 53


def random_bsn(rng: random.Random) -> str:
    """A random nine-digit number that passes the elfproef (so it cannot collide with fixtures)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last <= 9:
            bsn = "".join(map(str, digits + [last]))
            if bsn not in ("111222333", "123456782"):
                return bsn


def invalid_variant(bsn: str) -> str:
    """The same BSN with the last digit changed: fails the elfproef."""
    return bsn[:-1] + str((int(bsn[-1]) + 1) % 10)


def totp_code(user, offset_steps: int = 0) -> str:
    device = AuthenticatorDevice.objects.get(user=user)
    totp = device.totp()
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.stream = io.StringIO()

    def emit(self, record):
        # The message with its arguments, and any exception text: whatever a formatter could print.
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 — a broken record is still captured raw
            text = f"{record.msg!r} {record.args!r}"
        self.stream.write(f"{record.name} {record.levelname} {text} {record.__dict__!r}\n")
        if record.exc_info:
            self.stream.write(logging.Formatter().formatException(record.exc_info) + "\n")


@pytest.fixture
def captured_logs(settings):
    """Every logger at DEBUG into one buffer; SQL with parameters logged (DEBUG=True)."""
    settings.DEBUG = True
    handler = _Capture()
    root = logging.getLogger()
    names = [
        "",
        "django",
        "django.request",
        "django.db.backends",
        "django.security",
        "axes",
        *list(logging.root.manager.loggerDict),
    ]
    loggers = {logging.getLogger(name) for name in names}
    saved = {lg: lg.level for lg in loggers}
    saved_disabled = {lg: lg.disabled for lg in loggers}
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.disabled = False
    root.addHandler(handler)
    for name in ("django.request", "django.db.backends"):  # also directly, in case they do not propagate
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name in ("django.request", "django.db.backends"):
            logging.getLogger(name).removeHandler(handler)
        for lg, level in saved.items():
            lg.setLevel(level)
            lg.disabled = saved_disabled[lg]


def test_no_secret_reaches_logs_urls_or_problem_bodies(client, region_a, captured_logs, capfd):
    rng = random.Random()
    bsn = random_bsn(rng)
    bad_bsn = invalid_variant(bsn)
    intake = region_a.users["intake"]
    officer = region_a.users["privacy_officer"]
    responses = []

    # 1. Login: right, then a wrong password and a wrong code.
    right_code = totp_code(intake)
    wrong_code = f"{(int(right_code) + 500_000) % 1_000_000:06d}"
    login_url = reverse("accounts:login")
    responses.append(
        client.post(login_url, {"username": intake.username, "password": PASSWORD, "otp_token": right_code})
    )
    assert responses[-1].status_code == 302, "the right password and code log in"
    client.logout()
    responses.append(
        client.post(login_url, {"username": intake.username, "password": WRONG_PASSWORD, "otp_token": right_code})
    )
    responses.append(
        client.post(login_url, {"username": intake.username, "password": PASSWORD, "otp_token": wrong_code})
    )
    assert [r.status_code for r in responses[-2:]] == [400, 400]

    # 2. Intake through the web: a signal with a BSN; bad input with the BSN.
    login(client, intake)
    url = reverse("signals:signal_create")
    bad_web = [
        client.post(url, intake_post(bsn=bad_bsn, family_name="Canarie")),
        client.post(url, intake_post(bsn=bsn, family_name="Canarie", date_of_birth="2001-02-30")),
    ]
    assert [r.status_code for r in bad_web] == [400, 400]
    responses += bad_web
    responses.append(client.post(url, intake_post(bsn=bsn, family_name="Canarie")))
    assert responses[-1].status_code == 302
    assert Subject.objects.filter(family_name="Canarie").count() == 1

    # 3. The same through the API; bad input; a wrong token.
    token = create_api_token(intake)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    api_bsn = random_bsn(rng)
    bad_api = [
        api.post("/api/v1/signals", signal_body(subject={"bsn": invalid_variant(api_bsn)}), format="json"),
        api.post(
            "/api/v1/signals", signal_body(subject={"bsn": api_bsn, "date_of_birth": "2001-02-30"}), format="json"
        ),
    ]
    assert [r.status_code for r in bad_api] == [400, 400]
    responses += bad_api
    responses.append(api.post("/api/v1/signals", signal_body(subject={"bsn": api_bsn}), format="json"))
    assert responses[-1].status_code == 201, responses[-1].content
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION=f"Token {WRONG_TOKEN}")
    responses.append(wrong.post("/api/v1/signals", signal_body(subject={"bsn": api_bsn}), format="json"))
    assert responses[-1].status_code == 401

    # 4. The privacy officer searches the processing log on the BSN (and on an invalid one).
    client.logout()
    login(client, officer)
    # Art. 14 lid 2 Wet PGA: a query of the log names its purpose.
    responses.append(client.post(reverse("processing_log:logbook"), {"bsn": bsn, "purpose": "internal_control"}))
    assert responses[-1].status_code == 200 and "Canarie" not in responses[-1].content.decode()
    responses.append(client.post(reverse("processing_log:logbook"), {"bsn": bad_bsn, "purpose": "internal_control"}))
    assert responses[-1].status_code == 400

    out, err = capfd.readouterr()
    logged = captured_logs.stream.getvalue()
    assert "INSERT INTO" in logged and "processing_log" in logged, "SQL with parameters was captured"
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM processing_log_processinglogentry t")
        processing_log = "\n".join(row[0] for row in cursor.fetchall())
    assert processing_log, "the processing log has rows"
    urls = "\n".join(
        f"{r.request.get('PATH_INFO', '')}?{r.request.get('QUERY_STRING', '')} {r.get('Location', '')}"
        for r in responses
    )
    problems = "\n".join(
        r.content.decode() for r in responses if r.get("Content-Type", "").startswith("application/problem+json")
    )
    assert problems.count('"status"') >= 3, "the bad API calls answered with problem+json"

    places = {
        "log output": logged,
        "stdout": out,
        "stderr": err,
        "processing log": processing_log,
        "URLs and Location headers": urls,
        "problem+json bodies": problems,
    }
    plain = {
        "BSN": bsn,
        "invalid BSN": bad_bsn,
        "API BSN": api_bsn,
        "invalid API BSN": invalid_variant(api_bsn),
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "API token": token,
        "wrong token": WRONG_TOKEN,
    }
    leaks = [f"{what} in {where}" for what, secret in plain.items() for where, text in places.items() if secret in text]
    # Six digits also occur by chance inside hex ids and microseconds: match the code as a token.
    for what, code in {"TOTP code": right_code, "wrong TOTP code": wrong_code}.items():
        pattern = re.compile(rf"(?<![0-9a-fA-F.:+-]){code}(?![0-9a-fA-F])")
        leaks += [f"{what} in {where}" for where, text in places.items() if pattern.search(text)]
    assert not leaks, leaks


def test_gunicorn_access_log_has_the_path_without_query_string():
    """The access log format: %(U)s (path) only, never %(r)s (request line), %(q)s or %(u)s/headers."""
    import inspect

    source = inspect.getsource(cli)
    formats = re.findall(r'"--access-logformat",\s*(\'[^\']*\'|"[^"]*")', source)
    assert len(formats) == 1, "the serve command sets an explicit access log format"
    fmt = formats[0]
    assert "%(U)s" in fmt
    for forbidden in ("%(r)s", "%(q)s", "%(u)s", "%(f)s", "%(a)s", "%({"):
        assert forbidden not in fmt, f"{forbidden} would log more than the path"


def test_canary_detects_a_leak(captured_logs):
    """The capture works: a BSN logged by mistake is found."""
    bsn = random_bsn(random.Random(uuid.uuid4().int))
    logging.getLogger("casustafel.some.module").debug("oops %s", bsn)
    assert bsn in captured_logs.stream.getvalue()
