"""Writes to plans: every change checks the access policy, locks what it changes and is
recorded in the processing log in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import Organisation, OrganisationKind, User
from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.core.concurrency import check_version
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from . import bounds, loader, selectors
from .models import (
    DEFAULT_CHECKIN_MONTHS,
    Acknowledgement,
    CatalogueEntry,
    CatalogueVersion,
    CheckIn,
    Contact,
    CoordinationTask,
    Goal,
    GoalScore,
    Instrument,
    InterferenceRule,
    Intervention,
    LifeDomain,
    Plan,
    Review,
    Score,
    checkin_window_days,
    review_interval_days,
)

LIMIT = 2000


def _locked_case(actor, case) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_MANAGE, case)
    if case.status == case_states.CLOSED:
        raise ValidationError(
            {"status": _("De casus is afgesloten; het plan van aanpak kan niet meer worden gewijzigd.")}, code="closed"
        )
    return case


def _plan(actor, case) -> Plan:
    plan = Plan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        plan = Plan.objects.create(
            case=case, created_by=actor, next_review_due=timezone.localdate() + timedelta(days=review_interval_days())
        )
        record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[plan])
    plan.case = case
    return plan


def _text(value, name, errors, message, *, required=True, limit=LIMIT):
    value = (value or "").strip()
    if required and not value:
        errors[name] = message
    elif len(value) > limit:
        errors[name] = _("Maximaal %(n)s tekens.") % {"n": limit}
    return value


@transaction.atomic
def add_goal(actor: User, *, case, domain: str, description: str) -> Goal:
    case = _locked_case(actor, case)
    errors: dict[str, str] = {}
    if domain not in LifeDomain.values:
        errors["domain"] = _("Kies een leefgebied.")
    description = _text(description, "description", errors, _("Beschrijf het doel."))
    if errors:
        raise ValidationError(errors)
    plan = _plan(actor, case)
    goal = Goal.objects.create(plan=plan, domain=domain, description=description)
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[goal])
    return goal


@transaction.atomic
def add_intervention(
    actor: User, *, case, entry_code: str, organisation, starts_on: date, planned_end: date, planned_sessions: int = 0
) -> Intervention:
    case = _locked_case(actor, case)
    errors: dict[str, str] = {}
    entry = CatalogueEntry.objects.filter(code=entry_code, is_active=True).first()
    if entry is None:
        errors["entry"] = _("Kies een maatregel of interventie uit de catalogus.")
    if not isinstance(organisation, Organisation) or organisation.region_id != case.region_id:
        errors["organisation"] = _("Kies een organisatie van deze casustafel.")
    elif entry is not None and organisation.kind not in entry.organisation_kinds:
        errors["organisation"] = _("%(org)s is niet bevoegd om ‘%(name)s’ uit te voeren; bevoegd zijn: %(kinds)s.") % {
            "org": organisation.name,
            "name": entry.name,
            "kinds": ", ".join(str(OrganisationKind(k).label) for k in entry.organisation_kinds),
        }
    errors.update(_schedule_errors(starts_on, planned_end, planned_sessions))
    if errors or entry is None:
        raise ValidationError(errors)
    plan = _plan(actor, case)
    intervention = Intervention.objects.create(
        plan=plan,
        entry=entry,
        organisation=organisation,
        legal_basis=entry.legal_basis,
        enforced=entry.enforced,
        starts_on=starts_on,
        planned_end=planned_end,
        planned_sessions=planned_sessions,
        created_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[intervention])
    return intervention


def _changed(obj, values: dict) -> list[str]:
    """Set ``values`` on ``obj``; the names of the fields that really changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


@transaction.atomic
def update_goal(
    actor: User,
    *,
    case,
    goal_id,
    domain: str,
    description: str,
    expected_version: int | None = None,
    via_api: bool = False,
) -> Goal:
    """Edit a goal (its life domain and description): whoever may manage the plan; logged as a
    change; refused when the goal changed since ``expected_version`` was read (ADR 0052)."""
    case = _locked_case(actor, case)
    try:
        goal = Goal.objects.select_for_update().get(pk=goal_id, plan__case=case)
    except (Goal.DoesNotExist, ValueError, TypeError, ValidationError):
        raise ValidationError({"goal": _("Kies een doel uit dit plan.")}) from None
    check_version(goal, expected_version)
    errors: dict[str, str] = {}
    if domain not in LifeDomain.values:
        errors["domain"] = _("Kies een leefgebied.")
    description = _text(description, "description", errors, _("Beschrijf het doel."))
    if errors:
        raise ValidationError(errors)
    changed = _changed(goal, {"domain": domain, "description": description})
    if changed:
        goal.updated_at, goal.updated_by = timezone.now(), actor
        goal.save(update_fields=[*changed, "updated_at", "updated_by"])
        record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[goal], via_api=via_api)
    return goal


