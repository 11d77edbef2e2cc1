"""The processing log (logboek dataverwerkingen): written with every write, in its
transaction; every detail read logged; refused reads leave nothing; trace ids."""

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse

from casustafel.cases import states as case_states
from casustafel.cases.models import Case, CaseParticipant
from casustafel.cases.selectors import get_case
from casustafel.cases.services import add_participant, transition_case
from casustafel.core.tracing import reset_trace_id, set_trace_id
from casustafel.demo import decide_jointly
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.processing_log.models import Action, ProcessingLogEntry, Purpose
from casustafel.signals.models import Signal
from casustafel.signals.selectors import get_signal
from casustafel.signals.services import start_preparation
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Outcome
from casustafel.weighing.selectors import get_weighing
from casustafel.weighing.services import DecisionData, submit_contribution

from .conftest import make_case
from .factories import OrganisationFactory, contribution, signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db

BSN = "123456782"
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def trace():
    """Run the test's service calls under a known trace id."""
    token = set_trace_id(TRACE)
    yield TRACE
    reset_trace_id(token)


def new_rows(since_id: int):
    return list(ProcessingLogEntry.objects.filter(id__gt=since_id).order_by("id"))


def last_id() -> int:
    row = ProcessingLogEntry.objects.order_by("-id").first()
    return row.id if row else 0


def assert_rows(rows, actor, *, action, purpose, objects, subject_id, trace_id=TRACE):
    """One row per object, each linked to an audit record naming the actor, organisation and
    role; trace, purpose and pseudonym on the row."""
    assert sorted((r.object_type, str(r.object_id)) for r in rows) == sorted(
        (o._meta.model_name, str(o.pk)) for o in objects
    )
    for row in rows:
        assert row.action == action and row.purpose == purpose
        audit = row.audit_record
        assert audit.user_id == actor.pk and audit.organisation_id == actor.organisation_id
        assert audit.role == actor.role
        assert row.trace_id == audit.trace_id == trace_id and row.span_id == audit.span_id
        assert row.data_subject_id == subject_id
        assert not audit.via_api


# ------------------------------------------------------------------ writes


