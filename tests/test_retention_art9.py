"""Retention as art. 9 Wet PGA says (ADR 0020): at the latest five years after the last
substantive processing, sooner when no longer necessary, a legal hold for a legal claim with
a review date, and version 1 kept for records made before 1 July 2025."""

import csv
import importlib
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.cases.services import transition_case
from casustafel.cli import main
from casustafel.core.errors import PolicyDenied
from casustafel.flow.services import register_signal
from casustafel.processing_log.models import Action, ProcessingLogEntry, Purpose
from casustafel.processing_log.services import record
from casustafel.retention import selectors, services
from casustafel.retention.models import (
    ART9_MAXIMUM_DAYS,
    Basis,
    DestructionItem,
    LegalHold,
    NecessityOutcome,
    NecessityReview,
    RetentionSchedule,
    Trigger,
)

from .conftest import make_case
from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db

FIVE_YEARS = ART9_MAXIMUM_DAYS
V2 = Path(selectors.__file__).resolve().parent / "data" / "retention_schedules_v2.json"


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


def open_signal(world_region, family_name):
    """A signal never sent to the weighing: an open, non-included item."""
    users = world_region.users
    return register_signal(
        users["intake"], subject=subject_data(family_name=family_name), fields=signal_fields()
    ).signal


def dates_of(subject, on=None):
    return {r.reference: r for r in selectors.assess_subject(subject, on or today()).records}


def aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=12))


def at(day: date):
    return time_machine.travel(aware(day))


# ---------------------------------------------------------------- version 2 as data


def test_art9_version2_is_seeded_from_its_data_file_and_loading_is_idempotent():
    spec = json.loads(V2.read_text(encoding="utf-8"))
    national = {s.trigger: s for s in RetentionSchedule.objects.filter(region=None, version=2)}
    assert spec["valid_from"] == "2025-07-01" and set(national) == set(Trigger.values)
    for rule in spec["schedules"]:
        schedule = national[rule["trigger"]]
        assert schedule.valid_from == date(2025, 7, 1) and schedule.basis == Basis.LAST_PROCESSING
        assert (schedule.period_days, schedule.minor_period_days) == (rule["period_days"], rule["minor_period_days"])
        assert schedule.review_interval_days == rule["review_interval_days"]
        assert schedule.period_days <= FIVE_YEARS  # art. 9: never more than five years
    migration = importlib.import_module("casustafel.retention.migrations.0004_seed_retention_schedules_v2")
    before = RetentionSchedule.objects.count()
    migration.seed(django_apps, None)
    assert RetentionSchedule.objects.count() == before


