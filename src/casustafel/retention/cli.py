"""``casustafel retention``: schedules, run (propose), approve, execute, report (CSV/PDF), hold, lift.

Output never contains names: records are shown by kind, reference and dates.
"""

from __future__ import annotations

import sys
import uuid
from datetime import date
from pathlib import Path


def _setup() -> None:
    """Django, and a database scope over every region for the rest of this command.

    Retention is a system job over all tables (ADR 0009); its services still select and
    destroy per region. The scope lasts as long as this short-lived process.
    """
    from casustafel.cli import _setup as setup

    setup()
    from casustafel.access import rls

    rls.enter_system_scope()


def _fail(message) -> int:
    print(message, file=sys.stderr)
    return 2


def _messages(error: Exception) -> str:
    """A service's refusal (``PolicyDenied``) or its validation errors, as one line."""
    return " ".join(str(m) for m in getattr(error, "messages", [error]))


def _user(username):
    from casustafel.accounts.models import User

    return User.objects.select_related("organisation").filter(username=username).first()


def _run(identifier):
    from .models import DestructionRun

    field = "pk" if _is_uuid(identifier) else "reference"
    return DestructionRun.objects.select_related("region", "approved_by").filter(**{field: identifier}).first()


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def cmd_schedules(args) -> int:
    _setup()
    from .models import TO_BE_CONFIRMED_LABEL, RetentionSchedule

    for s in RetentionSchedule.objects.select_related("region").order_by("region__code", "trigger", "-version"):
        flag = f"  [{TO_BE_CONFIRMED_LABEL}]" if s.to_be_confirmed else ""
        print(
            f"{s.region.code if s.region else 'landelijk':<14} {s.get_trigger_display():<24} v{s.version} "
            f"geldig vanaf {s.valid_from}: {s.period_days} dagen, minderjarigen {s.minor_period_days} dagen{flag}"
        )
        print(f"    herkomst: {s.source}")
    return 0


def cmd_run(args) -> int:
    _setup()
    from .selectors import active_hold
    from .services import propose_runs

    runs = propose_runs(region_code=args.region)
    if not runs:
        print("Niets te vernietigen.")
        return 0
    for run in runs:
        print(f"Vernietigingsronde {run.reference} ({run.pk}) — regio {run.region.code}, status voorgesteld")
        print(f"  {'soort':<8} {'kenmerk':<20} {'aanleiding':<12} {'vernietigen':<12} schema")
        for item in run.items.order_by("kind", "reference"):
            notes = (" minderjarig" if item.minor else "") + (
                " [juridische blokkade]" if active_hold(item.subject_id) else ""
            )
            print(
                f"  {item.get_kind_display():<8} {item.reference:<20} {item.trigger_date!s:<12} "
                f"{item.destruction_date!s:<12} v{item.schedule_version}{notes}"
            )
        print(f"  Goedkeuren: casustafel retention approve {run.reference} --by GEBRUIKERSNAAM")
    return 0


def cmd_approve(args) -> int:
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from .services import approve_run

    run, user = _run(args.run), _user(args.by)
    if run is None:
        return _fail("Onbekende vernietigingsronde.")
    if user is None:
        return _fail("Onbekende gebruiker.")
    try:
        approve_run(user, run=run)
    except (ValidationError, PermissionDenied) as error:
        return _fail(_messages(error))
    print(
        f"Vernietigingsronde {run.reference} goedgekeurd door {user.username}. "
        f"Uitvoeren: casustafel retention execute {run.reference}"
    )
    return 0


def cmd_execute(args) -> int:
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from .services import execute_run

    run = _run(args.run)
    if run is None:
        return _fail("Onbekende vernietigingsronde.")
    try:
        run = execute_run(run)
    except (ValidationError, PermissionDenied) as error:
        return _fail(_messages(error))
    report = run.report
    print(
        f"Vernietigingsronde {run.reference} uitgevoerd: {report['persons_destroyed']} persoon/personen "
        f"vernietigd, {report['persons_held']} opgeschort door juridische blokkade, "
        f"{report['persons_skipped']} overgeslagen."
    )
    for reference in report["held"]:
        print(f"  juridische blokkade: {reference}")
    print(f"Verslag: casustafel retention report {run.reference} --csv PAD of --pdf PAD")
    return 0