def test_every_service_write_is_logged(region_a, trace):
    users = region_a.users
    intake = users["intake"]

    before = last_id()
    reg = register_signal(intake, subject=subject_data(bsn=BSN), fields=signal_fields())
    signal, subject = reg.signal, reg.signal.subject
    assert_rows(
        new_rows(before),
        intake,
        action=Action.CREATE,
        purpose=Purpose.INTAKE,
        objects=[subject, signal],
        subject_id=subject.pk,
    )

    before = last_id()
    signal = start_preparation(intake, signal=signal)
    assert_rows(
        new_rows(before),
        intake,
        action=Action.TRANSITION,
        purpose=Purpose.INTAKE,
        objects=[signal],
        subject_id=subject.pk,
    )

    before = last_id()
    signal = send_to_weighing(intake, signal=signal)
    rows = new_rows(before)
    assert_rows(
        [r for r in rows if r.object_type == "weighing"],
        intake,
        action=Action.CREATE,
        purpose=Purpose.WEIGHING,
        objects=[signal.weighing],
        subject_id=subject.pk,
    )
    assert_rows(
        [r for r in rows if r.object_type == "signal"],
        intake,
        action=Action.TRANSITION,
        purpose=Purpose.INTAKE,
        objects=[signal],
        subject_id=subject.pk,
    )
    assert len(rows) == 2

    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        before = last_id()
        made = submit_contribution(users[key], weighing=signal.weighing, data=contribution(region_a.region))
        assert_rows(
            new_rows(before),
            users[key],
            action=Action.CREATE,
            purpose=Purpose.WEIGHING,
            objects=[made],
            subject_id=subject.pk,
        )
    before = last_id()
    renewed = submit_contribution(users["weigher_om"], weighing=signal.weighing, data=contribution(region_a.region))
    assert_rows(
        new_rows(before),
        users["weigher_om"],
        action=Action.UPDATE,
        purpose=Purpose.WEIGHING,
        objects=[renewed],
        subject_id=subject.pk,
    )

    decider = users["weigher_gemeente"]
    before = last_id()
    decision = decide_jointly(
        decider,
        weighing=signal.weighing,
        data=DecisionData(
            outcome=Outcome.INCLUDE, rationale="Samenhangende zorgen.", case_director=users["case_director"]
        ),
    )
    rows = new_rows(before)
    case = decision.case
    # Proposed by the gemeente, put into effect by the third confirmation (the OM's): art. 5 lid 3.
    confirmer = users["weigher_om"]
    decision_rows = [r for r in rows if r.object_type == "decision"]
    assert_rows(
        decision_rows[:1],
        decider,
        action=Action.CREATE,
        purpose=Purpose.WEIGHING,
        objects=[decision],
        subject_id=subject.pk,
    )
    assert_rows(
        decision_rows[1:],
        confirmer,
        action=Action.UPDATE,
        purpose=Purpose.WEIGHING,
        objects=[decision],
        subject_id=subject.pk,
    )
    assert_rows(
        [r for r in rows if r.object_type == "decisionconfirmation"][2:],
        confirmer,
        action=Action.CREATE,
        purpose=Purpose.WEIGHING,
        objects=[decision.confirmations.get(party="om")],
        subject_id=subject.pk,
    )
    assert_rows(
        [r for r in rows if r.object_type == "signal"],
        confirmer,
        action=Action.TRANSITION,
        purpose=Purpose.WEIGHING,
        objects=[signal],
        subject_id=subject.pk,
    )
    assert_rows(
        [r for r in rows if r.object_type in ("case", "caseparticipant")],
        confirmer,
        action=Action.CREATE,
        purpose=Purpose.CASE_MANAGEMENT,
        objects=[case, *case.participants.all()],
        subject_id=subject.pk,
    )

    director = users["case_director"]
    before = last_id()
    rvdk = OrganisationFactory(region=region_a.region, kind="rvdk")
    participant = add_participant(director, case=case, organisation=rvdk, reason="Onderzoek")
    assert_rows(
        new_rows(before),
        director,
        action=Action.CREATE,
        purpose=Purpose.CASE_MANAGEMENT,
        objects=[participant],
        subject_id=subject.pk,
    )

    before = last_id()
    transition_case(director, case=case, target=case_states.SCALED_DOWN, reason="Rustiger")
    assert_rows(
        new_rows(before),
        director,
        action=Action.TRANSITION,
        purpose=Purpose.CASE_MANAGEMENT,
        objects=[case],
        subject_id=subject.pk,
    )


def test_log_never_holds_bsn_or_name(region_a):
    register_signal(
        region_a.users["intake"],
        subject=subject_data(bsn=BSN, given_names="Zebedeus", family_name="Kwakernaak"),
        fields=signal_fields(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM processing_log_processinglogentry t")
        rows = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT t::text FROM processing_log_auditrecord t")
        rows += [r[0] for r in cursor.fetchall()]
    assert rows
    for row in rows:
        assert BSN not in row and "Zebedeus" not in row and "Kwakernaak" not in row


def test_failed_validation_leaves_no_record_and_no_log(region_a):
    before = last_id()
    with pytest.raises(ValidationError):
        register_signal(
            region_a.users["intake"],
            subject=subject_data(family_name="Nieuw"),
            fields=signal_fields(facts="", source_type="no-such-source"),
        )
    assert not Signal.objects.exists()
    assert not Subject.objects.filter(family_name="Nieuw").exists()  # created, then rolled back
    assert new_rows(before) == []


def test_refused_case_transition_leaves_no_log(region_a, case_a):
    before = last_id()
    with pytest.raises(ValidationError):
        transition_case(region_a.users["case_director"], case=case_a, target=case_states.REOPENED, reason="Kan niet")
    with pytest.raises(ValidationError):
        add_participant(
            region_a.users["case_director"],
            case=case_a,
            organisation=region_a.orgs["reclassering"],
            reason="Al deelnemer",
        )
    assert new_rows(before) == []
    assert Case.objects.get(pk=case_a.pk).status == case_states.ACTIVE


def test_log_rows_roll_back_with_a_write_that_fails_later(region_a, monkeypatch):
    """The rows are written in the write's transaction: a late failure removes both."""

    def explode(subject):
        raise RuntimeError("failure after the log rows were written")

    monkeypatch.setattr("casustafel.weighing.services.open_weighing_for", explode)
    before = last_id()
    with pytest.raises(RuntimeError):
        register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields())
    assert not Signal.objects.exists() and not Subject.objects.exists()
    assert new_rows(before) == []


def test_write_without_log_is_not_kept(region_a, monkeypatch):
    """A failing log write undoes the change it would record."""

    def broken(*args, **kwargs):
        raise RuntimeError("log unavailable")

    monkeypatch.setattr("casustafel.signals.services.record", broken)
    with pytest.raises(RuntimeError):
        register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields())
    assert not Signal.objects.exists() and not Subject.objects.exists()


