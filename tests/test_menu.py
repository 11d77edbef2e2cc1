"""The main menu links to a governance page exactly for the users the page is available to."""

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
}


def menu_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav aria-label="Hoofdmenu">(.*?)</nav>', html, re.S)
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
