"""Web views of the plan of action (Dutch UI).

A refused form is rendered again, bound, with its errors at the fields and its section
open (issue 12 item 8): the forms of a row (contact, end, edit of one intervention; the
acknowledgement of one conflict) carry ids of their own, so the error summary links to them.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.cases import blocking
from casustafel.cases import selectors as case_selectors
from casustafel.cases import states as case_states
from casustafel.cases import views as case_views
from casustafel.core.concurrency import StaleVersion, refuse_stale
from casustafel.core.errors import PolicyDenied
from casustafel.core.web import apply_service_errors
from casustafel.journal import selectors as journal_selectors

from . import selectors, services
from .forms import (
    AcknowledgeForm,
    CatalogueEntryForm,
    CheckInForm,
    ContactForm,
    EndForm,
    GoalEditForm,
    GoalForm,
    InterventionEditForm,
    InterventionForm,
    ReviewForm,
    TaskDoneForm,
)
from .models import CheckIn

#: How many of the newest journal entries the plan page shows (the rest on the journal page).
JOURNAL_ON_PLAN = 5


def _row(value) -> str:
    """The id part of a row's forms: the posted object id when it is one, else a neutral marker."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return "onbekend"


def _bound(form, key, row):
    """``form`` when it was posted for ``row`` (its hidden ``key``), else None."""
    if form is not None and _row(form.data.get(key)) == row:
        return form
    return None


def _intervention_rows(request, case, plan, forms, can_manage):
    rows = []
    if plan is None:
        return rows
    open_case = case.status != case_states.CLOSED
    for i in plan.interventions.all():
        row = str(i.pk)
        can_deliver = (
            open_case and not i.ended_on and policy.can(request.user, policy.Action.PLAN_INTERVENTION_DELIVER, i)
        )
        entry = {
            "obj": i,
            "drift": selectors.drift_reasons(i),
            "delivery": selectors.delivery(i),
            "contacts": list(i.contacts.all()),
            "can_deliver": can_deliver,
        }
        if can_deliver:
            initial = {"intervention": i.pk}
            entry["contact_form"] = _bound(forms.get("contact_form"), "intervention", row) or ContactForm(
                initial=initial, auto_id=f"contact-{row}-%s"
            )
            entry["end_form"] = _bound(forms.get("end_form"), "intervention", row) or EndForm(
                initial=initial, auto_id=f"end-{row}-%s"
            )
            entry["edit_form"] = _bound(forms.get("intervention_edit_form"), "intervention", row) or (
                InterventionEditForm(
                    initial={
                        **initial,
                        "starts_on": i.starts_on,
                        "planned_end": i.planned_end,
                        "planned_sessions": i.planned_sessions,
                        "version": i.version,
                    },
                    auto_id=f"edit-{row}-%s",
                )
            )
            entry["open"] = any(entry[k].is_bound for k in ("contact_form", "end_form", "edit_form"))
        rows.append(entry)
    return rows


def _goal_rows(plan, forms, can_manage):
    rows = []
    for goal in plan.goals.all() if plan else []:
        row = str(goal.pk)
        entry = {"obj": goal}
        if can_manage:
            entry["form"] = _bound(forms.get("goal_edit_form"), "goal", row) or GoalEditForm(
                initial={
                    "goal": goal.pk,
                    "domain": goal.domain,
                    "description": goal.description,
                    "version": goal.version,
                },
                auto_id=f"goal-{row}-%s",
            )
        rows.append(entry)
    return rows


def _conflict_rows(case, conflicts, forms):
    # The owner choices: the case's participants (prefetched with the case), once for every form.
    owners = [("", "—")] + [(p.organisation_id, str(p.organisation)) for p in case.participants.all()]
    for c in conflicts:
        row = c.rule.code
        posted = forms.get("acknowledge_form")
        if posted is not None and posted.data.get("rule") == row:
            c.form = posted
        else:
            c.form = AcknowledgeForm(initial={"rule": row}, case=case, auto_id=f"ack-{row}-%s")
        c.form.fields["owner"].choices = owners
    return conflicts


