"""The eensluidende beoordeling (Wet PGA art. 5 lid 3 and 5): politie, OM and the
burgemeester (through the officials designated for the weegploeg) each confirm the decision;
one member proposes it, it takes effect with the third agreement, a rejection ends it."""

import pytest
from django.core.exceptions import ValidationError

from casustafel.cases.models import Case
from casustafel.core.errors import PolicyDenied
from casustafel.demo import decide_jointly
from casustafel.flow.services import confirm_decision, propose_decision, register_signal, send_to_weighing
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.signals import states as signal_states
from casustafel.weighing import states
from casustafel.weighing.models import CriteriaFramework, DecisionStatus, Outcome, Weighing
from casustafel.weighing.services import DecisionData

from .conftest import weigh_all
from .factories import signal_fields, subject_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def weighed(region_a, signal_a):
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    weigh_all(region_a, weighing)
    return weighing


def _include(region):
    return DecisionData(
        outcome=Outcome.INCLUDE,
        rationale="Samenhangende zorgen.",
        case_director=region.users["case_director"],
        participants=[(region.orgs["reclassering"], "Toezicht loopt")],
    )


def test_art_5_lid_3_a_proposal_is_not_yet_a_decision(region_a, weighed):
    decision = propose_decision(region_a.users["weigher_gemeente"], weighing=weighed, data=_include(region_a))
    weighed.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED and decision.effective_at is None
    assert weighed.status == states.DECISION_PROPOSED
    assert not Case.objects.filter(subject=weighed.subject).exists()
    assert set(weighed.signals.values_list("status", flat=True)) == {signal_states.IN_WEIGHING}
    assert [c.party for c in decision.confirmations.all()] == ["gemeente"]


def test_art_5_lid_3_and_5_all_three_agree_then_the_case_opens_with_the_chosen_participants(region_a, weighed):
    users = region_a.users
    decision = propose_decision(users["weigher_gemeente"], weighing=weighed, data=_include(region_a))
    decision = confirm_decision(users["weigher_politie"], decision=decision, agrees=True)
    assert decision.status == DecisionStatus.PROPOSED
    assert not Case.objects.filter(subject=weighed.subject).exists()
    decision = confirm_decision(users["weigher_om"], decision=decision, agrees=True)
    weighed.refresh_from_db()
    assert decision.status == DecisionStatus.IN_EFFECT and decision.effective_at is not None
    assert weighed.status == states.DECIDED
    case = Case.objects.get(subject=weighed.subject)
    assert case.case_director == users["case_director"]
    assert "reclassering" in set(case.participants.values_list("organisation__kind", flat=True))
    assert set(weighed.signals.values_list("status", flat=True)) == {signal_states.INCLUDED}
    assert ProcessingLogEntry.objects.filter(object_type="decisionconfirmation").count() == 3


def test_art_5_lid_3_one_party_disagreeing_means_no_decision(region_a, weighed):
    users = region_a.users
    decision = propose_decision(users["weigher_gemeente"], weighing=weighed, data=_include(region_a))
    with pytest.raises(ValidationError) as exc:
        confirm_decision(users["weigher_om"], decision=decision, agrees=False, reason="  ")
    assert "reason" in exc.value.message_dict
    decision = confirm_decision(users["weigher_om"], decision=decision, agrees=False, reason="Te weinig signalen.")
    weighed.refresh_from_db()
    assert decision.status == DecisionStatus.REJECTED
    assert weighed.status == states.OPEN
    assert not Case.objects.filter(subject=weighed.subject).exists()
    # The politie can no longer confirm a rejected proposal; a new proposal can be made.
    with pytest.raises(ValidationError):
        confirm_decision(users["weigher_politie"], decision=decision, agrees=True)
    again = propose_decision(
        users["weigher_om"], weighing=weighed, data=DecisionData(outcome=Outcome.NO_ACTION, rationale="Geen zorgen.")
    )
    assert again.status == DecisionStatus.PROPOSED


def test_art_5_lid_3_each_party_confirms_once_and_only_the_three_confirm(region_a, weighed):
    users = region_a.users
    decision = propose_decision(users["weigher_gemeente"], weighing=weighed, data=_include(region_a))
    with pytest.raises(ValidationError):
        confirm_decision(users["weigher_gemeente"], decision=decision, agrees=True)
    for key in ("intake", "case_director", "participant_reclassering", "process_director"):
        with pytest.raises(PolicyDenied):
            confirm_decision(users[key], decision=decision, agrees=True)
    with pytest.raises(ValidationError):
        propose_decision(users["weigher_politie"], weighing=weighed, data=_include(region_a))
    assert decision.confirmations.count() == 1


