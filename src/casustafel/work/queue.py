"""The personal work queue (werkvoorraad): what waits for the user's organisation, per role.

Every kind of work is one :class:`Source` declared in :data:`SOURCES`: its Dutch label, who
can get it (a policy action), and how its items are read — always through the domain apps'
selectors or the policy's ``scope_*`` functions, so the queue shows nothing the user may
not see. A source costs a fixed number of queries whatever the number of rows, and returns
at most :data:`LIMIT` items (oldest due first) with the true total.

An item carries a reference, a link, what is asked and a due date: no name, no case content,
so that the same item can be mailed (:mod:`casustafel.work.notifications`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casustafel.access import policy
from casustafel.cases import states as case_states
from casustafel.cases.models import Case, TransferStatus
from casustafel.cases.third_parties import open_admissions
from casustafel.cases.transfer import incoming_transfers
from casustafel.corrections import selectors as correction_selectors
from casustafel.governance import audits, informing, rights
from casustafel.meetings.models import ActionStatus, AgendaItem, MeetingAction
from casustafel.meldpunt.models import ReportStatus
from casustafel.meldpunt.selectors import visible_reports
from casustafel.plans.models import CheckIn, CoordinationTask, Intervention, Plan
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record_by_purpose
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal, Urgency
from casustafel.subjects.elsewhere import incoming_requests
from casustafel.subjects.models import CrossRegionRequest
from casustafel.weighing import selectors as weighing_selectors
from casustafel.weighing import states as weighing_states
from casustafel.weighing.models import (
    Consultation,
    Contribution,
    Decision,
    DecisionConfirmation,
    DecisionStatus,
    Weighing,
)

#: At most this many items per kind on the dashboard (the total is shown and linked).
LIMIT = 25

#: Working agreements of the table, in days, for work without a due date of its own.
#: Not law: the Wet PGA sets no term for these; a region may agree shorter ones.
TERMS = {
    "signal_intake": 2,
    "public_melding": 2,
    "weighing_contribution": 10,
    "decision_confirmation": 5,
    "consultation": 10,
    "third_party_admission": 10,
    "cross_region_request": 10,
    "incoming_transfer": 14,
    "registrant_notice": 5,
    "correction_notice": 10,
}
#: Plan reviews and interventions appear this many days before they are due.
LOOKAHEAD_DAYS = 14


@dataclass(frozen=True)
class WorkItem:
    kind: str
    #: Stable identity of the item: kind and object id (no personal data).
    key: str
    reference: str
    path: str
    due_on: date | None
    acute: bool = False
    #: A short, fixed Dutch phrase about the task (never case content).
    detail: Promise | str = ""
    #: The object recorded in the processing log when the item is shown or mailed.
    obj: Any = field(default=None, compare=False, repr=False)
    #: The source row itself, where a page needs more than the item (e.g. a correction notice).
    row: Any = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> Promise:
        return SOURCES[self.kind].label

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today


@dataclass
class Collected:
    items: list[WorkItem]
    total: int


@dataclass(frozen=True)
class Source:
    kind: str
    label: Promise
    #: Who can get this kind of work at all (for the notification preferences).
    action: policy.Action
    collect: Callable[[Any, date], Collected]
    #: Where the whole list of this kind lives (the dashboard's "alle …" link): a URL name and
    #: the list's filter (codes only, never personal data; see ``search.lists``).
    list_url: str | None = None
    list_filter: str = ""

    @property
    def list_link(self) -> str | None:
        return reverse(self.list_url) + self.list_filter if self.list_url else None

    @property
    def purpose(self) -> str:
        """The processing activity under which showing or mailing these items is logged."""
        return PURPOSES[self.kind]


def _days(moment: datetime | date, days: int) -> date:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return day + timedelta(days=days)


def _bounded(rows: Sequence, total: int | None = None) -> tuple[list, int]:
    rows = list(rows)
    if total is None:
        total = len(rows)
    return rows[:LIMIT], total


def _open_cases(user):
    """The open cases the user's organisation takes part in (a subquery)."""
    return policy.scope_cases(user, Case.objects.filter(status__in=case_states.OPEN_STATES)).values("pk")


