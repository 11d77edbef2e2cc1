"""Wet PGA art. 17: the confidentiality duty, acknowledged at first login and every year (ADR 0027).

A user without a duty of secrecy from office, profession or statute acknowledges the text in
force before reaching any page (or the API); a year later, or for a new text version, again.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casustafel.access import rls
from casustafel.accounts.models import ConfidentialityAcknowledgement, ConfidentialityText
from casustafel.accounts.selectors import confidentiality_due, confidentiality_text_in_force
from casustafel.accounts.services import acknowledge_confidentiality

from .factories import UserFactory
from .helpers import api_client, login

pytestmark = pytest.mark.django_db

ACK_URL = "/geheimhouding/"


@pytest.fixture
def bound(region_a):
    """A gemeente intake officer without a duty of secrecy from elsewhere: art. 17 applies."""
    return UserFactory(
        username="zonder-ambtsgeheim", organisation=region_a.orgs["gemeente"], has_other_secrecy_duty=False
    )


def acknowledge(client, version=1, **extra):
    return client.post(reverse("accounts:confidentiality"), {"version": version, "agree": "on", **extra})


def test_art_17_text_version_1_is_seeded_from_data_citing_the_article():
    text = confidentiality_text_in_force()
    assert text is not None and text.version == 1
    assert text.valid_from == date(2025, 7, 1) and text.renew_after_days == 365
    assert "Artikel 17" in text.text and "Wet PGA" in text.title


def test_art_17_first_login_redirects_every_page_to_the_acknowledgement(client, bound):
    login(client, bound)
    for url in (reverse("web:dashboard"), reverse("signals:signal_list"), reverse("signals:signal_create")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{ACK_URL}?next={url}"
    page = client.get(ACK_URL)
    assert page.status_code == 200
    content = page.content.decode()
    assert "artikel 17 Wet PGA" in content and 'name="agree"' in content
    # Logging out stays possible.
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_art_17_htmx_request_is_sent_to_the_acknowledgement_as_a_whole_page(client, bound):
    login(client, bound)
    response = client.get(reverse("signals:signal_list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(ACK_URL)


def test_art_17_after_acknowledging_the_dashboard_opens(client, bound):
    login(client, bound)
    response = client.post(f"{ACK_URL}?next={reverse('signals:signal_list')}", {"version": 1, "agree": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("signals:signal_list")
    assert client.get(reverse("web:dashboard")).status_code == 200
    page = client.get(ACK_URL).content.decode()
    assert "U heeft versie 1 erkend" in page and 'name="agree"' not in page


def test_art_17_acknowledgement_is_stored_with_its_version_and_time(client, bound):
    login(client, bound)
    before = timezone.now()
    acknowledge(client)
    (row,) = ConfidentialityAcknowledgement.objects.filter(user=bound)
    assert row.text.version == 1 and before <= row.acknowledged_at <= timezone.now()


def test_art_17_after_a_year_it_asks_again(client, bound):
    login(client, bound)
    acknowledge(client)
    with time_machine.travel(timezone.now() + timedelta(days=364)):
        login(client, bound)
        assert client.get(reverse("web:dashboard")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        login(client, bound)
        response = client.get(reverse("web:dashboard"))
        assert response.status_code == 302 and response["Location"].startswith(ACK_URL)
        assert "Elk jaar bevestigt u haar opnieuw" in client.get(ACK_URL).content.decode()
        acknowledge(client)
        assert client.get(reverse("web:dashboard")).status_code == 200
    assert ConfidentialityAcknowledgement.objects.filter(user=bound).count() == 2


def test_art_17_a_new_text_version_asks_again(client, bound):
    login(client, bound)
    acknowledge(client)
    ConfidentialityText.objects.create(
        version=2, valid_from=timezone.localdate(), title="Geheimhoudingsplicht", text="Artikel 17, herzien."
    )
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(ACK_URL)
    page = client.get(ACK_URL).content.decode()
    assert "De tekst is gewijzigd sinds uw vorige erkenning (versie 1)" in page and "Artikel 17, herzien." in page
    # Confirming the old version (a page read before the change) records nothing.
    stale = acknowledge(client, version=1)
    assert stale.status_code == 400 and "De tekst over geheimhouding is gewijzigd" in stale.content.decode()
    acknowledge(client, version=2)
    assert client.get(reverse("web:dashboard")).status_code == 200
    versions = sorted(ConfidentialityAcknowledgement.objects.filter(user=bound).values_list("text__version", flat=True))
    assert versions == [1, 2]


def test_art_17_a_version_not_yet_in_force_asks_nothing(client, bound):
    login(client, bound)
    acknowledge(client)
    ConfidentialityText.objects.create(
        version=2, valid_from=timezone.localdate() + timedelta(days=30), title="Later", text="Artikel 17."
    )
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_art_17_user_with_a_duty_of_secrecy_from_elsewhere_is_not_asked(client, region_a):
    officer = UserFactory(organisation=region_a.orgs["politie"], has_other_secrecy_duty=True)
    login(client, officer)
    assert client.get(reverse("web:dashboard")).status_code == 200
    page = client.get(ACK_URL).content.decode()
    assert "U hoeft deze tekst niet te erkennen" in page and 'name="agree"' not in page
    # Posting anyway writes nothing.
    assert acknowledge(client).status_code == 302
    assert not ConfidentialityAcknowledgement.objects.filter(user=officer).exists()
    with pytest.raises(ValidationError):
        acknowledge_confidentiality(officer, version=1)


def test_art_17_api_token_refused_with_problem_json_until_acknowledged(client, bound):
    api = api_client(bound)
    response = api.get("/api/v1/signals")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert "artikel 17 Wet PGA" in response.json()["detail"]
    login(client, bound)
    acknowledge(client)
    assert api.get("/api/v1/signals").status_code == 200


def test_art_17_api_with_a_duty_of_secrecy_from_elsewhere_works(region_a):
    assert api_client(region_a.users["intake"]).get("/api/v1/signals").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version": 1},  # not ticked
        {"agree": "on"},  # no version
        {"version": "één", "agree": "on"},
        {"version": "99999999999999999999", "agree": "on"},
        {"version": "1\x00", "agree": "on"},
        {"version": 7, "agree": "on"},  # no such version in force
    ],
)
def test_art_17_bad_input_is_a_dutch_form_error_and_writes_nothing(client, bound, data):
    login(client, bound)
    response = client.post(ACK_URL, data)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode() or 'role="alert"' in response.content.decode()
    assert not ConfidentialityAcknowledgement.objects.exists()
    assert confidentiality_due(bound) is not None


def test_art_17_acknowledgements_are_append_only_for_the_application_role(client, bound):
    assert ConfidentialityAcknowledgement.append_only is True
    table = ConfidentialityAcknowledgement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, %s, 'INSERT'), has_table_privilege(%s, %s, 'UPDATE'),"
            " has_table_privilege(%s, %s, 'DELETE')",
            [rls.app_role(), table] * 3,
        )
        assert cursor.fetchone() == (True, False, False)
