"""Login: password plus a mandatory TOTP second factor, lockout, idle session expiry."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casustafel.accounts.models import AuthenticatorDevice

from .factories import PASSWORD
from .helpers import login

pytestmark = pytest.mark.django_db


def code_for(user, offset_steps=0):
    device = AuthenticatorDevice.objects.get(user=user)
    totp = device.totp()
    totp.time = time_machine_time() + offset_steps * device.step
    return f"{totp.token():06d}"


def time_machine_time():
    return timezone.now().timestamp()


def post_login(client, user, password=PASSWORD, code=None):
    return client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": password, "otp_token": code or code_for(user)},
    )


def test_every_page_requires_login(client, region_a):
    response = client.get(reverse("signals:signal_list"))
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


def test_password_alone_is_not_enough(client, region_a):
    user = region_a.users["intake"]
    client.force_login(user)  # authenticated without second factor
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_login_with_password_and_totp(client, region_a):
    user = region_a.users["intake"]
    response = post_login(client, user)
    assert response.status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_wrong_totp_is_refused_in_dutch(client, region_a):
    user = region_a.users["intake"]
    wrong = f"{(int(code_for(user)) + 1) % 1_000_000:06d}"
    response = post_login(client, user, code=wrong)
    assert response.status_code == 400
    assert "verificatiecode is onjuist" in response.content.decode()
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_malformed_code_gets_field_message(client, region_a):
    response = post_login(client, region_a.users["intake"], code="12ab")
    assert response.status_code == 400
    assert "zes cijfers" in response.content.decode()


def test_repeated_failures_lock_the_account(client, region_a, settings):
    user = region_a.users["intake"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, user, password="fout-wachtwoord")
    response = post_login(client, user)  # right password and code, but locked
    assert response.status_code == 403
    assert "tijdelijk geblokkeerd" in response.content.decode()
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_wrong_second_factor_counts_towards_lockout(client, region_a, settings):
    user = region_a.users["intake"]
    wrong = f"{(int(code_for(user)) + 1) % 1_000_000:06d}"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, user, code=wrong)
    assert post_login(client, user).status_code == 403


def test_idle_session_expires(client, region_a, settings):
    login(client, region_a.users["intake"])
    assert client.get(reverse("web:dashboard")).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE + 5)):
        response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_logout(client, region_a):
    login(client, region_a.users["intake"])
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_open_redirect_is_refused(client, region_a):
    user = region_a.users["intake"]
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"username": user.username, "password": PASSWORD, "otp_token": code_for(user)},
    )
    assert response.status_code == 302 and response["Location"] == "/"