def _page(queryset, order: Sequence[str]) -> tuple[list, int]:
    """At most LIMIT rows, and the total with one COUNT only when there are more."""
    rows = list(queryset.order_by(*order)[: LIMIT + 1])
    if len(rows) <= LIMIT:
        return rows, len(rows)
    return rows[:LIMIT], queryset.count()


# ---------------------------------------------------------------- the signal side


def _signal_intake(user, today: date) -> Collected:
    """Intake: signals received or in preparation, not yet offered to the weegploeg; acute first."""
    if user.role != "intake_officer":
        return Collected([], 0)
    # Scoped by the policy, without the person: an item shows no name (and loads no encrypted field).
    queryset = policy.scope_signals(user, Signal.objects.all()).filter(
        status__in=(signal_states.RECEIVED, signal_states.IN_PREPARATION)
    )
    rows, total = _page(queryset, ["urgency", "registered_at"])  # "acute" sorts before "normal"
    items = [
        WorkItem(
            kind="signal_intake",
            obj=s,
            key=f"signal_intake:{s.pk}",
            reference=s.reference,
            path=reverse("signals:signal_detail", args=[s.pk]),
            due_on=_days(s.registered_at, 0 if s.urgency == Urgency.ACUTE else TERMS["signal_intake"]),
            acute=s.urgency == Urgency.ACUTE,
            detail=s.get_status_display(),
        )
        for s in rows
    ]
    return Collected(items, total)


def _public_meldingen(user, today: date) -> Collected:
    """Intake: meldingen from the public meldpunt (art. 5 lid 2, ADR 0044) not yet taken in — to be
    registered as a signal or marked handled; the item names the gemeente, never the person."""
    if user.role != "intake_officer":
        return Collected([], 0)
    queryset = visible_reports(user).filter(status=ReportStatus.RECEIVED)
    rows, total = _page(queryset, ["received_at"])
    items = [
        WorkItem(
            kind="public_melding",
            obj=r,
            key=f"public_melding:{r.pk}",
            reference=r.reference,
            path=reverse("meldpunt:report_detail", args=[r.pk]),
            due_on=_days(r.received_at, TERMS["public_melding"]),
            detail=r.organisation.name,
        )
        for r in rows
    ]
    return Collected(items, total)


def _awaiting_my_contribution(user, today: date) -> Collected:
    """Weegploeg: open weighings without a current contribution of the user's organisation
    (none, or older than the latest signal that joined)."""
    if not policy.can(user, policy.Action.WEIGHING_CONTRIBUTE):
        return Collected([], 0)
    fresh = Contribution.objects.filter(
        weighing_id=OuterRef("pk"), organisation_id=user.organisation_id, updated_at__gte=OuterRef("signals_changed_at")
    )
    queryset = (
        policy.scope_weighings(user, Weighing.objects.all())
        .filter(status__in=(weighing_states.OPEN, weighing_states.AWAITING_INFORMATION))
        .filter(~Exists(fresh))
        .annotate(acute=Exists(_acute_signals()))
    )
    rows, total = _page(queryset, ["-acute", "opened_at"])
    items = [
        WorkItem(
            kind="weighing_contribution",
            obj=w,
            key=f"weighing_contribution:{w.pk}:{w.signals_changed_at:%Y%m%d%H%M%S}",
            reference=w.reference,
            path=reverse("weighing:weighing_detail", args=[w.pk]),
            due_on=w.information_deadline or _days(w.opened_at, 0 if w.acute else TERMS["weighing_contribution"]),
            acute=w.acute,
            detail=w.get_status_display(),
        )
        for w in rows
    ]
    return Collected(items, total)


def _acute_signals():
    return Signal.objects.filter(weighing_id=OuterRef("pk"), urgency=Urgency.ACUTE)