@transaction.atomic
def update_intervention(
    actor: User,
    *,
    case,
    intervention_id,
    starts_on: date,
    planned_end: date,
    planned_sessions: int,
    expected_version: int | None = None,
    via_api: bool = False,
) -> Intervention:
    """Edit an intervention's period and planned sessions: the case's managers, or the carrying
    organisation for its own intervention (``PLAN_INTERVENTION_DELIVER``); dates within the plan
    bounds (``bounds``), the end not before the start, the start not after its first contact;
    logged as a change (processing log, ``updated_at``/``updated_by`` shown on the plan); refused
    when it changed since ``expected_version`` was read (ADR 0052)."""
    case, intervention = _delivered_intervention(actor, case, intervention_id)
    check_version(intervention, expected_version)
    errors = _schedule_errors(starts_on, planned_end, planned_sessions)
    values = {"starts_on": starts_on, "planned_end": planned_end, "planned_sessions": planned_sessions}
    if intervention.ended_on:
        errors["intervention"] = _("Een beëindigde interventie kan niet meer worden gewijzigd.")
    if isinstance(starts_on, date) and "starts_on" not in errors:
        first = intervention.contacts.order_by("date").values_list("date", flat=True).first()
        if first is not None and starts_on > first:
            errors["starts_on"] = _("Er is al een contact vastgelegd op %(date)s; de start ligt niet later.") % {
                "date": first.strftime("%d-%m-%Y")
            }
    if errors:
        raise ValidationError(errors)
    changed = _changed(intervention, values)
    if changed:
        intervention.updated_at, intervention.updated_by = timezone.now(), actor
        intervention.save(update_fields=[*changed, "updated_at", "updated_by"])
        record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[intervention], via_api=via_api)
    return intervention


def _schedule_errors(starts_on, planned_end, planned_sessions) -> dict[str, str]:
    """An intervention's period and sessions: within the plan bounds, the end not before the start."""
    errors: dict[str, str] = {}
    if message := bounds.out_of_bounds(starts_on, missing=_("Geef de startdatum.")):
        errors["starts_on"] = message
    if message := bounds.out_of_bounds(planned_end, missing=_("Geef de geplande einddatum.")):
        errors["planned_end"] = message
    elif isinstance(starts_on, date) and planned_end < starts_on:
        errors["planned_end"] = _("De geplande einddatum ligt vóór de startdatum.")
    if not isinstance(planned_sessions, int) or not 0 <= planned_sessions <= 1000:
        errors["planned_sessions"] = _("Geef het aantal geplande contacten (0 tot 1000).")
    return errors


def _intervention(case, intervention_id) -> Intervention:
    try:
        intervention = (
            Intervention.objects.select_for_update().select_related("entry").get(pk=intervention_id, plan__case=case)
        )
    except (Intervention.DoesNotExist, ValueError, TypeError, ValidationError):
        raise ValidationError({"intervention": _("Kies een interventie uit dit plan.")}) from None
    intervention.plan = Plan.objects.get(case=case)
    intervention.plan.case = case
    return intervention


def _delivered_intervention(actor, case, intervention_id) -> tuple[Case, Intervention]:
    """The locked case and intervention the actor records delivery of (``PLAN_INTERVENTION_DELIVER``):
    the case's managers, or the organisation that carries the intervention out."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_PLAN_VIEW, case)
    if case.status == case_states.CLOSED:
        raise ValidationError(
            {"status": _("De casus is afgesloten; het plan van aanpak kan niet meer worden gewijzigd.")}, code="closed"
        )
    intervention = _intervention(case, intervention_id)
    policy.require(actor, policy.Action.PLAN_INTERVENTION_DELIVER, intervention)
    return case, intervention


@transaction.atomic
def end_intervention(
    actor: User, *, case, intervention_id, ended_on: date, note: str = "", via_api: bool = False
) -> Intervention:
    """End (complete) an intervention with a note: the case's managers or the carrying organisation."""
    case, intervention = _delivered_intervention(actor, case, intervention_id)
    errors: dict[str, str] = {}
    if intervention.ended_on:
        errors["intervention"] = _("Deze interventie is al beëindigd.")
    if message := bounds.out_of_bounds(ended_on, missing=_("Geef de einddatum."), future=False):
        errors["ended_on"] = message
    elif ended_on < intervention.starts_on:
        errors["ended_on"] = _("De einddatum ligt vóór de startdatum.")
    note = _text(note, "note", errors, "", required=False)
    if errors:
        raise ValidationError(errors)
    intervention.ended_on, intervention.end_note = ended_on, note
    intervention.save(update_fields=["ended_on", "end_note"])
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[intervention], via_api=via_api)
    return intervention