def _context(request, case, **forms):
    plan = selectors.plan_for_case(request.user, case)
    can_manage = policy.can(request.user, policy.Action.CASE_MANAGE, case) and case.status != case_states.CLOSED
    entries = list(selectors.active_entries())
    interventions = _intervention_rows(request, case, plan, forms, can_manage)
    goals = list(plan.goals.all()) if plan else []
    tasks = list(plan.coordination_tasks.all()) if plan else []
    for task in tasks:
        task.plan.case = case
        task.can_complete = (
            not task.done
            and case.status != case_states.CLOSED
            and policy.can(request.user, policy.Action.PLAN_TASK_COMPLETE, task)
        )
    checkins = list(CheckIn.objects.filter(case=case).select_related("organisation", "recorded_by"))
    can_record = (
        case.status == case_states.CLOSED
        and bool(checkins)
        and policy.can(request.user, policy.Action.CASE_MANAGE, case)
    )
    for checkin in checkins:
        checkin.opens_on = services.checkin_opens_on(checkin)
        checkin.follow_up = services.checkin_follow_up(checkin)
    context = {
        "case": case,
        "plan": plan,
        "can_manage": can_manage,
        "goals": goals,
        "goal_rows": _goal_rows(plan, forms, can_manage),
        "interventions": interventions,
        "drifting": [i for i in interventions if i["drift"]],
        "conflicts": _conflict_rows(case, selectors.conflicts(plan), forms) if plan else [],
        "coordination_tasks": tasks,
        "task_form": forms.get("task_form"),
        "checkins": checkins,
        "can_record_checkin": can_record,
        "checkin_form": forms.get("checkin_form"),
        "checkin_organisations": CheckInForm(case=case).fields["organisation"].queryset if can_record else [],
        "today": timezone.localdate(),
        "may_register_signal": policy.can(request.user, policy.Action.SIGNAL_CREATE),
        "reviews": selectors.review_table(plan) if plan else None,
        "catalogue_groups": selectors.catalogue_groups(),
        "journal_entries": journal_selectors.entries_for_case(request.user, case, limit=JOURNAL_ON_PLAN),
    }
    # A posted row form that found no row (an intervention of another plan, a conflict that is
    # gone): its errors are shown above its section rather than lost.
    placed = {id(i[k]) for i in interventions for k in ("contact_form", "end_form", "edit_form") if k in i}
    placed |= {id(r["form"]) for r in context["goal_rows"] if "form" in r}
    placed |= {id(c.form) for c in context["conflicts"]}
    context["unplaced_forms"] = [
        f
        for name in ("contact_form", "end_form", "intervention_edit_form", "goal_edit_form", "acknowledge_form")
        if (f := forms.get(name)) is not None and id(f) not in placed
    ]
    if can_manage:
        context.update(
            goal_form=forms.get("goal_form") or GoalForm(),
            intervention_form=forms.get("intervention_form") or InterventionForm(case=case, entries=entries),
            acknowledge_form=forms.get("acknowledge_form"),
            review_form=forms.get("review_form") or (ReviewForm(goals=goals) if goals else None),
        )
    return context


@require_GET
def plan_detail(request, pk):
    case = case_selectors.get_case(request.user, pk)
    return TemplateResponse(request, "plans/plan_detail.html", _context(request, case))


def _managed(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    return case


def _handle(request, case, form, form_name, call, success):
    status = 400
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except StaleVersion as stale:
            status = refuse_stale(form, stale)
        except PolicyDenied as refusal:
            # A refusal that depends on what was chosen in the form (which task), on a plan
            # the user may see, is shown on the form; anything else is "not found" (ADR 0003).
            if not refusal.visible:
                raise
            apply_service_errors(form, refusal)
        else:
            messages.success(request, success)
            return redirect("plans:plan", pk=case.pk)
    return TemplateResponse(
        request, "plans/plan_detail.html", _context(request, case, **{form_name: form}), status=status
    )


@require_POST
def goal_add(request, pk):
    case = _managed(request, pk)
    return _handle(
        request,
        case,
        GoalForm(request.POST),
        "goal_form",
        lambda d: services.add_goal(request.user, case=case, domain=d["domain"], description=d["description"]),
        _("Het doel is toegevoegd."),
    )


@require_POST
def intervention_add(request, pk):
    case = _managed(request, pk)
    form = InterventionForm(request.POST, case=case, entries=selectors.active_entries())
    return _handle(
        request,
        case,
        form,
        "intervention_form",
        lambda d: services.add_intervention(
            request.user,
            case=case,
            entry_code=d["entry"],
            organisation=d["organisation"],
            starts_on=d["starts_on"],
            planned_end=d["planned_end"],
            planned_sessions=d["planned_sessions"],
        ),
        _("De interventie is toegevoegd."),
    )


def _plan_reader(request, pk):
    """A case whose plan the user may see: the carrying organisations record delivery on it
    (the service decides per intervention, ``policy.Action.PLAN_INTERVENTION_DELIVER``)."""
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_PLAN_VIEW, case)
    return case


@require_POST
def intervention_end(request, pk):
    case = _plan_reader(request, pk)
    row = _row(request.POST.get("intervention"))
    return _handle(
        request,
        case,
        EndForm(request.POST, auto_id=f"end-{row}-%s"),
        "end_form",
        lambda d: services.end_intervention(
            request.user, case=case, intervention_id=d["intervention"], ended_on=d["ended_on"], note=d["note"]
        ),
        _("De interventie is beëindigd."),
    )


