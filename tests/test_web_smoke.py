import pytest
from django.urls import reverse

from .helpers import login

pytestmark = pytest.mark.django_db


def test_pages_render_for_participants(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    for url in [reverse("web:dashboard"), reverse("web:case_list"), reverse("web:case_detail", args=[case_a.pk])]:
        assert client.get(url).status_code == 200, url


def test_signal_pages_render(client, region_a, signal_a):
    login(client, region_a.users["weigher_politie"])
    from casustafel.signals.services import send_to_weighing

    signal = send_to_weighing(region_a.users["intake"], signal_a)
    for url in [reverse("web:signal_list"), reverse("web:signal_create"), reverse("web:weighing_list"),
                reverse("web:signal_detail", args=[signal.pk]), reverse("web:weighing_detail", args=[signal.weighing_id])]:
        assert client.get(url).status_code == 200, url
