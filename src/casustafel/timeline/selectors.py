"""The timeline of a case and of a person (issue 12 item 6, ADR 0034).

Nothing is stored: each line is read, when the page is asked for, from the record of the
app that owns it, through that app's policy-scoped selectors or querysets
(``casustafel.access.policy``): signals and their transitions, the weighing and its
decisions, the case and its transitions, conferences (agenda items, decisions, actions),
plan changes (goals, interventions, contacts, acknowledgements, reviews) and the case
journal. Each source costs a fixed number of queries however many lines it yields, and
every object shown is recorded in the processing log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.cases import selectors as case_selectors
from casustafel.cases import states as case_states
from casustafel.cases.models import CaseTransition
from casustafel.meetings import selectors as meeting_selectors
from casustafel.meetings import states as meeting_states
from casustafel.plans.models import Acknowledgement, Contact, Goal, Intervention, Review
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused
from casustafel.signals import selectors as signal_selectors
from casustafel.signals import states as signal_states
from casustafel.signals.models import SignalTransition
from casustafel.subjects.models import Subject
from casustafel.weighing import selectors as weighing_selectors
from casustafel.weighing.models import Decision as WeighingDecision

SHORT = 140


@dataclass(frozen=True)
class Entry:
    """One line of a timeline."""

    date: datetime
    kind: str
    text: str
    link: str
    organisation: str = ""


def _short(text: str) -> str:
    return Truncator(text or "").chars(SHORT)


def _at(day: date) -> datetime:
    """A date-only event sorts at the end of its day."""
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


# ------------------------------------------------------------------ sources


def _signal_lines(user, signals) -> list[Entry]:
    signals = list(signals)
    if not signals:
        return []
    record(user, action=Action.READ, purpose=Purpose.INTAKE, objects=signals)
    lines = []
    for s in signals:
        link = reverse("signals:signal_detail", kwargs={"pk": s.pk})
        lines.append(
            Entry(
                s.registered_at,
                _("Signaal"),
                _("Signaal %(ref)s geregistreerd (%(phenomenon)s, %(urgency)s)")
                % {"ref": s.reference, "phenomenon": s.get_phenomenon_display(), "urgency": s.get_urgency_display()},
                link,
                str(s.registered_by_organisation),
            )
        )
    transitions = SignalTransition.objects.filter(signal__in=signals).select_related("signal")
    for t in transitions:
        label = signal_states.SIGNAL_MACHINE.labels.get(t.target, t.target)
        text = _("Signaal %(ref)s: %(state)s") % {"ref": t.signal.reference, "state": label}
        if t.reason:
            text = f"{text} — {_short(t.reason)}"
        lines.append(
            Entry(
                t.at, _("Statuswijziging signaal"), text, reverse("signals:signal_detail", kwargs={"pk": t.signal_id})
            )
        )
    return lines


def _weighing_lines(user, weighings) -> list[Entry]:
    weighings = list(weighings)
    if not weighings:
        return []
    decisions = list(WeighingDecision.objects.filter(weighing__in=weighings).select_related("weighing"))
    record(user, action=Action.READ, purpose=Purpose.WEIGHING, objects=[*weighings, *decisions])
    lines = []
    for w in weighings:
        link = reverse("weighing:weighing_detail", kwargs={"pk": w.pk})
        lines.append(Entry(w.opened_at, _("Weging"), _("Weging %(ref)s geopend") % {"ref": w.reference}, link))
    for d in decisions:
        link = reverse("weighing:weighing_detail", kwargs={"pk": d.weighing_id})
        text = _("Besluit weegploeg (%(ref)s): %(outcome)s — %(status)s") % {
            "ref": d.weighing.reference,
            "outcome": d.get_outcome_display(),
            "status": d.get_status_display(),
        }
        lines.append(Entry(d.decided_at, _("Besluit weging"), text, link))
        if d.effective_at:
            lines.append(
                Entry(
                    d.effective_at,
                    _("Besluit weging"),
                    _("Besluit (%(ref)s) eensluidend: %(outcome)s")
                    % {"ref": d.weighing.reference, "outcome": d.get_outcome_display()},
                    link,
                )
            )
    return lines


def _case_lines(user, cases) -> list[Entry]:
    """Opening and transitions of cases the user may see (already read and logged by the caller)."""
    lines = []
    for case in cases:
        link = reverse("cases:case_detail", kwargs={"pk": case.pk})
        lines.append(Entry(case.opened_at, _("Casus"), _("Casus %(ref)s geopend") % {"ref": case.reference}, link))
    by_pk = {case.pk: case for case in cases}
    for t in CaseTransition.objects.filter(case_id__in=by_pk):
        case = by_pk[t.case_id]
        text = _("Casus %(ref)s: %(source)s → %(target)s") % {
            "ref": case.reference,
            "source": case_states.CASE_MACHINE.labels.get(t.source, t.source or "—"),
            "target": t.target_label,
        }
        if t.reason:
            text = f"{text} — {_short(t.reason)}"
        lines.append(
            Entry(t.at, _("Statuswijziging casus"), text, reverse("cases:case_detail", kwargs={"pk": case.pk}))
        )
    return lines


def _meeting_lines(user, cases) -> list[Entry]:
    items = meeting_selectors.items_for_cases(user, [case.pk for case in cases])
    lines = []
    for item in items:
        meeting = item.meeting
        link = f"{reverse('meetings:meeting_detail', kwargs={'pk': meeting.pk})}#punt-{item.pk}"
        state = meeting_states.MEETING_MACHINE.labels.get(meeting.status, meeting.status)
        text = _("%(ref)s geagendeerd voor het casusoverleg van %(when)s (%(state)s): %(reason)s") % {
            "ref": item.case.reference,
            "when": timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y %H:%M"),
            "state": str(state).lower(),
            "reason": item.get_reason_display(),
        }
        lines.append(Entry(item.added_at, _("Casusoverleg"), text, link))
        if item.minutes:
            lines.append(Entry(meeting.starts_at, _("Verslag casusoverleg"), _short(item.minutes), link))
        for d in item.decisions.all():
            lines.append(Entry(d.recorded_at, _("Besluit casusoverleg"), _short(d.text), link))
        for a in item.actions.all():
            lines.append(Entry(a.created_at, _("Actie casusoverleg"), _short(a.description), link, a.owner.name))
            if a.done_at:
                lines.append(Entry(a.done_at, _("Actie afgerond"), _short(a.description), link, a.owner.name))
    return lines


def _plan_lines(user, cases) -> list[Entry]:
    """Plan changes of the cases whose plan the user may see (art. 3 lid 3: a third party only
    when the plan data were marked necessary for it)."""
    plan_cases = [case for case in cases if policy.can(user, policy.Action.CASE_PLAN_VIEW, case)]
    if not plan_cases:
        return []
    ids = [case.pk for case in plan_cases]
    goals = list(Goal.objects.filter(plan__case_id__in=ids).select_related("plan__case"))
    interventions = list(
        Intervention.objects.filter(plan__case_id__in=ids).select_related("plan__case", "entry", "organisation")
    )
    contacts = list(
        Contact.objects.filter(intervention__plan__case_id__in=ids).select_related(
            "intervention__plan__case", "intervention__entry", "intervention__organisation"
        )
    )
    acknowledgements = list(Acknowledgement.objects.filter(plan__case_id__in=ids).select_related("plan__case", "rule"))
    reviews = list(Review.objects.filter(plan__case_id__in=ids).select_related("plan__case"))
    record(
        user,
        action=Action.READ,
        purpose=Purpose.CASE_MANAGEMENT,
        objects=[*goals, *interventions, *contacts, *acknowledgements, *reviews],
    )

    def plan_link(case_id) -> str:
        return reverse("plans:plan", kwargs={"pk": case_id})

    lines = []
    for g in goals:
        link = plan_link(g.plan.case_id)
        lines.append(Entry(g.created_at, _("Doel"), _("Doel toegevoegd: %(d)s") % {"d": _short(g.description)}, link))
        if updated := getattr(g, "updated_at", None):  # edits of goals (part B, issue 12 item 7)
            lines.append(Entry(updated, _("Doel"), _("Doel gewijzigd: %(d)s") % {"d": _short(g.description)}, link))
    for i in interventions:
        link = plan_link(i.plan.case_id)
        org = i.organisation.name
        lines.append(Entry(i.created_at, _("Interventie"), _("Interventie ingezet: %(e)s") % {"e": i.entry}, link, org))
        if updated := getattr(i, "updated_at", None):
            lines.append(
                Entry(updated, _("Interventie"), _("Interventie gewijzigd: %(e)s") % {"e": i.entry}, link, org)
            )
        if i.ended_on:
            lines.append(
                Entry(_at(i.ended_on), _("Interventie"), _("Interventie beëindigd: %(e)s") % {"e": i.entry}, link, org)
            )
    for c in contacts:
        text = (_("Contact gehouden: %(e)s") if c.held else _("Contact niet doorgegaan: %(e)s")) % {
            "e": c.intervention.entry
        }
        lines.append(
            Entry(
                _at(c.date),
                _("Contact"),
                text,
                plan_link(c.intervention.plan.case_id),
                c.intervention.organisation.name,
            )
        )
    for a in acknowledgements:
        text = _("Conflict in het plan geaccepteerd: %(reason)s") % {"reason": _short(a.reason)}
        lines.append(Entry(a.at, _("Plan"), text, plan_link(a.plan.case_id)))
    for r in reviews:
        lines.append(Entry(_at(r.held_on), _("Evaluatie"), _short(r.narrative), plan_link(r.plan.case_id)))
    return lines


def journal_lines(user, cases) -> list[Entry]:
    """Extension point: the case journal (part B, ``journal.selectors.timeline_entries``)."""
    if not apps.is_installed("casustafel.journal"):
        return []
    timeline_entries = import_module("casustafel.journal.selectors").timeline_entries
    return [Entry(e.date, e.kind, e.text, e.link, e.organisation) for e in timeline_entries(user, cases)]


#: The sources of the lines about cases, in one place; each takes (user, visible cases).
CASE_SOURCES: tuple[Callable[..., list[Entry]], ...] = (_case_lines, _meeting_lines, _plan_lines, journal_lines)


def _sorted(lines: Iterable[Entry]) -> list[Entry]:
    return sorted(lines, key=lambda entry: entry.date, reverse=True)


# ------------------------------------------------------------------ timelines


def case_timeline(user, case) -> list[Entry]:
    """The timeline of ``case`` (already read through ``cases.selectors.get_case``), newest
    first: the signals and the weighing that led to it as far as the user may see them, and
    everything about the case the user may see."""
    signals = signal_selectors.visible_signals(user).filter(weighing__decisions__case=case).distinct()
    weighings = weighing_selectors.visible_weighings(user).filter(decisions__case=case).distinct()
    lines = [*_signal_lines(user, signals), *_weighing_lines(user, weighings)]
    for source in CASE_SOURCES:
        lines += source(user, [case])
    return _sorted(lines)


def _identity_visible(user, cases) -> list:
    """The cases in which the user may know who the person is (art. 3 lid 3: a third party
    only when identifying data were marked necessary for it)."""
    return [case for case in cases if policy.can(user, policy.Action.CASE_IDENTITY_VIEW, case)]


def get_subject(user, pk) -> Subject:
    """The person, if the user may see a signal, weighing or case about them; else "not found"
    (never revealing that the person exists)."""
    try:
        subject = Subject.objects.get(pk=pk)
    except (Subject.DoesNotExist, ValueError, TypeError, ValidationError):
        subject = None
    visible = subject is not None and (
        signal_selectors.visible_signals(user).filter(subject=subject).exists()
        or weighing_selectors.visible_weighings(user).filter(subject=subject).exists()
        or any(_identity_visible(user, case_selectors.visible_cases(user).filter(subject=subject)))
    )
    if not visible or subject is None:
        # A refused read of an existing person is logged (art. 17), like every refused read.
        record_refused(user, action=Action.READ, purpose=Purpose.INTAKE, model=Subject, pk=pk)
        raise Http404
    return subject


def person_timeline(user, subject) -> list[Entry]:
    """The timeline of a person, newest first: the signals, weighings and cases about them the
    user may see, and everything about those cases the user may see."""
    signals = signal_selectors.visible_signals(user).filter(subject=subject)
    weighings = weighing_selectors.visible_weighings(user).filter(subject=subject)
    cases = _identity_visible(user, case_selectors.visible_cases(user).filter(subject=subject))
    record(user, action=Action.READ, purpose=Purpose.INTAKE, objects=[subject])
    case_selectors.log_listed(user, cases)
    lines = [*_signal_lines(user, signals), *_weighing_lines(user, weighings)]
    if cases:
        for source in CASE_SOURCES:
            lines += source(user, cases)
    return _sorted(lines)
