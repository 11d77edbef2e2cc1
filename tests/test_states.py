"""The declared state machines, checked over every (source, target) pair, and the
services that move signals and cases along them."""

from itertools import product

import pytest
from django.core.exceptions import ValidationError

from casustafel.cases import states as case_states
from casustafel.cases.models import Case, CaseTransition, ClosureReason
from casustafel.cases.services import transition_case
from casustafel.core.errors import PolicyDenied
from casustafel.flow.services import send_to_weighing
from casustafel.processing_log.models import Action, ProcessingLogEntry
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal, SignalTransition
from casustafel.signals.services import start_preparation

SIGNAL_MACHINE = signal_states.SIGNAL_MACHINE
CASE_MACHINE = case_states.CASE_MACHINE

#: The graphs as the process describes them (DESIGN.md), written out independently of
#: the machines so that a changed edge in ``states.py`` is noticed here.
EXPECTED_SIGNAL_EDGES = {
    ("received", "in_preparation"),
    ("received", "in_weighing"),
    ("in_preparation", "in_weighing"),
    ("in_weighing", "included"),
    ("in_weighing", "referred"),
    ("in_weighing", "no_action"),
    ("in_weighing", "more_information"),
    ("more_information", "in_weighing"),
}
EXPECTED_CASE_EDGES = {
    ("active", "scaled_down"),
    ("active", "closed"),
    ("scaled_down", "active"),
    ("scaled_down", "closed"),
    ("closed", "reopened"),
    ("reopened", "scaled_down"),
    ("reopened", "closed"),
}


def _pairs(machine):
    return [pytest.param(s, t, id=f"{s}->{t}") for s, t in product(machine.states, machine.states)]


def _field_codes(error: ValidationError, field: str = "status") -> list[str]:
    return [e.code for e in error.error_dict[field]]


def assert_illegal(error: ValidationError, machine, source: str, target: str) -> None:
    assert _field_codes(error) == ["illegal_transition"]
    message = error.message_dict["status"][0]
    assert "niet toegestaan" in message
    assert str(machine.labels[source]) in message and str(machine.labels[target]) in message


# ------------------------------------------------------------------ the machines as data


def test_machines_declare_the_expected_graph():
    signal_edges = {(s, t) for s, targets in SIGNAL_MACHINE.transitions.items() for t in targets}
    case_edges = {(s, t) for s, targets in CASE_MACHINE.transitions.items() for t in targets}
    assert signal_edges == EXPECTED_SIGNAL_EDGES
    assert case_edges == EXPECTED_CASE_EDGES
    assert SIGNAL_MACHINE.initial == signal_states.RECEIVED
    assert CASE_MACHINE.initial == case_states.ACTIVE
    # Final signal outcomes have no way out.
    for final in (signal_states.INCLUDED, signal_states.REFERRED, signal_states.NO_ACTION):
        assert SIGNAL_MACHINE.allowed(final) == frozenset()


def test_machine_refuses_unknown_state_names():
    from casustafel.core.states import StateMachine

    with pytest.raises(ValueError, match="unknown states"):
        StateMachine(name="x", labels={"a": "A"}, transitions={"a": frozenset({"b"})}, initial="a")
    with pytest.raises(ValidationError) as exc:
        SIGNAL_MACHINE.check(signal_states.RECEIVED, "nonsense")
    assert _field_codes(exc.value) == ["invalid_choice"]


@pytest.mark.parametrize(("source", "target"), _pairs(SIGNAL_MACHINE))
def test_signal_machine_pair(source, target):
    if (source, target) in EXPECTED_SIGNAL_EDGES:
        assert SIGNAL_MACHINE.can(source, target)
        SIGNAL_MACHINE.check(source, target)
    else:
        assert not SIGNAL_MACHINE.can(source, target)
        with pytest.raises(ValidationError) as exc:
            SIGNAL_MACHINE.check(source, target)
        assert_illegal(exc.value, SIGNAL_MACHINE, source, target)


@pytest.mark.parametrize(("source", "target"), _pairs(CASE_MACHINE))
def test_case_machine_pair(source, target):
    if (source, target) in EXPECTED_CASE_EDGES:
        assert CASE_MACHINE.can(source, target)
        CASE_MACHINE.check(source, target)
    else:
        assert not CASE_MACHINE.can(source, target)
        with pytest.raises(ValidationError) as exc:
            CASE_MACHINE.check(source, target)
        assert_illegal(exc.value, CASE_MACHINE, source, target)


# ------------------------------------------------------------------ cases through the service


def _closure(target: str) -> str:
    return ClosureReason.GOALS_REACHED if target == case_states.CLOSED else ""


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), _pairs(CASE_MACHINE))
def test_transition_case_pair(region_a, case_a, source, target):
    director = region_a.users["case_director"]
    Case.objects.filter(pk=case_a.pk).update(status=source)
    transitions_before = CaseTransition.objects.filter(case=case_a).count()
    logged_before = ProcessingLogEntry.objects.filter(object_id=case_a.pk, action=Action.TRANSITION).count()

    if (source, target) in EXPECTED_CASE_EDGES:
        case = transition_case(
            director, case=case_a, target=target, reason="Reden voor de wijziging", closure_reason=_closure(target)
        )
        assert case.status == target
        case.refresh_from_db()
        assert case.status == target
        assert case.closure_reason == _closure(target)
        row = CaseTransition.objects.filter(case=case_a).latest("at", "id")
        assert (row.source, row.target, row.by_id, row.reason) == (
            source,
            target,
            director.pk,
            "Reden voor de wijziging",
        )
        assert row.at is not None and row.closure_reason == _closure(target)
        assert CaseTransition.objects.filter(case=case_a).count() == transitions_before + 1
        assert (
            ProcessingLogEntry.objects.filter(object_id=case_a.pk, action=Action.TRANSITION).count()
            == logged_before + 1
        )
    else:
        with pytest.raises(ValidationError) as exc:
            transition_case(
                director, case=case_a, target=target, reason="Reden voor de wijziging", closure_reason=_closure(target)
            )
        assert_illegal(exc.value, CASE_MACHINE, source, target)
        assert Case.objects.get(pk=case_a.pk).status == source
        assert CaseTransition.objects.filter(case=case_a).count() == transitions_before
        assert ProcessingLogEntry.objects.filter(object_id=case_a.pk, action=Action.TRANSITION).count() == logged_before


