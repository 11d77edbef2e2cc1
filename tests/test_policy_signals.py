"""Policy signals (issue 13 item 6, ADR 0043): a professional raises a bottleneck for policy from
a case or a conference, without personal data; the region's process director tracks it to a
response; it is a fact for the reports. The case or conference it came from is not stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casustafel.core.errors import PolicyDenied
from casustafel.policy_signals import categories, selectors, services
from casustafel.policy_signals.models import Origin, PolicySignal, State

from .factories import admit_ggz
from .helpers import login
from .meetings_helpers import meeting_with_case

pytestmark = pytest.mark.django_db

TEXT = "Er is in de regio geen passende dagbesteding voor jongeren met een licht verstandelijke beperking."


def raise_policy_signal(world_region, case, *, user="case_director", category="missing_intervention", text=TEXT):
    return services.raise_signal(world_region.users[user], category=category, description=text, case=case)


def policy_signal_objects(world_region, case) -> dict:
    """For the authorization matrix: a raised policy signal of the region."""
    return {"policy_signal": {"pk": raise_policy_signal(world_region, case).pk}}


def test_a_participant_raises_a_policy_signal_from_a_case_without_a_link_to_it(region_a, case_a):
    signal = raise_policy_signal(region_a, case_a, user="participant_reclassering", category="capacity")
    assert (signal.region, signal.organisation) == (region_a.region, region_a.orgs["reclassering"])
    assert signal.state == State.RAISED and signal.origin == Origin.CASE
    assert signal.category_version == categories.current().version
    # ADR 0043: no field of the signal refers to the case or its person.
    fields = {f.name for f in PolicySignal._meta.get_fields()}
    assert not fields & {"case", "subject", "meeting"}
    assert str(case_a.pk) not in str(PolicySignal.objects.filter(pk=signal.pk).values().get())


@pytest.mark.parametrize(
    "text",
    [
        "Jan Testpersoon wacht al maanden op dagbesteding.",
        "Voor testpersoon is geen plek.",
        "Betrokkene (BSN 123456782) valt tussen wal en schip.",
        "Nummer 123.456.782 staat op de wachtlijst.",
        "Geboren 12-04-1999, geen plek in de jeugdzorg.",
        "Geboren op 12 april 1999.",
        "Sinds 3-2-1980 onbekend.",
    ],
)
def test_a_description_with_personal_data_is_refused_with_a_dutch_message(region_a, case_a, text):
    with pytest.raises(ValidationError) as refused:
        raise_policy_signal(region_a, case_a, text=text)
    messages = refused.value.message_dict["description"]
    assert messages and all("persoonsgegevens" in m or "naam" in m or "BSN" in m for m in messages)
    # The message does not repeat what was found.
    assert not any("Testpersoon" in m or "123" in m or "1999" in m for m in messages)
    assert not PolicySignal.objects.exists()


def test_ordinary_numbers_and_recent_dates_are_no_personal_data(region_a, case_a):
    text = "Wachtlijst van 14 weken sinds 1 januari 2026; 12 plekken voor de hele regio (2025-2026)."
    assert raise_policy_signal(region_a, case_a, text=text).description == text


def test_a_conference_checks_the_names_of_the_items_the_user_sees(region_a, case_a):
    meeting, _item, _action = meeting_with_case(region_a, case_a)
    chair = region_a.users["process_director"]
    with pytest.raises(ValidationError):
        services.raise_signal(
            chair, category="legal_obstacle", description="Jan wacht op een besluit.", meeting=meeting
        )
    signal = services.raise_signal(chair, category="legal_obstacle", description=TEXT, meeting=meeting)
    assert signal.origin == Origin.MEETING


def test_only_case_roles_raise_and_a_third_party_not_from_the_case(region_a, case_a):
    for key in ("analyst", "mayor", "privacy_officer", "functional_admin"):
        with pytest.raises(PolicyDenied):
            raise_policy_signal(region_a, case_a, user=key)
    # The ggz takes part in case_a as a third party (art. 3 lid 3): not a participant of art. 3 lid 1.
    admit_ggz(region_a, case_a)
    with pytest.raises(PolicyDenied):
        raise_policy_signal(region_a, case_a, user="participant_ggz")


def test_bad_category_and_empty_description_are_refused(region_a, case_a):
    with pytest.raises(ValidationError) as refused:
        raise_policy_signal(region_a, case_a, category="nonsense", text="  ")
    assert set(refused.value.message_dict) == {"category", "description"}


def test_the_process_director_tracks_a_signal_to_a_response(region_a, case_a):
    signal = raise_policy_signal(region_a, case_a)
    director = region_a.users["process_director"]
    signal = services.handle_signal(director, signal=signal, target=State.IN_PROGRESS)
    with pytest.raises(ValidationError) as refused:
        services.handle_signal(director, signal=signal, target=State.ANSWERED, response="")
    assert "response" in refused.value.message_dict
    signal = services.handle_signal(director, signal=signal, target=State.ANSWERED, response="Opgenomen in de inkoop.")
    assert (signal.responded_by, signal.response) == (director, "Opgenomen in de inkoop.")
    assert signal.responded_at is not None
    signal = services.handle_signal(director, signal=signal, target=State.CLOSED)
    with pytest.raises(ValidationError):
        services.handle_signal(director, signal=signal, target=State.IN_PROGRESS)
    with pytest.raises(PolicyDenied):
        services.handle_signal(region_a.users["case_director"], signal=signal, target=State.CLOSED)


def test_the_list_shows_the_region_only_and_never_the_case(world, case_a, client):
    raise_policy_signal(world["a"], case_a)
    assert selectors.visible_signals(world["b"].users["process_director"]).count() == 0
    assert selectors.visible_signals(world["a"].users["analyst"]).count() == 0
    login(client, world["a"].users["participant_reclassering"])
    page = client.get(reverse("policy_signals:signal_list")).content.decode()
    assert "Ontbrekende interventie" in page
    assert case_a.reference not in page and case_a.subject.family_name not in page


def test_raising_through_the_case_page(region_a, case_a, client):
    login(client, region_a.users["case_director"])
    case_page = client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    url = reverse("policy_signals:raise_from_case", args=[case_a.pk])
    assert url in case_page
    refused = client.post(url, {"category": "capacity", "description": "Jan Testpersoon heeft geen plek."})
    assert refused.status_code == 400
    assert "zonder namen" in refused.content.decode() and not PolicySignal.objects.exists()
    response = client.post(url, {"category": "capacity", "description": TEXT})
    assert response.status_code == 302 and PolicySignal.objects.get().category == "capacity"


def test_answering_through_the_detail_page(region_a, case_a, client):
    signal = raise_policy_signal(region_a, case_a)
    login(client, region_a.users["process_director"])
    url = reverse("policy_signals:signal_detail", args=[signal.pk])
    assert client.post(url, {"target": "answered", "response": ""}).status_code == 400
    assert client.post(url, {"target": "answered", "response": "Geagendeerd bij de stuurgroep."}).status_code == 302
    signal.refresh_from_db()
    assert signal.state == State.ANSWERED
    assert "Geagendeerd bij de stuurgroep." in client.get(url).content.decode()


def test_the_fact_counts_signals_by_category_and_state(region_a, case_a):
    from datetime import timedelta

    from django.utils import timezone

    from casustafel.reporting.facts import get

    raise_policy_signal(region_a, case_a)
    raise_policy_signal(region_a, case_a, category="capacity")
    today = timezone.localdate()
    fact = get("policy_signals")
    rows = sorted(fact.rows(region_a.region, today - timedelta(days=1), today))
    assert rows == [(None, today, "capacity", "raised"), (None, today, "missing_intervention", "raised")]
    assert [d.code for d in fact.dims] == ["category", "state"]