@transaction.atomic
def log_contact(
    actor: User, *, case, intervention_id, on: date, held: bool, note: str = "", via_api: bool = False
) -> Contact:
    """Record a contact of an intervention: the case's managers or the carrying organisation."""
    case, intervention = _delivered_intervention(actor, case, intervention_id)
    errors: dict[str, str] = {}
    if intervention.ended_on:
        errors["intervention"] = _("Deze interventie is al beëindigd.")
    if message := bounds.out_of_bounds(on, missing=_("Geef de datum van het contact."), future=False):
        errors["date"] = message
    elif on < intervention.starts_on:
        errors["date"] = _("De datum ligt vóór de start van de interventie.")
    if not isinstance(held, bool):
        errors["held"] = _("Geef aan of het contact is doorgegaan.")
    note = _text(note, "note", errors, "", required=False)
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.create(intervention=intervention, date=on, held=held, note=note, by=actor)
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[contact], via_api=via_api)
    return contact


@transaction.atomic
def acknowledge(
    actor: User, *, case, rule_code: str, reason: str, coordination: str = "", owner=None, due_on: date | None = None
) -> Acknowledgement:
    """Acknowledge a conflict in the plan with a reason; optionally create a coordination action."""
    case = _locked_case(actor, case)
    plan = _plan(actor, case)
    plan = selectors.plan_queryset().get(pk=plan.pk)
    plan.case = case
    errors: dict[str, str] = {}
    found = {c.rule.code: c for c in selectors.conflicts(plan)}
    if rule_code not in found:
        errors["rule"] = _("Dit plan bevat geen conflict met deze code.")
    elif found[rule_code].acknowledgement:
        errors["rule"] = _("Dit conflict is al erkend.")
    reason = _text(reason, "reason", errors, _("Geef de reden waarom het plan ondanks dit conflict doorgaat."))
    coordination = _text(coordination, "coordination", errors, "", required=False)
    if coordination or owner or due_on:
        if not coordination:
            errors["coordination"] = _("Beschrijf de afstemmingsactie.")
        if not isinstance(owner, Organisation) or owner.region_id != case.region_id:
            errors["owner"] = _("Een afstemmingsactie heeft een eigenaar: een organisatie van deze casustafel.")
        if not isinstance(due_on, date) or due_on < timezone.localdate():
            errors["due_on"] = _("Geef een uiterste datum die niet in het verleden ligt.")
        elif message := bounds.out_of_bounds(due_on, missing=""):
            errors["due_on"] = message
    if errors:
        raise ValidationError(errors)
    rule = found[rule_code].rule
    ack = Acknowledgement.objects.create(plan=plan, rule=rule, reason=reason, by=actor)
    written: list[Acknowledgement | CoordinationTask] = [ack]
    if coordination and isinstance(due_on, date):
        written.append(
            CoordinationTask.objects.create(plan=plan, rule=rule, description=coordination, owner=owner, due_on=due_on)
        )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=written)
    return ack