def test_art9_a_period_after_the_last_processing_above_five_years_is_refused_by_the_database(region_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionSchedule.objects.create(
            region=region_a.region,
            trigger=Trigger.CASE_CLOSED,
            version=9,
            valid_from=date(2026, 1, 1),
            basis=Basis.LAST_PROCESSING,
            period_days=FIVE_YEARS + 1,
            minor_period_days=365,
            source="Te lang.",
        )


# ---------------------------------------------------------------- last processing


def test_art9_a_read_of_a_closed_case_does_not_move_the_destruction_date_a_write_does(region_a, case_a):
    close(region_a, case_a)
    closed_on = today()
    assert dates_of(case_a.subject)[case_a.reference].destruction_date == closed_on + timedelta(days=FIVE_YEARS)
    reader = region_a.users["case_director"]

    later = closed_on + timedelta(days=400)
    with at(later):
        # Reads, lists, searches, exports and the privacy officer's review are not processing in art. 9's sense.
        for action in (Action.READ, Action.LIST, Action.SEARCH, Action.EXPORT):
            record(reader, action=action, purpose=Purpose.CASE_MANAGEMENT, objects=[case_a])
        record(reader, action=Action.UPDATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[case_a])
        record(reader, action=Action.UPDATE, purpose=Purpose.RETENTION, objects=[case_a])
    item = dates_of(case_a.subject)[case_a.reference]
    assert item.last_processing == closed_on
    assert item.destruction_date == closed_on + timedelta(days=FIVE_YEARS)

    with at(later):
        record(reader, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[case_a])
    item = dates_of(case_a.subject)[case_a.reference]
    assert item.last_processing == later
    assert item.destruction_date == later + timedelta(days=FIVE_YEARS)


def test_art9_five_year_maximum_runs_from_the_last_substantive_processing(region_a, case_a):
    close(region_a, case_a)
    shared_on = today() + timedelta(days=700)
    with at(shared_on):  # a transfer / provision (verstrekking) is substantive processing
        record(region_a.users["case_director"], action=Action.SHARE, purpose=Purpose.CASE_MANAGEMENT, objects=[case_a])
    due = shared_on + timedelta(days=FIVE_YEARS)
    assert services.propose_run(region_a.region, due - timedelta(days=1)) is None
    run = services.propose_run(region_a.region, due)
    item = run.items.get()
    assert (item.reference, item.destruction_date, item.last_processing) == (case_a.reference, due, shared_on)
    assert (item.rule, item.schedule_version) == (Basis.LAST_PROCESSING, 2)


def test_art9_non_included_signal_keeps_the_shorter_regional_period(region_a):
    signal = open_signal(region_a, "Nietopgenomen")
    rule = RetentionSchedule.objects.get(region=None, trigger=Trigger.SIGNAL_NOT_INCLUDED, version=2)
    assert rule.period_days < FIVE_YEARS
    item = dates_of(signal.subject)[signal.reference]
    assert item.destruction_date == today() + timedelta(days=rule.period_days)
    # A region's own, shorter version (as data) wins for its records.
    RetentionSchedule.objects.create(
        region=region_a.region,
        trigger=Trigger.SIGNAL_NOT_INCLUDED,
        version=3,
        valid_from=date(2025, 7, 1),
        basis=Basis.LAST_PROCESSING,
        period_days=90,
        minor_period_days=60,
        review_interval_days=30,
        source="Regionaal besluit (test).",
    )
    item = dates_of(signal.subject)[signal.reference]
    assert (item.destruction_date, item.schedule.version) == (today() + timedelta(days=90), 3)
    assert selectors.assess_subject(signal.subject, today()).review_due == today() + timedelta(days=30)


# ---------------------------------------------------------------- necessity review


def test_art9_necessity_review_no_longer_necessary_brings_destruction_forward_to_the_next_run(region_a):
    signal = open_signal(region_a, "Nietmeernodig")
    officer = region_a.users["privacy_officer"]
    assert services.propose_run(region_a.region, today()) is None

    # "Nog noodzakelijk" needs its reason and changes no date (a review is not processing).
    with pytest.raises(ValidationError) as refused:
        services.record_necessity_review(
            officer, subject=signal.subject, outcome=NecessityOutcome.STILL_NECESSARY, reason=" "
        )
    assert "Motiveer" in str(refused.value)
    with pytest.raises(PolicyDenied):
        services.record_necessity_review(
            region_a.users["intake"], subject=signal.subject, outcome=NecessityOutcome.NO_LONGER_NECESSARY, reason=""
        )
    assert not NecessityReview.objects.exists()
    services.record_necessity_review(
        officer, subject=signal.subject, outcome=NecessityOutcome.STILL_NECESSARY, reason="Zorgmelding loopt nog."
    )
    assert services.propose_run(region_a.region, today()) is None

    assert (
        main(["retention", "review", signal.reference, "--outcome", "no_longer_necessary", "--by", officer.username])
        == 0
    )
    review = NecessityReview.objects.get(outcome=NecessityOutcome.NO_LONGER_NECESSARY)
    assert review.reviewed_by == officer and review.reviewed_at is not None and review.subject_id == signal.subject_id
    assert ProcessingLogEntry.objects.filter(
        object_type="necessityreview", object_id=review.pk, action="create", data_subject_id=signal.subject_id
    ).exists()
    run = services.propose_run(region_a.region, today())  # the next run
    item = run.items.get()
    assert (item.reference, item.destruction_date, item.no_longer_necessary) == (signal.reference, today(), True)


def test_art9_a_write_after_a_no_longer_necessary_review_reopens_the_question(region_a):
    signal = open_signal(region_a, "Weernieuws")
    services.record_necessity_review(
        region_a.users["privacy_officer"],
        subject=signal.subject,
        outcome=NecessityOutcome.NO_LONGER_NECESSARY,
        reason="",
    )
    with at(today() + timedelta(days=3)):
        record(region_a.users["intake"], action=Action.UPDATE, purpose=Purpose.INTAKE, objects=[signal])
    item = dates_of(signal.subject)[signal.reference]
    assert not item.no_longer_necessary and item.destruction_date > today() + timedelta(days=3)


def test_art9_necessity_review_falls_due_by_the_interval_as_data(region_a, case_a):
    signal = open_signal(region_a, "Toetsing")
    interval = RetentionSchedule.objects.get(region=None, trigger=Trigger.SIGNAL_NOT_INCLUDED, version=2)
    assessment = selectors.assess_subject(signal.subject, today())
    assert assessment.review_due == today() + timedelta(days=interval.review_interval_days)
    # An open case is reviewed too, on the case schedule's interval.
    case_interval = RetentionSchedule.objects.get(region=None, trigger=Trigger.CASE_CLOSED, version=2)
    open_case = selectors.assess_subject(case_a.subject, today())
    assert open_case.blocked == "open_case"
    assert open_case.review_due == today() + timedelta(days=case_interval.review_interval_days)
    # A review restarts the interval.
    later = today() + timedelta(days=interval.review_interval_days + 5)
    with at(later):
        services.record_necessity_review(
            region_a.users["privacy_officer"],
            subject=signal.subject,
            outcome=NecessityOutcome.STILL_NECESSARY,
            reason="Nog nodig.",
        )
    assessment = selectors.assess_subject(signal.subject, later)
    assert assessment.review_due == later + timedelta(days=interval.review_interval_days)


# ---------------------------------------------------------------- legal hold


def test_art9_legal_hold_needs_a_review_date_blocks_destruction_and_is_listed_when_it_passed(region_a, case_a, capsys):
    close(region_a, case_a)
    officer = region_a.users["privacy_officer"]
    with pytest.raises(ValidationError) as refused:
        services.place_hold(
            officer, subject=case_a.subject, reason="court_case", explanation="Procedure.", review_date=None
        )
    assert "review_date" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.place_hold(
            officer, subject=case_a.subject, reason="court_case", explanation="Procedure.", review_date=today()
        )
    assert not LegalHold.objects.exists()
    hold = services.place_hold(
        officer,
        subject=case_a.subject,
        reason="court_case",
        explanation="Rechtsvordering aanhangig.",
        review_date=today() + timedelta(days=30),
    )
    assert selectors.holds_for_review(region_a.region.pk, today() + timedelta(days=29)) == []
    assert selectors.holds_for_review(region_a.region.pk, today() + timedelta(days=30)) == [hold]

    on = today() + timedelta(days=FIVE_YEARS)
    run = services.approve_run(officer, run=services.propose_run(region_a.region, on))
    run = services.execute_run(run, on)
    assert run.report["held"] == [case_a.reference] and run.items.get().result == DestructionItem.HELD

    # Reviewed and still needed: a new review date takes it off the list.
    next_review = (today() + timedelta(days=400)).isoformat()
    assert main(["retention", "hold-review", str(hold.pk), "--review-date", next_review, "--by", officer.username]) == 0
    hold.refresh_from_db()
    assert hold.review_date.isoformat() == next_review
    assert ProcessingLogEntry.objects.filter(object_id=hold.pk, action="update").exists()
    assert selectors.holds_for_review(region_a.region.pk, today() + timedelta(days=30)) == []
    # A hold from before review dates (none recorded) is listed at once.
    LegalHold.objects.filter(pk=hold.pk).update(review_date=None)
    assert selectors.holds_for_review(region_a.region.pk, today()) == [LegalHold.objects.get(pk=hold.pk)]
    assert main(["retention", "dates"]) == 0
    assert f"juridische blokkade {hold.pk} te heroverwegen" in capsys.readouterr().out


# ---------------------------------------------------------------- version 1 vs 2


def test_art9_records_made_before_1_july_2025_keep_version_1(region_a):
    old = close(region_a, make_case(region_a, family_name="Oudecasus"))
    new = close(region_a, make_case(region_a, family_name="Nieuwecasus"))
    # Data from before the system knew version 2: opened and closed before / after 1 July 2025.
    Case.objects.filter(pk=old.pk).update(opened_at=aware(date(2025, 3, 3)), status_changed_at=aware(date(2025, 4, 1)))
    Case.objects.filter(pk=new.pk).update(opened_at=aware(date(2025, 7, 1)), status_changed_at=aware(date(2025, 9, 1)))
    written_on = today() + timedelta(days=100)
    with at(written_on):  # a later write moves only the art. 9 (version 2) date
        for case in (old, new):
            record(
                region_a.users["case_director"], action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[case]
            )
    old_item = dates_of(old.subject)[old.reference]
    new_item = dates_of(new.subject)[new.reference]
    assert (old_item.schedule.version, old_item.rule) == (1, Basis.TRIGGER)
    assert old_item.destruction_date == date(2025, 4, 1) + timedelta(days=old_item.schedule.period_days)
    assert (new_item.schedule.version, new_item.rule) == (2, Basis.LAST_PROCESSING)
    assert new_item.destruction_date == written_on + timedelta(days=FIVE_YEARS)


# ---------------------------------------------------------------- report and overview


def test_art9_report_and_overview_name_the_rule_and_version_per_item(client, region_a, case_a):
    close(region_a, case_a)
    signal = open_signal(region_a, "Overzicht")
    on = today() + timedelta(days=FIVE_YEARS)
    officer = region_a.users["privacy_officer"]
    run = services.execute_run(services.approve_run(officer, run=services.propose_run(region_a.region, on)), on)
    rows = list(csv.DictReader(io.StringIO(services.report_csv(run)), fieldnames=services.REPORT_COLUMNS))[1:]
    items = {r["naam"]: r for r in rows if r["onderdeel"] == "gegeven"}
    assert items[case_a.reference]["regel"] == "last_processing"
    assert items[case_a.reference]["versie_bewaarschema"] == "2"
    assert items[case_a.reference]["laatste_verwerking"] == today().isoformat()
    assert items[signal.reference]["regel"] == "last_processing"

    other = make_case(region_a, family_name="Nogopen")
    close(region_a, other)
    login(client, officer)
    page = client.get(reverse("retention:overview")).content.decode()
    assert other.reference in page and "termijn na de laatste verwerking (art. 9 Wet PGA)" in page
    assert (today() + timedelta(days=FIVE_YEARS)).strftime("%Y") in page
    assert other.subject.family_name not in page  # references and dates only, never names


# ---------------------------------------------------------------- speed


def test_art9_due_list_computation_query_count_is_pinned_and_independent_of_persons(region_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            due = selectors.due_assessments(region_a.region, today() + timedelta(days=FIVE_YEARS))
        assert due
        return len(queries)

    # One of each kind of record first (a closed case, a non-included signal), then more persons.
    close(region_a, make_case(region_a, family_name="Snelheid"))
    open_signal(region_a, "Snelsignaal")
    few = count()
    for i in range(3):
        close(region_a, make_case(region_a, family_name=f"Meer{i}"))
        open_signal(region_a, f"Signaal{i}")
    assert count() == few == 12


def test_art9_overview_lists_a_hold_past_its_review_date(client, region_a, case_a):
    officer = region_a.users["privacy_officer"]
    hold = services.place_hold(
        officer,
        subject=case_a.subject,
        reason="court_case",
        explanation="Rechtsvordering.",
        review_date=today() + timedelta(days=10),
    )
    login(client, officer)
    page = client.get(reverse("retention:overview")).content.decode()
    assert "Heroverweging verlopen" not in page and "Geen blokkade wacht op heroverweging" in page
    LegalHold.objects.filter(pk=hold.pk).update(review_date=today() - timedelta(days=1))
    page = client.get(reverse("retention:overview")).content.decode()
    assert "Heroverweging verlopen" in page and str(hold.pk) in page


def test_art9_necessity_review_on_the_person_page(client, world):
    a, b = world["a"], world["b"]
    signal = open_signal(a, "Webtoets")
    url = reverse("retention:person", args=[signal.subject_id])
    login(client, a.users["privacy_officer"])
    page = client.get(url).content.decode()
    assert signal.reference in page and "termijn na de laatste verwerking (art. 9 Wet PGA)" in page
    assert "Webtoets" not in page  # references and dates, no names

    refused = client.post(url, {"outcome": NecessityOutcome.STILL_NECESSARY, "reason": ""})
    assert (
        refused.status_code == 400 and "Motiveer waarom de gegevens nog noodzakelijk zijn" in refused.content.decode()
    )
    assert not NecessityReview.objects.exists()  # nothing half-written

    done = client.post(url, {"outcome": NecessityOutcome.NO_LONGER_NECESSARY, "reason": "Geen zorgen meer."})
    assert done.status_code == 302
    review = NecessityReview.objects.get()
    assert (review.outcome, review.reviewed_by, review.reason) == (
        NecessityOutcome.NO_LONGER_NECESSARY,
        a.users["privacy_officer"],
        "Geen zorgen meer.",
    )
    assert ProcessingLogEntry.objects.filter(object_id=review.pk, action="create", purpose="retention").exists()
    assert "niet langer noodzakelijk: bij de volgende ronde" in client.get(url).content.decode()

    login(client, b.users["privacy_officer"])  # another region's privacy officer: not found
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": NecessityOutcome.NO_LONGER_NECESSARY}).status_code == 404
    assert NecessityReview.objects.count() == 1
