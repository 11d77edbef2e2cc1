"""The main menu links to a page exactly for the users the page is available to (issue 12 item 11:
no link that answers "niet gevonden"), and a section page the role cannot use says so plainly."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .factories import USER_SPECS, governance_objects
from .helpers import login

pytestmark = pytest.mark.django_db

PAGES = {
    "Logboek": ("processing_log:logbook", {"privacy_officer"}),
    "Inzageverzoeken": ("governance:access_request_list", {"privacy_officer"}),
    # The mayor, and the official the mayor designated as reader (governance_objects: weigher_gemeente).
    "Ambtsberichten": ("governance:restricted_list", {"mayor", "weigher_gemeente"}),
    "Bewaartermijnen": ("retention:overview", {"privacy_officer", "functional_admin"}),
    "Overdrachten": ("cases:transfer_list", {"process_director", "weigher_gemeente", "weigher_politie", "weigher_om"}),
    # Issue 13 item 3 (ADR 0041): the council report, for the roles that report (access.policy.REPORT_ROLES).
    "Raadsrapportage": (
        "reporting:council_report",
        {"analyst", "process_director", "privacy_officer", "functional_admin", "mayor"},
    ),
    # Issue 13 items 6 and 8: the region's policy signals (case roles); the national figures (art. 24).
    "Beleidssignalen": (
        "policy_signals:signal_list",
        {"intake", "weigher_gemeente", "weigher_politie", "weigher_om", "process_director", "case_director"}
        | {"participant_reclassering", "participant_ggz"},
    ),
    "Landelijk beeld": ("national:figures", {"analyst", "functional_admin"}),
}


def menu_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav [^>]*aria-label="Hoofdmenu"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "the page has the main menu"
    return {text.strip(): href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1))}


@pytest.mark.parametrize("key", sorted(USER_SPECS))
def test_governance_links_only_for_whom_the_page_is_available(client, region_a, case_a, key):
    governance_objects(region_a, case=case_a)
    login(client, region_a.users[key])
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    links = menu_links(response.content.decode())
    assert "Werkvoorraad" in links
    for label, (name, roles) in PAGES.items():
        url = reverse(name)
        shown = label in links
        assert shown == (key in roles), f"{label} in the menu of {key}: {shown}"
        if shown:
            assert links[label] == url
        # The link and the page agree: available exactly where it is linked.
        assert (client.get(url).status_code == 200) == shown, f"{url} for {key}"


def test_designated_official_loses_the_link_with_the_designation(client, region_a, case_a):
    from casustafel.governance import services
    from casustafel.governance.models import RestrictedDocument

    governance_objects(region_a, case=case_a)
    official = region_a.users["weigher_gemeente"]
    login(client, official)
    assert "Ambtsberichten" in menu_links(client.get(reverse("web:dashboard")).content.decode())
    document = RestrictedDocument.objects.get(region=region_a.region)
    services.set_designation(region_a.users["mayor"], document=document, user=official, designated=False)
    assert "Ambtsberichten" not in menu_links(client.get(reverse("web:dashboard")).content.decode())


#: The domain lists in the menu, each shown exactly to the roles whose policy grants the list
#: (tests/test_auth_matrix_web.py MATRIX holds the same grants).
SECTIONS = {
    "Signalen": "signals:signal_list",
    "Wegingen": "weighing:weighing_list",
    "Casussen": "cases:case_list",
    "Casusoverleggen": "meetings:meeting_list",
    "Verzoeken": "subjects:request_list",
}


@pytest.mark.parametrize("key", sorted(USER_SPECS))
def test_every_menu_link_opens_for_the_role(client, region_a, case_a, key):
    """Every link in a role's menu answers 200 for that user: no link leads to "niet gevonden"
    (the FG, the mayor and the analyst no longer see Signalen, Wegingen, Casussen ...)."""
    governance_objects(region_a, case=case_a)
    login(client, region_a.users[key])
    links = menu_links(client.get(reverse("web:dashboard")).content.decode())
    broken = {label: client.get(href).status_code for label, href in links.items()}
    assert {label: status for label, status in broken.items() if status != 200} == {}, key
    for label, name in SECTIONS.items():
        # The other way round: a section the role can open is in its menu.
        opens = client.get(reverse(name)).status_code == 200
        assert (label in links) == opens, f"{label} for {key}"


@pytest.mark.parametrize("key", ["privacy_officer", "mayor", "analyst"])
def test_sections_the_role_cannot_use_are_not_in_its_menu(client, region_a, key):
    login(client, region_a.users[key])
    links = menu_links(client.get(reverse("web:dashboard")).content.decode())
    assert not set(SECTIONS) & set(links), f"{key}: {sorted(set(SECTIONS) & set(links))}"


def test_a_section_page_the_role_cannot_use_says_so_plainly(client, region_a):
    """A list page outside the role (no object involved) answers 403 "Geen toegang" naming the
    role, instead of "niet gevonden"; an object keeps "niet gevonden" (ADR 0003)."""
    login(client, region_a.users["privacy_officer"])
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Geen toegang" in html
    assert "Functionaris gegevensbescherming" in html or "uw rol" in html.lower()
    assert "Niet gevonden" not in html


def test_an_object_the_role_cannot_open_stays_not_found(client, region_a, case_a):
    login(client, region_a.users["privacy_officer"])
    response = client.get(reverse("cases:case_detail", kwargs={"pk": case_a.pk}))
    assert response.status_code == 404
    assert "Geen toegang" not in response.content.decode()


def test_a_refused_post_to_a_section_stays_not_found(client, region_a):
    """A crafted request is not a followed link: one answer for every refused write (ADR 0003)."""
    login(client, region_a.users["privacy_officer"])
    assert client.post(reverse("signals:signal_create"), {}).status_code == 404