@transaction.atomic
def add_review(
    actor: User,
    *,
    case,
    held_on: date,
    narrative: str,
    scores: dict,
    instrument: str = "",
    assessor: str = "",
    assessed_on: date | None = None,
    conclusion: str = "",
    scenarios: str = "",
) -> Review:
    """A periodic review: a score per goal and a narrative; the next review is due one interval later."""
    try:
        case = _locked_case(actor, case)
    except ValidationError as error:
        if getattr(error, "code", None) == "closed" or "status" in getattr(error, "error_dict", {}):
            raise ValidationError({"status": _("Een afgesloten casus kan niet worden geëvalueerd.")}) from None
        raise
    plan = _plan(actor, case)
    goals = {str(g.pk): g for g in plan.goals.all()}
    errors: dict[str, str] = {}
    if not isinstance(held_on, date) or held_on > timezone.localdate():
        errors["held_on"] = _("Geef een evaluatiedatum die niet in de toekomst ligt.")
    elif message := bounds.out_of_bounds(held_on, missing=""):
        errors["held_on"] = message
    narrative = _text(narrative, "narrative", errors, _("Geef een toelichting op de voortgang."), limit=10000)
    if not goals:
        errors["scores"] = _("Het plan heeft nog geen doelen om te evalueren.")
    elif not isinstance(scores, dict) or {str(k) for k in scores} != set(goals):
        errors["scores"] = _("Geef voor elk doel een score.")
    elif any(s not in Score.values for s in scores.values()):
        errors["scores"] = _("Een score ligt tussen 1 en 5.")

    if instrument and instrument not in Instrument.values:
        errors["instrument"] = _("Kies een instrument uit de lijst.")
    assessor = _text(assessor, "assessor", errors, _("Geef de beoordelaar."), required=bool(instrument), limit=200)
    conclusion = _text(
        conclusion,
        "conclusion",
        errors,
        _("Geef de conclusie van de beoordeling."),
        required=bool(instrument),
        limit=4000,
    )
    scenarios = _text(scenarios, "scenarios", errors, "", required=False, limit=4000)
    if instrument and (not isinstance(assessed_on, date) or assessed_on > timezone.localdate()):
        errors["assessed_on"] = _("Geef de datum van de beoordeling (niet in de toekomst).")
    if not instrument and (assessor or conclusion or scenarios or assessed_on):
        errors["instrument"] = _("Kies het gebruikte instrument.")
    if errors:
        raise ValidationError(errors)
    review = Review.objects.create(
        plan=plan,
        held_on=held_on,
        narrative=narrative,
        by=actor,
        instrument=instrument,
        assessor=assessor,
        assessed_on=assessed_on if instrument else None,
        conclusion=conclusion,
        scenarios=scenarios,
    )
    rows = GoalScore.objects.bulk_create(
        GoalScore(review=review, goal=goals[str(k)], score=v) for k, v in scores.items()
    )
    for row in rows:
        row.review = review
    plan.next_review_due = held_on + timedelta(days=review_interval_days())
    plan.save(update_fields=["next_review_due"])
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[review, *rows])
    return review


@transaction.atomic
def complete_task(actor: User, *, case, task_id, outcome: str, via_api: bool = False) -> CoordinationTask:
    """Mark a coordination task done with what was agreed (``policy.Action.PLAN_TASK_COMPLETE``).

    The task's owner organisation or whoever manages the case; once only; not after closure.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_VIEW, case)
    try:
        task = (
            CoordinationTask.objects.select_for_update(of=("self",))
            .select_related("plan", "owner")
            .get(pk=task_id, plan__case=case)
        )
    except (CoordinationTask.DoesNotExist, ValueError, TypeError, ValidationError):
        raise ValidationError({"task": _("Kies een afstemmingsactie uit dit plan.")}) from None
    task.plan.case = case
    policy.require(actor, policy.Action.PLAN_TASK_COMPLETE, task)
    if case.status == case_states.CLOSED:
        raise ValidationError(
            {"status": _("De casus is afgesloten; afstemmingsacties kunnen niet meer worden afgerond.")}, code="closed"
        )
    if task.done:
        raise ValidationError(
            {
                "task": _("Deze afstemmingsactie is al afgerond op %(date)s.")
                % {"date": timezone.localtime(task.done_at).strftime("%d-%m-%Y") if task.done_at else "—"}
            },
            code="done",
        )
    errors: dict[str, str] = {}
    outcome = _text(outcome, "outcome", errors, _("Beschrijf wat er is afgesproken."))
    if errors:
        raise ValidationError(errors)
    task.done, task.done_at, task.done_by, task.outcome = True, timezone.now(), actor, outcome
    task.save(update_fields=["done", "done_at", "done_by", "outcome"])
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[task], via_api=via_api)
    return task


def checkin_opens_on(checkin: CheckIn) -> date:
    """The first day a check-in may be recorded: its due date minus ``checkin_window_days()``."""
    return checkin.due_on - timedelta(days=checkin_window_days())


def checkin_follow_up(checkin: CheckIn) -> str:
    """What to do after a recorded check-in (empty without new concerns).

    New concerns do not reopen the case here: a new signal about the person is registered,
    and the meetings agenda builder then proposes reopening the closed case
    (``flow.selectors.reopening_proposals``).
    """
    if not checkin.new_concerns:
        return ""
    return _(
        "Er zijn nieuwe zorgen. Laat een nieuw signaal over deze persoon registreren; het volgende "
        "casusoverleg krijgt dan een voorstel tot heropening van de casus op de agenda."
    )


@transaction.atomic
def record_checkin(
    actor: User, *, case, checkin_id, held_on: date, organisation, new_concerns: bool, note: str, via_api: bool = False
) -> CheckIn:
    """Record a post-closure check-in (case director or participating process director), once."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_MANAGE, case)
    try:
        checkin = CheckIn.objects.select_for_update().get(pk=checkin_id, case=case)
    except (CheckIn.DoesNotExist, ValueError, TypeError, ValidationError):
        raise ValidationError({"checkin": _("Kies een opvolgmoment van deze casus.")}) from None
    checkin.case = case
    if case.status != case_states.CLOSED:
        raise ValidationError(
            {
                "status": _(
                    "Een opvolgmoment na afsluiting hoort bij een afgesloten casus; deze "
                    "casus is niet (meer) afgesloten."
                )
            },
            code="not_closed",
        )
    if checkin.done_on:
        raise ValidationError(
            {
                "checkin": _("Dit opvolgmoment is al vastgelegd (gehouden op %(date)s).")
                % {"date": checkin.done_on.strftime("%d-%m-%Y")}
            },
            code="done",
        )
    today, opens = timezone.localdate(), checkin_opens_on(checkin)
    if today < opens:
        raise ValidationError(
            {
                "checkin": _("Dit opvolgmoment (gepland op %(due)s) kan pas vanaf %(opens)s worden vastgelegd.")
                % {"due": checkin.due_on.strftime("%d-%m-%Y"), "opens": opens.strftime("%d-%m-%Y")}
            },
            code="too_early",
        )
    errors: dict[str, str] = {}
    if not isinstance(held_on, date) or held_on > today:
        errors["held_on"] = _("Geef de datum van het gesprek (niet in de toekomst).")
    elif held_on < opens:
        errors["held_on"] = _("Het gesprek ligt te ver vóór het geplande opvolgmoment (vanaf %(opens)s).") % {
            "opens": opens.strftime("%d-%m-%Y")
        }
    if not isinstance(organisation, Organisation) or organisation.region_id != case.region_id:
        errors["organisation"] = _("Kies de organisatie van deze casustafel waarmee het gesprek is gevoerd.")
    if not isinstance(new_concerns, bool):
        errors["new_concerns"] = _("Geef aan of er nieuwe zorgen zijn.")
    note = _text(note, "note", errors, _("Geef een korte notitie van het gesprek."))
    if errors:
        raise ValidationError(errors)
    checkin.done_on, checkin.organisation = held_on, organisation
    checkin.new_concerns, checkin.note = new_concerns, note
    checkin.recorded_by, checkin.recorded_at = actor, timezone.now()
    checkin.save(update_fields=["done_on", "organisation", "new_concerns", "note", "recorded_by", "recorded_at"])
    record(actor, action=Action.UPDATE, purpose=Purpose.CASE_MANAGEMENT, objects=[checkin], via_api=via_api)
    return checkin