def cmd_report(args) -> int:
    _setup()
    from .services import report_csv

    run = _run(args.run)
    if run is None:
        return _fail("Onbekende vernietigingsronde.")
    if args.pdf:
        from .report_pdf import render_report_pdf

        Path(args.pdf).write_bytes(render_report_pdf(run))
        print(f"Verslag (PDF) geschreven naar {args.pdf}")
    if args.csv:
        Path(args.csv).write_text(report_csv(run), encoding="utf-8")
        print(f"Verslag geschreven naar {args.csv}")
    elif not args.pdf:
        sys.stdout.write(report_csv(run))
    return 0


def _subject_for(target):
    """A person by pseudonymous id or by the reference of one of their signals or cases."""
    from casustafel.cases.models import Case
    from casustafel.signals.models import Signal
    from casustafel.subjects.models import Subject

    if _is_uuid(target):
        return Subject.objects.filter(pk=target).first()
    for model in (Case, Signal):
        found = model.objects.select_related("subject").filter(reference=target).first()
        if found is not None:
            return found.subject
    return None


def cmd_hold(args) -> int:
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from .services import place_hold

    subject, user = _subject_for(args.target), _user(args.by)
    if subject is None or user is None:
        return _fail("Onbekende persoon of gebruiker.")
    try:
        hold = place_hold(
            user, subject=subject, reason=args.reason, explanation=args.explanation, review_date=args.review_date
        )
    except (ValidationError, PermissionDenied) as error:
        return _fail(_messages(error))
    print(
        f"Juridische blokkade {hold.pk} vastgelegd; vernietiging is opgeschort tot opheffing. "
        f"Heroverwegen op {hold.review_date}."
    )
    return 0


def cmd_hold_review(args) -> int:
    """The hold was reviewed and is still needed for the legal claim: its next review date."""
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from .models import LegalHold
    from .services import review_hold

    hold = LegalHold.objects.filter(pk=args.hold).first() if _is_uuid(args.hold) else None
    user = _user(args.by)
    if hold is None or user is None:
        return _fail("Onbekende blokkade of gebruiker.")
    try:
        hold = review_hold(user, hold=hold, review_date=args.review_date)
    except (ValidationError, PermissionDenied) as error:
        return _fail(_messages(error))
    print(f"Juridische blokkade {hold.pk} heroverwogen; opnieuw heroverwegen op {hold.review_date}.")
    return 0


def cmd_review(args) -> int:
    """Art. 9 Wet PGA: record a necessity review of a person's data."""
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from .services import record_necessity_review

    subject, user = _subject_for(args.target), _user(args.by)
    if subject is None or user is None:
        return _fail("Onbekende persoon of gebruiker.")
    try:
        review = record_necessity_review(user, subject=subject, outcome=args.outcome, reason=args.reason or "")
    except (ValidationError, PermissionDenied) as error:
        return _fail(_messages(error))
    print(f"Noodzaaktoets vastgelegd: {review.get_outcome_display()}.")
    return 0


def cmd_dates(args) -> int:
    """Every record with its latest destruction date, rule and version (art. 9 Wet PGA); no names."""
    _setup()
    from django.utils import timezone

    from casustafel.accounts.models import Region

    from .models import rule_label
    from .selectors import holds_for_review, region_assessments

    on = timezone.localdate()
    regions = Region.objects.order_by("code")
    if args.region:
        regions = regions.filter(code=args.region)
    for region in regions:
        print(f"Regio {region.code}")
        for assessment in region_assessments(region.pk, on):
            review = f"  noodzaaktoets uiterlijk {assessment.review_due}" if assessment.review_due else ""
            blocked = f"  [loopt nog: {assessment.blocked}]" if assessment.blocked else ""
            for r in assessment.records:
                print(
                    f"  {r.kind:<7} {r.reference:<20} vernietigen uiterlijk {r.destruction_date}  "
                    f"{rule_label(r.rule, r.schedule.version, r.last_processing, r.no_longer_necessary)}"
                    f"{review}{blocked}"
                )
        for hold in holds_for_review(region.pk, on):
            print(f"  juridische blokkade {hold.pk} te heroverwegen (sinds {hold.review_date or 'onbekend'})")
    return 0