def _decisions_to_confirm(user, today: date) -> Collected:
    """Weegploeg: proposed decisions that the user's party has not confirmed or rejected yet
    (the eensluidende beoordeling of art. 5 lid 3 Wet PGA)."""
    if not policy.can(user, policy.Action.WEIGHING_DECIDE):
        return Collected([], 0)
    party = policy.organisation_of(user).kind
    answered = DecisionConfirmation.objects.filter(decision_id=OuterRef("pk"), party=party)
    queryset = (
        Decision.objects.filter(
            status=DecisionStatus.PROPOSED, weighing__in=weighing_selectors.visible_weighings(user).values("pk")
        )
        .filter(~Exists(answered))
        .select_related("weighing")
    )
    rows, total = _page(queryset, ["decided_at"])
    items = [
        WorkItem(
            kind="decision_confirmation",
            obj=d.weighing,
            key=f"decision_confirmation:{d.pk}",
            reference=d.weighing.reference,
            path=reverse("weighing:weighing_detail", args=[d.weighing_id]),
            due_on=_days(d.decided_at, TERMS["decision_confirmation"]),
            detail=d.get_outcome_display(),
        )
        for d in rows
    ]
    return Collected(items, total)


def _consultations(user, today: date) -> Collected:
    """Questions of the weegploeg to the user's organisation (art. 5 lid 3) still unanswered,
    for the weegploeg member who records the answer."""
    if not policy.can(user, policy.Action.WEIGHING_CONSULT):
        return Collected([], 0)
    queryset = Consultation.objects.filter(
        answer="",
        consulting_organisation_id=user.organisation_id,
        weighing__in=weighing_selectors.visible_weighings(user).exclude(status=weighing_states.DECIDED).values("pk"),
    ).select_related("weighing")
    rows, total = _page(queryset, ["consulted_on"])
    items = [
        WorkItem(
            kind="consultation",
            obj=c.weighing,
            key=f"consultation:{c.pk}",
            reference=c.weighing.reference,
            path=reverse("weighing:weighing_detail", args=[c.weighing_id]),
            due_on=_days(c.consulted_on, TERMS["consultation"]),
        )
        for c in rows
    ]
    return Collected(items, total)


def _registrant_notices(user, today: date) -> Collected:
    """Art. 5 lid 6 Wet PGA: registering participants still to be told the outcome (a case was,
    or was not, opened)."""
    if not policy.can(user, policy.Action.WEIGHING_VIEW):
        return Collected([], 0)
    notices = weighing_selectors.open_registrant_notices(user, limit=LIMIT + 1)
    rows, total = _bounded(notices)
    items = [
        WorkItem(
            kind="registrant_notice",
            obj=n.decision.weighing,
            key=f"registrant_notice:{n.pk}",
            reference=n.decision.weighing.reference,
            path=reverse("weighing:weighing_detail", args=[n.decision.weighing_id]),
            due_on=_days(n.created_at, TERMS["registrant_notice"]),
            detail=n.decision.get_outcome_display(),
        )
        for n in rows
    ]
    return Collected(items, total)


def _correction_notices(user, today: date, *, log: bool = True) -> Collected:
    """Art. 10 Wet PGA: data the user's organisation supplied were corrected; check its own records."""
    notices = correction_selectors.open_notices(user, limit=LIMIT, log=log)
    items = []
    for n in notices:
        if n.item_kind == "contribution":
            path = reverse("weighing:weighing_detail", args=[n.weighing_id])
        else:
            path = reverse("signals:signal_detail", args=[n.correction.item_id])
        items.append(
            WorkItem(
                kind="correction_notice",
                obj=n.correction,
                row=n,
                key=f"correction_notice:{n.pk}",
                reference=n.item_reference,
                path=path,
                due_on=_days(n.correction.corrected_at, TERMS["correction_notice"]),
            )
        )
    return Collected(items, len(items))


def _cross_region_requests(user, today: date) -> Collected:
    """Formal requests from another region's table after a "known elsewhere" hit."""
    if not policy.can(user, policy.Action.SIGNAL_VIEW):
        return Collected([], 0)
    queryset = incoming_requests(user).filter(status=CrossRegionRequest.OPEN)
    rows, total = _page(queryset, ["requested_at"])
    items = [
        WorkItem(
            kind="cross_region_request",
            obj=r,
            key=f"cross_region_request:{r.pk}",
            reference=str(r.from_region),
            path=reverse("subjects:request_list"),
            due_on=_days(r.requested_at, TERMS["cross_region_request"]),
        )
        for r in rows
    ]
    return Collected(items, total)