@require_POST
def contact_add(request, pk):
    case = _plan_reader(request, pk)
    row = _row(request.POST.get("intervention"))
    return _handle(
        request,
        case,
        ContactForm(request.POST, auto_id=f"contact-{row}-%s"),
        "contact_form",
        lambda d: services.log_contact(
            request.user, case=case, intervention_id=d["intervention"], on=d["date"], held=d["held"], note=d["note"]
        ),
        _("Het contact is vastgelegd."),
    )


@require_POST
def intervention_edit(request, pk):
    case = _plan_reader(request, pk)
    row = _row(request.POST.get("intervention"))
    form = InterventionEditForm(request.POST, auto_id=f"edit-{row}-%s")
    return _handle(
        request,
        case,
        form,
        "intervention_edit_form",
        lambda d: services.update_intervention(
            request.user,
            case=case,
            intervention_id=d["intervention"],
            starts_on=d["starts_on"],
            planned_end=d["planned_end"],
            planned_sessions=d["planned_sessions"],
            expected_version=d["version"],
        ),
        _("De interventie is gewijzigd."),
    )


@require_POST
def goal_edit(request, pk):
    case = _managed(request, pk)
    row = _row(request.POST.get("goal"))
    return _handle(
        request,
        case,
        GoalEditForm(request.POST, auto_id=f"goal-{row}-%s"),
        "goal_edit_form",
        lambda d: services.update_goal(
            request.user,
            case=case,
            goal_id=d["goal"],
            domain=d["domain"],
            description=d["description"],
            expected_version=d["version"],
        ),
        _("Het doel is gewijzigd."),
    )


@require_POST
def acknowledge(request, pk):
    case = _managed(request, pk)
    rule = request.POST.get("rule", "")
    row = rule if rule.replace("-", "").replace("_", "").isalnum() and len(rule) <= 60 else "onbekend"
    return _handle(
        request,
        case,
        AcknowledgeForm(request.POST, case=case, auto_id=f"ack-{row}-%s"),
        "acknowledge_form",
        lambda d: services.acknowledge(
            request.user,
            case=case,
            rule_code=d["rule"],
            reason=d["reason"],
            coordination=d["coordination"],
            owner=d["owner"],
            due_on=d["due_on"],
        ),
        _("Het conflict is erkend."),
    )


@require_POST
def review_add(request, pk):
    case = _managed(request, pk)
    plan = selectors.plan_for_case(request.user, case)
    form = ReviewForm(request.POST, goals=list(plan.goals.all()) if plan else [])
    return _handle(
        request,
        case,
        form,
        "review_form",
        lambda d: services.add_review(
            request.user,
            case=case,
            held_on=d["held_on"],
            narrative=d["narrative"],
            scores=form.scores(),
            instrument=d["instrument"],
            assessor=d["assessor"],
            assessed_on=d["assessed_on"],
            conclusion=d["conclusion"],
            scenarios=d["scenarios"],
        ),
        _("De evaluatie is vastgelegd."),
    )


@require_POST
def task_done(request, pk):
    """Mark a coordination task done: the owner organisation or the case's managers (decided by the service)."""
    case = case_selectors.get_case(request.user, pk)
    return _handle(
        request,
        case,
        TaskDoneForm(request.POST),
        "task_form",
        lambda d: services.complete_task(request.user, case=case, task_id=d["task"], outcome=d["outcome"]),
        _("De afstemmingsactie is afgerond."),
    )


@require_POST
def checkin_record(request, pk):
    # After closure the case is blocked (Wet PGA art. 6 lid 3): check-ins work on its
    # minimum, on the closed-case page of the cases app.
    case = blocking.get_closed_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = CheckInForm(request.POST, case=case)
    if form.is_valid():
        d = form.cleaned_data
        try:
            checkin = services.record_checkin(
                request.user,
                case=case,
                checkin_id=d["checkin"],
                held_on=d["held_on"],
                organisation=d["organisation"],
                new_concerns=d["new_concerns"],
                note=d["note"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Het opvolgmoment is vastgelegd."))
            follow_up = services.checkin_follow_up(checkin)
            if follow_up:
                messages.warning(request, follow_up)
            return redirect("cases:closed_case", pk=case.pk)
    return case_views.render_closed_case(request, case, checkin_form=form, status=400)


@require_http_methods(["GET", "POST"])
def catalogue(request):
    policy.require(request.user, policy.Action.CATALOGUE_VIEW)
    manage = policy.can(request.user, policy.Action.CATALOGUE_MANAGE)
    form = None
    if manage:
        form = CatalogueEntryForm(request.POST or None)
    if request.method == "POST":
        if not manage:
            raise Http404
        if form.is_valid():
            try:
                services.add_catalogue_entry(request.user, data=form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Er is een nieuwe catalogusversie vastgelegd."))
                return redirect("plans:catalogue")
    return TemplateResponse(
        request,
        "plans/catalogue.html",
        {"catalogue_groups": selectors.catalogue_groups(), "form": form, "rules": selectors.active_rules()},
        status=400 if request.method == "POST" else 200,
    )
