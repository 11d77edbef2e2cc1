"""Cross-region "known elsewhere": hit / no hit on keyed hashes, a formal request, no data flow."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from casustafel.core.errors import PolicyDenied
from casustafel.flow.services import register_signal
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.subjects.elsewhere import answer_request, known_elsewhere, request_information
from casustafel.subjects.models import CrossRegionRequest

from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db


def _person(region, **overrides):
    return register_signal(region.users["intake"], subject=subject_data(**overrides), fields=signal_fields()).signal


def test_hit_by_name_and_birth_date_and_by_bsn(world):
    a, b = world["a"], world["b"]
    mine = _person(a, family_name="Zwerver")
    assert not known_elsewhere(a.users["intake"], mine.subject)
    _person(b, family_name="Zwerver")
    assert known_elsewhere(a.users["intake"], mine.subject)
    with_bsn = _person(a, family_name="Een", bsn="111222333")
    _person(b, family_name="Heel Anders", bsn="111222333")
    assert known_elsewhere(a.users["intake"], with_bsn.subject)


def test_same_name_other_bsn_is_no_hit(world):
    a, b = world["a"], world["b"]
    mine = _person(a, bsn="111222333")
    _person(b, bsn="123456782")
    assert not known_elsewhere(a.users["intake"], mine.subject)


def test_formal_request_carries_no_data_and_is_answered(world, client):
    a, b = world["a"], world["b"]
    mine = _person(a, family_name="Reiziger")
    theirs = _person(b, family_name="Reiziger")
    assert request_information(a.users["intake"], mine.subject, "Is de persoon bij u in beeld?") == 1
    request = CrossRegionRequest.objects.get()
    assert request.to_subject_id == theirs.subject_id
    # The requesting table learns nothing about the other record from its own pages.
    login(client, a.users["intake"])
    page = client.get(reverse("subjects:request_list")).content.decode()
    assert theirs.reference not in page and b.region.name not in page
    client.logout()
    login(client, b.users["weigher_politie"])
    page = client.get(reverse("subjects:request_list")).content.decode()
    assert a.region.name in page and "Is de persoon bij u in beeld?" in page
    response = client.post(reverse("subjects:request_answer", args=[request.pk]), {"answer": "Wij nemen contact op."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CrossRegionRequest.ANSWERED and request.answered_by == b.users["weigher_politie"]
    with pytest.raises(ValidationError):
        answer_request(b.users["weigher_politie"], request.pk, "Nogmaals")
    with pytest.raises(Http404):
        answer_request(a.users["intake"], request.pk, "Ik ben de verzoeker")


def test_request_without_hit_or_reason_is_refused(world):
    a, b = world["a"], world["b"]
    mine = _person(a, family_name="Alleenhier")
    with pytest.raises(ValidationError):
        request_information(a.users["intake"], mine.subject, "Reden")
    _person(b, family_name="Alleenhier")
    with pytest.raises(ValidationError) as exc:
        request_information(a.users["intake"], mine.subject, "  ")
    assert "reason" in exc.value.message_dict
    assert not CrossRegionRequest.objects.exists()


def test_check_is_logged_and_refused_for_other_roles(world, client):
    a = world["a"]
    mine = _person(a, family_name="Gelogd")
    login(client, a.users["weigher_om"])
    response = client.post(reverse("subjects:known_elsewhere_check", args=[mine.pk]))
    assert response.status_code == 200 and "Niet bekend" in response.content.decode()
    assert ProcessingLogEntry.objects.filter(action="search", object_id=mine.subject_id).count() == 1
    with pytest.raises(PolicyDenied):
        known_elsewhere(a.users["case_director"], mine.subject)