def test_a_new_signal_lapses_the_proposal(region_a, weighed):
    users = region_a.users
    decision = propose_decision(users["weigher_gemeente"], weighing=weighed, data=_include(region_a))
    register_signal(users["intake"], subject=subject_data(family_name="Signaalpersoon"), fields=signal_fields())
    decision.refresh_from_db()
    weighed.refresh_from_db()
    assert decision.status == DecisionStatus.LAPSED
    assert weighed.status == states.OPEN
    with pytest.raises(ValidationError):
        confirm_decision(users["weigher_politie"], decision=decision, agrees=True)


def test_art_5_lid_3_new_weighings_use_the_criteria_of_the_law_old_ones_keep_theirs(region_a, weighed):

    assert weighed.framework.version == 2
    assert [c.code for c in weighed.framework.criteria.order_by("order")] == [
        "violence",
        "extremist-views",
        "social-relations",
        "identification",
        "self-reliance",
    ]
    assert str(weighed.framework.valid_from) == "2025-07-01"
    v1 = CriteriaFramework.objects.get(region=None, version=1)
    Weighing.objects.filter(pk=weighed.pk).update(framework=v1)
    weighed.refresh_from_db()
    assert weighed.framework.version == 1  # a weighing keeps the framework it was opened with


def test_art_5_lid_6_the_registering_participant_is_informed_when_the_case_is_not_put_forward(
    region_a, weighed, client
):
    from datetime import timedelta

    from django.utils import timezone

    from casustafel.weighing.models import RegistrantNotice

    from .helpers import login

    decide_jointly(
        region_a.users["weigher_politie"],
        weighing=weighed,
        data=DecisionData(outcome=Outcome.NO_ACTION, rationale="Geen zorgen over radicalisering."),
    )
    notice = RegistrantNotice.objects.get(decision__weighing=weighed)
    assert notice.organisation == region_a.users["intake"].organisation
    assert notice.informed_on is None
    # Visible until done: on the dashboard and the weighing page of the signal side.
    login(client, region_a.users["intake"])
    assert weighed.reference in client.get("/").content.decode()
    page = client.get(f"/wegingen/{weighed.pk}/").content.decode()
    assert "Aanmelder informeren" in page
    url = f"/wegingen/{weighed.pk}/aanmelder-geinformeerd/"
    future = timezone.localdate() + timedelta(days=1)
    response = client.post(url, {"notice": str(notice.pk), "informed_on": future.isoformat()})
    assert response.status_code == 400 and "niet in de toekomst" in response.content.decode()
    response = client.post(url, {"notice": str(notice.pk), "informed_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.informed_on == timezone.localdate() and notice.informed_by == region_a.users["intake"]
    assert weighed.reference not in client.get("/").content.decode()
    assert ProcessingLogEntry.objects.filter(object_type="registrantnotice", action="update").exists()


def test_art_5_lid_6_no_notice_when_the_case_is_included(region_a, weighed):
    from casustafel.weighing.models import RegistrantNotice

    decide_jointly(region_a.users["weigher_gemeente"], weighing=weighed, data=_include(region_a))
    assert not RegistrantNotice.objects.filter(decision__weighing=weighed).exists()


def test_art_5_lid_6_the_dashboard_lists_the_oldest_ten_notices(region_a, weighed, client):
    """The dashboard's work list does not grow with the backlog: the ten oldest open notices."""
    from casustafel.weighing import selectors
    from casustafel.weighing.models import RegistrantNotice

    from .factories import OrganisationFactory

    decision = decide_jointly(
        region_a.users["weigher_politie"],
        weighing=weighed,
        data=DecisionData(outcome=Outcome.NO_ACTION, rationale="Geen zorgen over radicalisering."),
    )
    for n in range(11):
        organisation = OrganisationFactory(region=region_a.region, kind="wijkteam", name=f"Wijkteam {n:02d}")
        RegistrantNotice.objects.create(decision=decision, organisation=organisation)
    everything = selectors.open_registrant_notices(region_a.users["intake"])
    assert len(everything) == 12
    assert selectors.open_registrant_notices(region_a.users["intake"], limit=10) == everything[:10]