# ------------------------------------------------------------------ reads


def test_selector_reads_are_logged(region_a, case_a, trace):
    users = region_a.users
    signal = Signal.objects.get(subject=case_a.subject)

    before = last_id()
    assert get_signal(users["weigher_politie"], signal.pk) == signal
    assert_rows(
        new_rows(before),
        users["weigher_politie"],
        action=Action.READ,
        purpose=Purpose.INTAKE,
        objects=[signal],
        subject_id=case_a.subject_id,
    )

    before = last_id()
    get_weighing(users["weigher_om"], signal.weighing_id)
    assert_rows(
        new_rows(before),
        users["weigher_om"],
        action=Action.READ,
        purpose=Purpose.WEIGHING,
        objects=[signal.weighing],
        subject_id=case_a.subject_id,
    )

    before = last_id()
    get_case(users["participant_reclassering"], case_a.pk)
    assert_rows(
        new_rows(before),
        users["participant_reclassering"],
        action=Action.READ,
        purpose=Purpose.CASE_MANAGEMENT,
        objects=[case_a],
        subject_id=case_a.subject_id,
    )


@pytest.mark.parametrize(
    ("selector", "who"),
    [
        ("signal", "other_region"),
        ("signal", "participant_ggz"),
        ("signal", "analyst"),
        ("weighing", "other_region"),
        ("weighing", "case_director"),
        ("case", "other_region"),
        ("case", "participant_ggz"),
        ("case", "privacy_officer"),
    ],
)
def test_refused_read_is_not_found_and_logged_as_refused(world, case_a, selector, who):
    user = (
        world["b"].users["weigher_politie" if selector != "case" else "case_director"]
        if who == "other_region"
        else world["a"].users[who]
    )
    signal = Signal.objects.get(subject=case_a.subject)
    read, pk = {
        "signal": (get_signal, signal.pk),
        "weighing": (get_weighing, signal.weighing_id),
        "case": (get_case, case_a.pk),
    }[selector]
    before = last_id()
    with pytest.raises(Http404):
        read(user, pk)
    (row,) = new_rows(before)  # one entry: type and id of what was asked for, no subject
    assert (row.status, row.action, row.object_type, row.object_id, row.data_subject_id, row.audit_record.user_id) == (
        "refused",
        Action.READ,
        selector,
        pk,
        None,
        user.pk,
    )


@pytest.mark.parametrize("read", [get_signal, get_weighing, get_case])
@pytest.mark.parametrize("pk", [uuid.uuid4(), "not-a-uuid", None])
def test_read_of_unknown_or_malformed_id_is_not_found(region_a, read, pk):
    with pytest.raises(Http404):
        read(region_a.users["weigher_gemeente"], pk)
    assert not ProcessingLogEntry.objects.exists()


# ------------------------------------------------------------------ trace ids over HTTP

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")