@pytest.mark.django_db
def test_closing_requires_closure_reason(region_a, case_a):
    with pytest.raises(ValidationError) as exc:
        transition_case(region_a.users["case_director"], case=case_a, target=case_states.CLOSED, reason="Klaar")
    assert "closure_reason" in exc.value.message_dict
    assert Case.objects.get(pk=case_a.pk).status == case_states.ACTIVE
    assert not CaseTransition.objects.filter(case=case_a, target=case_states.CLOSED).exists()


@pytest.mark.django_db
def test_transition_requires_reason_and_no_stray_closure_reason(region_a, case_a):
    director = region_a.users["case_director"]
    with pytest.raises(ValidationError) as exc:
        transition_case(director, case=case_a, target=case_states.SCALED_DOWN, reason="   ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        transition_case(
            director, case=case_a, target=case_states.SCALED_DOWN, reason="Rustiger", closure_reason=ClosureReason.MOVED
        )
    assert "closure_reason" in exc.value.message_dict
    assert Case.objects.get(pk=case_a.pk).status == case_states.ACTIVE


@pytest.mark.django_db
def test_process_director_of_participating_organisation_may_transition(region_a, case_a):
    case = transition_case(
        region_a.users["process_director"], case=case_a, target=case_states.SCALED_DOWN, reason="Rustiger"
    )
    assert case.status == case_states.SCALED_DOWN
    assert case.transitions.last().by == region_a.users["process_director"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    ["participant_reclassering", "weigher_gemeente", "participant_ggz", "intake", "analyst", "other_region_director"],
)
def test_others_cannot_transition_case(world, case_a, who):
    user = world["b"].users["case_director"] if who == "other_region_director" else world["a"].users[who]
    with pytest.raises((ValidationError, PolicyDenied)):
        transition_case(user, case=case_a, target=case_states.SCALED_DOWN, reason="Niet mijn casus")
    assert Case.objects.get(pk=case_a.pk).status == case_states.ACTIVE
    assert not CaseTransition.objects.filter(case=case_a, target=case_states.SCALED_DOWN).exists()


# ------------------------------------------------------------------ signals through the services


@pytest.mark.django_db
def test_start_preparation_records_transition_and_twice_is_refused(region_a, signal_a):
    intake = region_a.users["intake"]
    signal = start_preparation(intake, signal=signal_a, reason="Volledigheid controleren")
    assert signal.status == signal_states.IN_PREPARATION
    row = SignalTransition.objects.filter(signal=signal).latest("at", "id")
    assert (row.source, row.target, row.by_id, row.reason) == (
        signal_states.RECEIVED,
        signal_states.IN_PREPARATION,
        intake.pk,
        "Volledigheid controleren",
    )
    count = SignalTransition.objects.filter(signal=signal).count()
    with pytest.raises(ValidationError) as exc:
        start_preparation(intake, signal=signal, reason="Nog eens")
    assert_illegal(exc.value, SIGNAL_MACHINE, signal_states.IN_PREPARATION, signal_states.IN_PREPARATION)
    assert SignalTransition.objects.filter(signal=signal).count() == count
    assert Signal.objects.get(pk=signal.pk).status == signal_states.IN_PREPARATION


@pytest.mark.django_db
def test_send_to_weighing_from_more_information_is_refused(region_a, signal_a):
    intake = region_a.users["intake"]
    signal = send_to_weighing(intake, signal=signal_a)
    Signal.objects.filter(pk=signal.pk).update(status=signal_states.MORE_INFORMATION)
    count = SignalTransition.objects.filter(signal=signal).count()
    with pytest.raises(ValidationError) as exc:
        send_to_weighing(intake, signal=signal)
    assert _field_codes(exc.value) == ["illegal_transition"]
    assert "aanvullende informatie" in exc.value.message_dict["status"][0]
    assert Signal.objects.get(pk=signal.pk).status == signal_states.MORE_INFORMATION
    assert SignalTransition.objects.filter(signal=signal).count() == count


@pytest.mark.django_db
@pytest.mark.parametrize("source", [signal_states.INCLUDED, signal_states.REFERRED, signal_states.NO_ACTION])
def test_concluded_signal_cannot_go_back(region_a, signal_a, source):
    intake = region_a.users["intake"]
    Signal.objects.filter(pk=signal_a.pk).update(status=source)
    for service in (start_preparation, send_to_weighing):
        with pytest.raises(ValidationError) as exc:
            service(intake, signal=signal_a)
        assert _field_codes(exc.value) == ["illegal_transition"]
    assert Signal.objects.get(pk=signal_a.pk).status == source
    assert Signal.objects.get(pk=signal_a.pk).weighing_id is None


@pytest.mark.django_db
def test_signal_transition_by_other_region_is_not_found(world, signal_a):
    with pytest.raises(PolicyDenied):
        start_preparation(world["b"].users["intake"], signal=signal_a)
    assert Signal.objects.get(pk=signal_a.pk).status == signal_states.RECEIVED
