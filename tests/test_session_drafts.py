"""Issue 12 item 9 (ADR 0036): before the idle timeout the page offers to stay signed in, and a
form posted after the session ended keeps its input through the next login — for the same
user only, encrypted, never in a URL or a log, without weakening the 15-minute rule."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casustafel.accounts import drafts
from casustafel.accounts.models import AuthenticatorDevice
from casustafel.signals.models import Signal

from .factories import PASSWORD
from .helpers import login

pytestmark = pytest.mark.django_db

FACTS = "Tekent symbolen op schoolspullen (fictief, uniek-7Q2)."


def intake_post(**overrides):
    data = {
        "given_names": "Piet",
        "family_name": "Proefpersoon",
        "date_of_birth": "1998-03-02",
        "gender": "man",
        "municipality": "Lindeveld",
        "source_type": "school",
        "phenomenon": "rechts_extremistisch",
        "facts": FACTS,
        "urgency": "normaal",
        "submission": str(uuid.uuid4()),
        "legal_basis": "wet-pga",
        "classification": "ordinary",
        "visibility": "all_participants",
    }
    data.update(overrides)
    return data


def post_login(client, user):
    device = AuthenticatorDevice.objects.get(user=user)
    code = f"{device.totp().token():06d}"
    return client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD, "otp_token": code})


def expire_session(client):
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


def hidden_fields(html: str) -> dict[str, str]:
    return {
        unescape(n): unescape(v) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    }


def test_keep_alive_renews_the_session_only_when_posted(client, region_a, settings):
    url = reverse("accounts:keep_alive")
    anonymous = client.post(url)
    assert anonymous.status_code == 302 and "/inloggen/" in anonymous["Location"]
    login(client, region_a.users["intake"])
    before = Session.objects.get(session_key=client.session.session_key).expire_date
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200 and response.json() == {"idle_seconds": settings.SESSION_COOKIE_AGE}
    assert Session.objects.get(session_key=client.session.session_key).expire_date >= before


def test_every_page_carries_the_idle_warning_with_the_session_age(client, region_a, settings):
    login(client, region_a.users["intake"])
    html = client.get(reverse("signals:signal_create")).content.decode()
    assert 'id="session-timeout"' in html and f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in html
    assert "accounts/session-timeout" in html and "<script>" not in html  # a static file, no inline script
    assert reverse("accounts:keep_alive") in html


def test_form_posted_after_expiry_keeps_its_input_through_the_new_login(client, region_a, caplog):
    user = region_a.users["intake"]
    login(client, user)
    expire_session(client)
    caplog.set_level(logging.DEBUG)
    response = client.post(reverse("signals:signal_create"), intake_post())
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "uniek-7Q2" not in response["Location"] and not Signal.objects.exists()
    # Kept encrypted: the session table holds no typed text, and nothing is logged.
    assert all("uniek-7Q2" not in str(s.get_decoded()) for s in Session.objects.all())
    assert "uniek-7Q2" not in caplog.text
    assert "bewaard" in client.get(reverse("accounts:login")).content.decode()

    response = post_login(client, user)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:draft")
    page = client.get(reverse("accounts:draft")).content.decode()
    assert f'action="{reverse("signals:signal_create")}"' in page
    fields = hidden_fields(page)
    assert fields["facts"] == FACTS and fields["phenomenon"] == "rechts_extremistisch"
    fields.pop("csrfmiddlewaretoken", None)

    response = client.post(reverse("signals:signal_create"), fields)
    assert response.status_code == 302, response.context["form"].errors
    assert Signal.objects.get().facts == FACTS
    # Used once: not offered again.
    assert "Er is geen bewaard formulier" in client.get(reverse("accounts:draft")).content.decode()


def test_the_draft_is_never_offered_to_another_user_of_the_same_browser(client, region_a):
    login(client, region_a.users["intake"])
    expire_session(client)
    client.post(reverse("signals:signal_create"), intake_post())
    other = region_a.users["weigher_gemeente"]
    response = post_login(client, other)
    assert response.status_code == 302 and response["Location"] != reverse("accounts:draft")
    page = client.get(reverse("accounts:draft")).content.decode()
    assert "uniek-7Q2" not in page and "Er is geen bewaard formulier" in page
    assert drafts.DRAFT_SESSION_KEY not in client.session


def test_a_forged_cross_site_post_keeps_nothing(region_a):
    client = Client(enforce_csrf_checks=True)
    login(client, region_a.users["intake"])
    expire_session(client)
    client.post(reverse("signals:signal_create"), intake_post())  # no CSRF token
    assert drafts.DRAFT_SESSION_KEY not in client.session


def test_after_a_logout_nothing_is_kept(client, region_a):
    """Logging out deletes the session: a later post belongs to nobody and is not kept."""
    login(client, region_a.users["intake"])
    client.post(reverse("accounts:logout"))
    client.post(reverse("signals:signal_create"), intake_post())
    assert drafts.DRAFT_SESSION_KEY not in client.session


def test_an_old_draft_is_discarded(client, region_a, monkeypatch):
    user = region_a.users["intake"]
    login(client, user)
    expire_session(client)
    client.post(reverse("signals:signal_create"), intake_post())
    monkeypatch.setattr(drafts, "DRAFT_MAX_AGE", timedelta(seconds=-1))
    response = post_login(client, user)
    assert response["Location"] != reverse("accounts:draft")
    assert drafts.DRAFT_SESSION_KEY not in client.session


def test_the_draft_can_be_discarded(client, region_a):
    user = region_a.users["intake"]
    login(client, user)
    expire_session(client)
    client.post(reverse("signals:signal_create"), intake_post())
    post_login(client, user)
    response = client.post(reverse("accounts:draft"))
    assert response.status_code == 302
    assert drafts.DRAFT_SESSION_KEY not in client.session


def test_htmx_post_after_expiry_sends_the_whole_page_to_the_login(client, region_a):
    login(client, region_a.users["intake"])
    expire_session(client)
    response = client.post(reverse("signals:known_person_check"), intake_post(), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith(reverse("accounts:login"))


def test_refused_login_shows_the_error_summary(client, region_a):
    response = client.post(reverse("accounts:login"), {"username": "", "password": "", "otp_token": "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Er is een probleem" in html and 'href="#id_otp_token"' in html and 'id="id_otp_token_error"' in html