# ---------------------------------------------------------------- the case side


def _third_party_admissions(user, today: date) -> Collected:
    """Art. 3 lid 3 Wet PGA: proposals to admit a third party awaiting the user's party."""
    queryset = open_admissions(user)
    rows, total = _page(queryset, ["proposed_at"])
    items = [
        WorkItem(
            kind="third_party_admission",
            obj=a.case,
            key=f"third_party_admission:{a.pk}",
            reference=a.case.reference,
            path=reverse("cases:third_party_decide", args=[a.pk]),
            due_on=_days(a.proposed_at, TERMS["third_party_admission"]),
            detail=str(a.organisation),
        )
        for a in rows
    ]
    return Collected(items, total)


def _incoming_transfers(user, today: date) -> Collected:
    """Art. 7 Wet PGA: a case another table proposes to transfer to this one."""
    queryset = incoming_transfers(user).filter(status=TransferStatus.OPEN)
    rows, total = _page(queryset, ["proposed_at"])
    items = [
        WorkItem(
            kind="incoming_transfer",
            obj=t,
            key=f"incoming_transfer:{t.pk}",
            reference=t.case_reference,
            path=reverse("cases:transfer_decide", args=[t.pk]),
            due_on=_days(t.proposed_at, TERMS["incoming_transfer"]),
            detail=str(t.from_region),
        )
        for t in rows
    ]
    return Collected(items, total)


def _coordination_tasks(user, today: date) -> Collected:
    """Coordination tasks (afstemmingsacties) of plans that the user's organisation owns."""
    if not policy.can(user, policy.Action.CASE_VIEW):
        return Collected([], 0)
    queryset = CoordinationTask.objects.filter(
        done=False, owner_id=user.organisation_id, plan__case__in=_open_cases(user)
    ).select_related("plan__case")
    rows, total = _page(queryset, ["due_on", "created_at"])
    items = [
        WorkItem(
            kind="coordination_task",
            obj=t.plan.case,
            key=f"coordination_task:{t.pk}",
            reference=t.plan.case.reference,
            path=reverse("plans:plan", args=[t.plan.case_id]),
            due_on=t.due_on,
        )
        for t in rows
    ]
    return Collected(items, total)


def _meeting_actions(user, today: date) -> Collected:
    """Actions agreed in a case conference that the user's organisation owns."""
    if not policy.can(user, policy.Action.MEETING_VIEW):
        return Collected([], 0)
    items_visible = policy.scope_agenda_items(user, AgendaItem.objects.all())
    queryset = MeetingAction.objects.filter(
        status=ActionStatus.OPEN, owner_id=user.organisation_id, item__in=items_visible.values("pk")
    ).select_related("case", "item")
    rows, total = _page(queryset, ["due_date", "created_at"])
    items = [
        WorkItem(
            kind="meeting_action",
            obj=a.case,
            key=f"meeting_action:{a.pk}",
            reference=a.case.reference,
            path=reverse("meetings:meeting_detail", args=[a.item.meeting_id]),
            due_on=a.due_date,
        )
        for a in rows
    ]
    return Collected(items, total)


def _own_interventions(user, today: date) -> Collected:
    """Interventions the user's organisation carries out whose planned end comes within two
    weeks (or passed): end them, or agree an extension with the case director."""
    if not policy.can(user, policy.Action.CASE_VIEW):
        return Collected([], 0)
    queryset = Intervention.objects.filter(
        ended_on__isnull=True,
        organisation_id=user.organisation_id,
        planned_end__lte=today + timedelta(days=LOOKAHEAD_DAYS),
        plan__case__in=_open_cases(user),
    ).select_related("plan__case", "entry")
    rows, total = _page(queryset, ["planned_end"])
    items = [
        WorkItem(
            kind="intervention_end",
            obj=i.plan.case,
            key=f"intervention_end:{i.pk}:{i.planned_end:%Y%m%d}",
            reference=i.plan.case.reference,
            path=reverse("plans:plan", args=[i.plan.case_id]),
            due_on=i.planned_end,
            detail=i.entry.name,
        )
        for i in rows
    ]
    return Collected(items, total)


