import pytest
from django.urls import reverse

from .helpers import login

pytestmark = pytest.mark.django_db


def test_pages_render_for_participants(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    for url in [reverse("web:dashboard"), reverse("cases:case_list"), reverse("cases:case_detail", args=[case_a.pk])]:
        assert client.get(url).status_code == 200, url


def test_signal_pages_render(client, region_a, signal_a):
    login(client, region_a.users["weigher_politie"])
    from casustafel.flow.services import send_to_weighing

    signal = send_to_weighing(region_a.users["intake"], signal=signal_a)
    for url in [
        reverse("signals:signal_list"),
        reverse("signals:signal_create"),
        reverse("weighing:weighing_list"),
        reverse("signals:signal_detail", args=[signal.pk]),
        reverse("weighing:weighing_detail", args=[signal.weighing_id]),
    ]:
        assert client.get(url).status_code == 200, url
