"""ADR 0051 (issue 15 item 3): a session is renewed at most once a fifteenth of its idle age,
not written on every request — and still ends at most ``SESSION_COOKIE_AGE`` seconds after the
last request (ADR 0036: the 15-minute rule is not weakened)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casustafel.accounts.middleware import renewal_interval

from .helpers import login

pytestmark = pytest.mark.django_db


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


#: A page that does not change the session itself (the dashboard stores the menu's work count).
PAGE = "signals:signal_list"


def session_writes(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_a_page_within_the_interval_writes_no_session(client, region_a):
    login(client, region_a.users["intake"])
    client.get(reverse(PAGE))
    before = expiry(client)
    assert session_writes(client, reverse(PAGE)) == []
    assert expiry(client) == before


def test_a_page_after_the_interval_renews_the_session(client, region_a, settings):
    login(client, region_a.users["intake"])
    client.get(reverse(PAGE))
    before = expiry(client)
    with time_machine.travel(timezone.now() + timedelta(seconds=renewal_interval() + 1)):
        assert len(session_writes(client, reverse(PAGE))) == 1
    assert expiry(client) > before
    assert renewal_interval() == settings.SESSION_COOKIE_AGE // 15


def test_the_session_still_ends_at_most_the_idle_age_after_the_last_request(client, region_a, settings):
    """Art. 15 of the house rules (ADR 0036): silence ends the session; with renewals
    skipped inside the interval it ends no later than SESSION_COOKIE_AGE after the last request."""
    login(client, region_a.users["intake"])
    start = timezone.now()
    # Requests just inside the interval, for longer than the idle age: each renewal keeps it alive.
    step = renewal_interval() - 1
    moment = start
    while moment < start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 2 * step):
        moment += timedelta(seconds=step)
        with time_machine.travel(moment):
            assert client.get(reverse(PAGE)).status_code == 200
    with time_machine.travel(moment + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        response = client.get(reverse(PAGE))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_stay_signed_in_always_renews(client, region_a):
    login(client, region_a.users["intake"])
    client.get(reverse(PAGE))
    before = expiry(client)
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert client.post(reverse("accounts:keep_alive")).status_code == 200
    assert expiry(client) > before