def cmd_lift(args) -> int:
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from .models import LegalHold
    from .services import lift_hold

    hold = LegalHold.objects.filter(pk=args.hold).first() if _is_uuid(args.hold) else None
    user = _user(args.by)
    if hold is None or user is None:
        return _fail("Onbekende blokkade of gebruiker.")
    try:
        lift_hold(user, hold=hold)
    except (ValidationError, PermissionDenied) as error:
        return _fail(_messages(error))
    print(f"Juridische blokkade {hold.pk} opgeheven.")
    return 0


def register(sub) -> None:
    retention = sub.add_parser("retention", help="bewaartermijnen: vernietigingsrondes en juridische blokkades")
    rsub = retention.add_subparsers(dest="retention_command", required=True)
    rsub.add_parser("schedules", help="bewaarschema's tonen").set_defaults(func=cmd_schedules)
    run = rsub.add_parser("run", help="verlopen gegevens voorstellen als vernietigingsronde (voor cron/systemd)")
    run.add_argument("--region", help="alleen deze regiocode")
    run.set_defaults(func=cmd_run)
    approve = rsub.add_parser("approve", help="vernietigingsronde goedkeuren (FG of functioneel beheerder)")
    approve.add_argument("run")
    approve.add_argument("--by", required=True, metavar="GEBRUIKERSNAAM")
    approve.set_defaults(func=cmd_approve)
    execute = rsub.add_parser("execute", help="goedgekeurde vernietigingsronde uitvoeren (onomkeerbaar)")
    execute.add_argument("run")
    execute.set_defaults(func=cmd_execute)
    report = rsub.add_parser("report", help="vernietigingsverslag (CSV naar stdout, of --csv/--pdf naar een bestand)")
    report.add_argument("run")
    report.add_argument("--csv", metavar="PAD")
    report.add_argument("--pdf", metavar="PAD")
    report.set_defaults(func=cmd_report)
    hold = rsub.add_parser("hold", help="juridische blokkade vastleggen (persoon-id of kenmerk signaal/casus)")
    hold.add_argument("target")
    hold.add_argument("--reason", required=True, choices=["complaint", "court_case", "other"])
    hold.add_argument("--explanation", required=True)
    hold.add_argument("--by", required=True, metavar="GEBRUIKERSNAAM")
    hold.add_argument(
        "--review-date", required=True, type=date.fromisoformat, metavar="JJJJ-MM-DD", help="heroverwegen op"
    )
    hold.set_defaults(func=cmd_hold)
    hold_review = rsub.add_parser("hold-review", help="juridische blokkade heroverwogen: nieuwe heroverwegingsdatum")
    hold_review.add_argument("hold")
    hold_review.add_argument("--review-date", required=True, type=date.fromisoformat, metavar="JJJJ-MM-DD")
    hold_review.add_argument("--by", required=True, metavar="GEBRUIKERSNAAM")
    hold_review.set_defaults(func=cmd_hold_review)
    review = rsub.add_parser("review", help="noodzaaktoets vastleggen (art. 9 Wet PGA; persoon-id of kenmerk)")
    review.add_argument("target")
    review.add_argument("--outcome", required=True, choices=["still_necessary", "no_longer_necessary"])
    review.add_argument("--reason", help="motivering (verplicht bij nog noodzakelijk)")
    review.add_argument("--by", required=True, metavar="GEBRUIKERSNAAM")
    review.set_defaults(func=cmd_review)
    dates = rsub.add_parser("dates", help="uiterste vernietigingsdatum, regel en versie per gegeven (art. 9)")
    dates.add_argument("--region", help="alleen deze regiocode")
    dates.set_defaults(func=cmd_dates)
    lift = rsub.add_parser("lift", help="juridische blokkade opheffen")
    lift.add_argument("hold")
    lift.add_argument("--by", required=True, metavar="GEBRUIKERSNAAM")
    lift.set_defaults(func=cmd_lift)