def _plan_reviews(user, today: date) -> Collected:
    """Case and process directors: plans whose review (evaluatie) is due within two weeks."""
    if not policy.can(user, policy.Action.PLAN_FOLLOW_UP):
        return Collected([], 0)
    cases = policy.scope_followed_cases(user, Case.objects.filter(status__in=case_states.OPEN_STATES))
    queryset = Plan.objects.filter(
        case__in=cases.values("pk"), next_review_due__lte=today + timedelta(days=LOOKAHEAD_DAYS)
    ).select_related("case")
    rows, total = _page(queryset, ["next_review_due"])
    items = [
        WorkItem(
            kind="plan_review",
            obj=p.case,
            key=f"plan_review:{p.pk}:{p.next_review_due:%Y%m%d}",
            reference=p.case.reference,
            path=reverse("plans:plan", args=[p.case_id]),
            due_on=p.next_review_due,
        )
        for p in rows
    ]
    return Collected(items, total)


def _checkins(user, today: date) -> Collected:
    """Check-ins after closure (nazorg) that are due within two weeks."""
    if not policy.can(user, policy.Action.PLAN_FOLLOW_UP):
        return Collected([], 0)
    cases = policy.scope_followed_cases(user, Case.objects.filter(status=case_states.CLOSED))
    queryset = CheckIn.objects.filter(
        case__in=cases.values("pk"), done_on__isnull=True, due_on__lte=today + timedelta(days=LOOKAHEAD_DAYS)
    ).select_related("case")
    rows, total = _page(queryset, ["due_on"])
    items = [
        WorkItem(
            kind="checkin",
            obj=c.case,
            key=f"checkin:{c.pk}",
            reference=c.case.reference,
            path=reverse("cases:closed_case", args=[c.case_id]) + "#opvolging",
            due_on=c.due_on,
        )
        for c in rows
    ]
    return Collected(items, total)


def _informing(user, today: date, *, log: bool = True) -> Collected:
    """Art. 11 Wet PGA: inform the person, or decide again not to (yet)."""
    rows = informing.informing_follow_up(user, today=today, log=log).get("informing_due", [])
    rows, total = _bounded(rows)
    items = [
        WorkItem(
            kind="informing",
            obj=row["case"],
            key=f"informing:{row['case'].pk}:{(row['review_on'] or row['deadline']):%Y%m%d}",
            reference=row["case"].reference,
            path=reverse("governance:case_transparency", args=[row["case"].pk]),
            due_on=row["review_on"] or row["deadline"],
            detail=_("heroverwegen is verstreken")
            if row["review_on"]
            else _("niet geïnformeerd en geen besluit; de termijn liep af"),
        )
        for row in rows
    ]
    return Collected(items, total)


# ---------------------------------------------------------------- privacy governance


def _rights_requests(user, today: date, *, log: bool = True) -> Collected:
    """AVG art. 12 lid 3, Wet PGA art. 12 lid 2: the coordinating FG answers within the term."""
    if not rights.is_coordinating_officer(user):
        return Collected([], 0)
    rows, total = _bounded(rights.open_requests(user, today=today, log=log))
    items = [
        WorkItem(
            kind="rights_request",
            obj=r.request,
            key=f"rights_request:{r.request.pk}",
            reference=r.request.reference,
            path=reverse("governance:rights_request_detail", args=[r.request.pk]),
            due_on=r.request.due_on,
        )
        for r in rows
    ]
    return Collected(items, total)


def _reaudits(user, today: date, *, log: bool = True) -> Collected:
    """Art. 16 lid 3 Wet PGA: failed parts of a privacy audit awaiting their re-audit."""
    rows, total = _bounded(audits.open_reaudits(user, today=today, log=log))
    items = [
        WorkItem(
            kind="reaudit",
            obj=r.result,
            key=f"reaudit:{r.result.pk}",
            reference=r.result.audit.reference,
            path=reverse("governance:audit_detail", args=[r.result.audit_id]),
            due_on=r.result.reaudit_due_on,
            detail=r.label,
        )
        for r in rows
    ]
    return Collected(items, total)