def _read_rows(signal):
    return ProcessingLogEntry.objects.filter(action=Action.READ, object_id=signal.pk)


def test_request_trace_id_is_logged_and_returned(client, region_a, signal_a):
    login(client, region_a.users["intake"])
    response = client.get(reverse("signals:signal_detail", args=[signal_a.pk]))
    assert response.status_code == 200
    trace_id = TRACEPARENT.match(response["traceparent"]).group(1)
    rows = list(_read_rows(signal_a))
    assert len(rows) == 1 and rows[0].trace_id == trace_id
    assert rows[0].audit_record.user_id == region_a.users["intake"].pk
    assert rows[0].audit_record.trace_id == trace_id

    second = client.get(reverse("signals:signal_detail", args=[signal_a.pk]))
    second_trace = TRACEPARENT.match(second["traceparent"]).group(1)
    assert second_trace != trace_id  # every request starts its own trace
    assert set(_read_rows(signal_a).values_list("trace_id", flat=True)) == {trace_id, second_trace}


def test_callers_traceparent_is_adopted(client, region_a, signal_a):
    login(client, region_a.users["intake"])
    caller = f"00-{TRACE}-00f067aa0ba902b7-01"
    response = client.get(reverse("signals:signal_detail", args=[signal_a.pk]), HTTP_TRACEPARENT=caller)
    assert response.status_code == 200
    returned = TRACEPARENT.match(response["traceparent"])
    assert returned.group(1) == TRACE
    assert returned.group(2) != "00f067aa0ba902b7"  # our own span within the caller's trace
    assert list(_read_rows(signal_a).values_list("trace_id", flat=True)) == [TRACE]


@pytest.mark.parametrize("bad", ["garbage", f"00-{'0' * 32}-00f067aa0ba902b7-01", f"01-{TRACE}-zz-01"])
def test_malformed_traceparent_starts_a_new_trace(client, region_a, signal_a, bad):
    login(client, region_a.users["intake"])
    response = client.get(reverse("signals:signal_detail", args=[signal_a.pk]), HTTP_TRACEPARENT=bad)
    trace_id = TRACEPARENT.match(response["traceparent"]).group(1)
    assert trace_id not in (TRACE, "0" * 32)
    assert list(_read_rows(signal_a).values_list("trace_id", flat=True)) == [trace_id]


def test_refused_web_read_is_404_and_logged_as_refused(client, world, signal_a):
    login(client, world["b"].users["intake"])
    before = last_id()
    response = client.get(reverse("signals:signal_detail", args=[signal_a.pk]))
    assert response.status_code == 404
    trace_id = TRACEPARENT.match(response["traceparent"]).group(1)
    (row,) = new_rows(before)
    assert (row.status, row.object_id, row.data_subject_id, row.trace_id, row.audit_record.via_api) == (
        "refused",
        signal_a.pk,
        None,
        trace_id,
        False,
    )


def test_list_page_logs_each_shown_row_under_the_request_trace(client, region_a):
    intake = region_a.users["intake"]
    signals = [
        register_signal(intake, subject=subject_data(family_name=f"Lijst{i}"), fields=signal_fields()).signal
        for i in range(3)
    ]
    login(client, intake)
    before = last_id()
    response = client.get(reverse("signals:signal_list"))
    assert response.status_code == 200
    trace_id = TRACEPARENT.match(response["traceparent"]).group(1)
    rows = new_rows(before)
    assert {r.object_id for r in rows} == {s.pk for s in signals}
    assert {(r.action, r.trace_id) for r in rows} == {(Action.LIST, trace_id)}


def test_case_participant_rows_carry_the_case_subject(region_a):
    case = make_case(region_a, family_name="Deelnemer")
    ids = set(CaseParticipant.objects.filter(case=case).values_list("pk", flat=True))
    rows = ProcessingLogEntry.objects.filter(object_type="caseparticipant", object_id__in=ids)
    assert rows.count() == len(ids) > 0
    assert set(rows.values_list("data_subject_id", flat=True)) == {case.subject_id}