def schedule_checkins(case, months=DEFAULT_CHECKIN_MONTHS) -> list[CheckIn]:
    """Post-closure check-ins (default 6 and 12 months after closing); idempotent."""
    closed = timezone.localdate()
    made = []
    for m in months:
        year, month = divmod(closed.month - 1 + m, 12)
        day = min(closed.day, 28)
        due = closed.replace(year=closed.year + year, month=month + 1, day=day)
        checkin, created = CheckIn.objects.get_or_create(case_id=case.pk, due_on=due, defaults={"months": m})
        if created:
            made.append(checkin)
    return made


@transaction.atomic
def add_catalogue_entry(actor: User, *, data: dict) -> CatalogueEntry:
    """The functional administrator adds a measure: a new catalogue version (old plans keep theirs)."""
    policy.require(actor, policy.Action.CATALOGUE_MANAGE)
    current = CatalogueVersion.objects.select_for_update().order_by("-version").first()
    entries = list(CatalogueEntry.objects.filter(catalogue=current)) if current else []
    rules = list(InterferenceRule.objects.filter(catalogue=current)) if current else []
    spec = {
        "version": (current.version if current else 0) + 1,
        "note": data.get("note", ""),
        "source": current.source if current else "",
        "entries": [{k: getattr(e, k) for k in (*loader.ENTRY_FIELDS, "enforced")} for e in entries],
        "rules": [{k: getattr(r, k) for k in (*loader.RULE_FIELDS, "owner_kind")} for r in rules],
    }
    if any(e["code"] == data.get("code") for e in spec["entries"]):
        raise ValidationError({"code": _("Deze code bestaat al in de catalogus.")})
    spec["entries"].append({k: data.get(k) for k in (*loader.ENTRY_FIELDS, "enforced")})
    catalogue, _created = loader.load(spec, CatalogueVersion, CatalogueEntry, InterferenceRule)
    return CatalogueEntry.objects.get(catalogue=catalogue, code=data["code"])
