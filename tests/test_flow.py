"""The core flow signal → integral weighing → case, through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casustafel.cases import states as case_states
from casustafel.demo import decide_jointly
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.signals import states
from casustafel.signals.models import Signal, Urgency
from casustafel.signals.services import start_preparation
from casustafel.weighing.models import Outcome, ReferralTarget, Weighing
from casustafel.weighing.services import DecisionData, submit_contribution

from .conftest import make_case, weigh_all
from .factories import contribution, signal_fields, subject_data

pytestmark = pytest.mark.django_db


def test_full_flow_opens_case_with_participants_and_log(region_a):
    case = make_case(region_a)
    assert case.status == case_states.ACTIVE
    kinds = set(case.participants.values_list("organisation__kind", flat=True))
    assert kinds == {"gemeente", "politie", "om", "zvh", "reclassering"}
    assert Signal.objects.get(subject=case.subject).status == states.INCLUDED
    assert case.origin_decision.framework.version == 2  # art. 5 lid 3: the criteria of the law
    logged = set(ProcessingLogEntry.objects.values_list("object_type", flat=True))
    assert {"signal", "subject", "weighing", "contribution", "decision", "case", "caseparticipant"} <= logged


def test_decision_requires_all_three_parties(region_a, signal_a):
    users = region_a.users
    signal = send_to_weighing(users["intake"], signal=signal_a)
    submit_contribution(users["weigher_gemeente"], weighing=signal.weighing, data=contribution(region_a.region))
    submit_contribution(users["weigher_politie"], weighing=signal.weighing, data=contribution(region_a.region))
    with pytest.raises(ValidationError) as exc:
        decide_jointly(
            users["weigher_om"], weighing=signal.weighing, data=DecisionData(outcome=Outcome.NO_ACTION, rationale="x")
        )
    assert "Openbaar Ministerie" in str(exc.value.message_dict["contributions"])
    assert not signal.weighing.decisions.exists()


def test_new_signal_joins_open_weighing_and_requires_fresh_contributions(region_a, signal_a):
    users = region_a.users
    first = send_to_weighing(users["intake"], signal=signal_a)
    weigh_all(region_a, first.weighing)
    second = register_signal(
        users["intake"], subject=subject_data(family_name="Signaalpersoon"), fields=signal_fields()
    )
    assert second.known_person and second.joined_weighing
    assert second.signal.weighing_id == first.weighing_id
    assert second.signal.status == states.IN_WEIGHING
    with pytest.raises(ValidationError):
        decide_jointly(
            users["weigher_om"], weighing=first.weighing, data=DecisionData(outcome=Outcome.NO_ACTION, rationale="x")
        )
    weigh_all(region_a, first.weighing)
    decide_jointly(
        users["weigher_om"], weighing=first.weighing, data=DecisionData(outcome=Outcome.NO_ACTION, rationale="x")
    )
    assert set(Signal.objects.filter(weighing=first.weighing).values_list("status", flat=True)) == {states.NO_ACTION}


def test_known_person_by_bsn(region_a):
    intake = region_a.users["intake"]
    a = register_signal(intake, subject=subject_data(bsn="111222333", family_name="Een"), fields=signal_fields())
    b = register_signal(intake, subject=subject_data(bsn="111222333", family_name="Anders"), fields=signal_fields())
    assert b.known_person and a.signal.subject_id == b.signal.subject_id


def test_same_name_dob_other_bsn_is_other_person(region_a):
    intake = region_a.users["intake"]
    a = register_signal(intake, subject=subject_data(bsn="111222333"), fields=signal_fields())
    b = register_signal(intake, subject=subject_data(bsn="123456782"), fields=signal_fields())
    assert not b.known_person and a.signal.subject_id != b.signal.subject_id


def test_acute_signal_escalates_and_skips_queue(region_a):
    reg = register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields(urgency=Urgency.ACUTE))
    assert reg.signal.escalated_to_police_at is not None
    assert reg.signal.status == states.IN_WEIGHING


def test_more_information_then_decision(region_a, signal_a):
    users = region_a.users
    signal = start_preparation(users["intake"], signal=signal_a)
    signal = send_to_weighing(users["intake"], signal=signal)
    weigh_all(region_a, signal.weighing)
    deadline = timezone.localdate() + timedelta(days=14)
    decide_jointly(
        users["weigher_om"],
        weighing=signal.weighing,
        data=DecisionData(
            outcome=Outcome.MORE_INFORMATION, rationale="Onvoldoende beeld", information_deadline=deadline
        ),
    )
    signal.refresh_from_db()
    assert signal.status == states.MORE_INFORMATION
    weighing = Weighing.objects.get(pk=signal.weighing_id)
    assert weighing.status == Weighing.AWAITING_INFORMATION
    weigh_all(region_a, weighing)
    decide_jointly(
        users["weigher_om"],
        weighing=weighing,
        data=DecisionData(
            outcome=Outcome.REFER, referral_target=ReferralTarget.REGULAR_CARE, rationale="Zorg volstaat"
        ),
    )
    signal.refresh_from_db()
    assert signal.status == states.REFERRED
    assert weighing.decisions.count() == 2


def test_duplicate_submission_returns_same_signal(region_a):
    import uuid

    key = uuid.uuid4()
    intake = region_a.users["intake"]
    a = register_signal(intake, subject=subject_data(), fields=signal_fields(), idempotency_key=key)
    b = register_signal(intake, subject=subject_data(), fields=signal_fields(), idempotency_key=key)
    assert b.duplicate and a.signal.pk == b.signal.pk
    assert Signal.objects.count() == 1