SOURCES: dict[str, Source] = {
    source.kind: source
    for source in (
        Source(
            "signal_intake",
            _("Signaal voorbereiden"),
            policy.Action.SIGNAL_CREATE,
            _signal_intake,
            "signals:signal_list",
            list_filter="?status=received",
        ),
        Source(
            "public_melding",
            _("Melding via het openbaar meldpunt"),
            policy.Action.SIGNAL_CREATE,
            _public_meldingen,
            "meldpunt:report_list",
        ),
        Source(
            "weighing_contribution",
            _("Inbreng van uw organisatie gevraagd"),
            policy.Action.WEIGHING_CONTRIBUTE,
            _awaiting_my_contribution,
            "weighing:weighing_list",
            list_filter="?status=open",
        ),
        Source(
            "decision_confirmation",
            _("Besluit bevestigen (art. 5 lid 3)"),
            policy.Action.WEIGHING_DECIDE,
            _decisions_to_confirm,
            "weighing:weighing_list",
            list_filter="?status=decision_proposed",
        ),
        Source(
            "consultation",
            _("Antwoord op raadpleging vastleggen"),
            policy.Action.WEIGHING_CONSULT,
            _consultations,
            "weighing:weighing_list",
        ),
        Source(
            "registrant_notice",
            _("Aanmelder informeren (art. 5 lid 6)"),
            policy.Action.WEIGHING_VIEW,
            _registrant_notices,
            "weighing:weighing_list",
        ),
        Source(
            "correction_notice",
            _("Melding van correctie (art. 10)"),
            policy.Action.CORRECTION_NOTICE_HANDLE,
            _correction_notices,
        ),
        Source(
            "cross_region_request",
            _("Verzoek van een andere casustafel"),
            policy.Action.SIGNAL_VIEW,
            _cross_region_requests,
            "subjects:request_list",
        ),
        Source(
            "third_party_admission",
            _("Derde toelaten (art. 3 lid 3)"),
            policy.Action.THIRD_PARTY_DECIDE,
            _third_party_admissions,
            "cases:third_party_admissions",
        ),
        Source(
            "incoming_transfer",
            _("Overdracht beoordelen (art. 7)"),
            policy.Action.TRANSFER_RECEIVE,
            _incoming_transfers,
            "cases:transfer_list",
        ),
        Source(
            "coordination_task",
            _("Afstemmingsactie van uw organisatie"),
            policy.Action.CASE_VIEW,
            _coordination_tasks,
            "cases:case_list",
            list_filter="?status=active",
        ),
        Source(
            "meeting_action",
            _("Actie uit casusoverleg voor uw organisatie"),
            policy.Action.MEETING_VIEW,
            _meeting_actions,
            "meetings:meeting_list",
        ),
        Source(
            "intervention_end",
            _("Interventie van uw organisatie loopt af"),
            policy.Action.CASE_VIEW,
            _own_interventions,
            "cases:case_list",
            list_filter="?status=active",
        ),
        Source(
            "plan_review",
            _("Evaluatie van het plan van aanpak"),
            policy.Action.PLAN_FOLLOW_UP,
            _plan_reviews,
            "cases:case_list",
            list_filter="?status=active",
        ),
        Source("checkin", _("Nazorgcontact na afsluiting"), policy.Action.PLAN_FOLLOW_UP, _checkins),
        Source("informing", _("Betrokkene informeren (art. 11)"), policy.Action.PLAN_FOLLOW_UP, _informing),
        Source(
            "rights_request",
            _("Verzoek van betrokkene beantwoorden"),
            policy.Action.RIGHTS_REQUEST_HANDLE,
            _rights_requests,
            "governance:rights_request_list",
        ),
        Source(
            "reaudit",
            _("Hercontrole privacy-audit (art. 16 lid 3)"),
            policy.Action.AUDIT_MANAGE,
            _reaudits,
            "governance:audit_list",
        ),
    )
}
#: The processing activity (verwerkingsactiviteit) each kind of work belongs to.
PURPOSES = {
    "signal_intake": Purpose.INTAKE,
    "public_melding": Purpose.INTAKE,
    "weighing_contribution": Purpose.WEIGHING,
    "decision_confirmation": Purpose.WEIGHING,
    "consultation": Purpose.WEIGHING,
    "registrant_notice": Purpose.WEIGHING,
    "correction_notice": Purpose.INTAKE,
    "cross_region_request": Purpose.KNOWN_PERSON_CHECK,
    "third_party_admission": Purpose.CASE_MANAGEMENT,
    "incoming_transfer": Purpose.CASE_MANAGEMENT,
    "coordination_task": Purpose.CASE_MANAGEMENT,
    "meeting_action": Purpose.CASE_MANAGEMENT,
    "intervention_end": Purpose.CASE_MANAGEMENT,
    "plan_review": Purpose.CASE_MANAGEMENT,
    "checkin": Purpose.CASE_MANAGEMENT,
    "informing": Purpose.CASE_MANAGEMENT,
    "rights_request": Purpose.PRIVACY_SUPERVISION,
    "reaudit": Purpose.PRIVACY_SUPERVISION,
}
#: Sources whose selector takes ``log`` (the queue logs their rows itself, with the others).
_SELF_LOGGING = {"correction_notice", "informing", "rights_request", "reaudit"}


def available_kinds(user) -> list[Source]:
    """The kinds of work this user can get at all (for the notification preferences)."""
    return [s for s in SOURCES.values() if policy.can(user, s.action)]


@dataclass
class Block:
    source: Source
    items: list[WorkItem]
    total: int


@dataclass
class Queue:
    today: date
    blocks: list[Block]

    @property
    def items(self) -> list[WorkItem]:
        """All items, overdue first, then by due date (acute before others on the same day)."""
        rows = [item for block in self.blocks for item in block.items]
        return sorted(rows, key=lambda i: (not i.overdue(self.today), i.due_on or date.max, not i.acute, i.reference))

    @property
    def total(self) -> int:
        return sum(block.total for block in self.blocks)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue(self.today))

    def listed(self, items: Sequence[WorkItem] | None = None) -> dict[str, list]:
        """The objects of ``items`` (default: all shown), grouped by processing activity."""
        groups: dict[str, list] = {}
        for item in self.items if items is None else items:
            groups.setdefault(SOURCES[item.kind].purpose, []).append(item.obj)
        return groups

    def rows_of(self, kind: str) -> list:
        """The source rows behind the shown items of one kind (e.g. correction notices)."""
        return [item.row for block in self.blocks if block.source.kind == kind for item in block.items]


def work_queue(
    user, *, today: date | None = None, kinds: Sequence[str] | None = None, log: bool = True, via_api: bool = False
) -> Queue:
    """The user's work queue. With ``log`` the listed objects are recorded in the processing log
    (the dashboard shows them, and records them together with its other lists through
    :meth:`Queue.listed`); the menu's count and the notification scan show no data."""
    today = today or timezone.localdate()
    blocks: list[Block] = []
    for source in SOURCES.values():
        if kinds is not None and source.kind not in kinds:
            continue
        if source.kind in _SELF_LOGGING:
            collected = source.collect(user, today, log=False)  # type: ignore[call-arg]
        else:
            collected = source.collect(user, today)
        if collected.total:
            blocks.append(Block(source, collected.items, collected.total))
    queue = Queue(today=today, blocks=blocks)
    if log:
        record_listed(user, queue.listed(), via_api=via_api)
    return queue


def record_listed(user, groups: dict[str, list], *, via_api: bool = False) -> None:
    """Record in the processing log that the objects were listed to ``user`` (purpose → objects),
    each object once, in one step of the chain."""
    groups = {purpose: _unique(objects) for purpose, objects in groups.items()}
    record_by_purpose(user, action=Action.LIST, groups=groups, via_api=via_api)


def _unique(objects: list) -> list:
    seen: dict = {}
    for obj in objects:
        seen.setdefault((obj._meta.label_lower, obj.pk), obj)
    return list(seen.values())
