"""The access policy: the one place that decides who may see or do what (need-to-know).

Every selector (read) and service (write) asks this module; nothing else decides
access. Deny by default: a user without organisation or role sees nothing, there is no
superuser bypass for personal data, and nothing crosses regions.

One vocabulary for every object type:

* ``can(user, Action.X, obj=None) -> bool`` — may ``user`` do X (on ``obj``)? Without an
  object: may the user do X at all (menus, list pages);
* ``require(user, Action.X, obj=None)`` — the same, raising :class:`PolicyDenied`;
* ``scope_*(user, queryset)`` — narrow a list to what the user may see.

* signal — read: intake officers of the region and weighing members of its core parties;
  register/prepare: the same;
* weighing — read: the same; contribute: core-party weighing members, for their own party;
  decide: the same; record a consultation of another participant (art. 5 lid 3): the same;
* case — read: users in an operational role whose organisation participates; manage
  (participants, status, plan, transfer): the case director, or a participating process director;
  a third party (Wet PGA art. 3 lid 3) reads only the data the three marked necessary for it;
  admitting one: proposed by a case manager or core-party weighing member, decided by the three;
* meeting — read: every case role of the region (date, place, invitations); manage: the
  region's process director (chair); complete an action: the chair or the owning organisation;
* agenda item — the chair and the core parties: all; others: items of cases they participate in;
* ambtsbericht — content: the region's mayor and the officials the mayor designated; register,
  release, designate: the mayor;
* processing log — the region's privacy officer (FG), each query with its art. 14 lid 2 purpose;
* correction (art. 10) — the supplying organisation of the item; its notice: that organisation;
* privacy governance — audits (art. 16), rights requests and the coordinating FG (art. 12), the
  authorisation register (art. 13): the region's privacy officers;
* lawfulness committee (art. 15) — its members read motivations and the register of changes,
  never case content; the region's chair answers their advice.

A refusal says whether the object may be known to exist (``PolicyDenied.visible``): the
web answers 404 to every refusal, the API 403 for an object the caller can see but may not
act on and 404 otherwise (ADR 0003, ADR 0006); ``core.errors`` says how.

``PolicyDenied`` is re-exported here: ``policy.PolicyDenied``.

Models of the domain apps are named by their app label (``apps.get_model``) rather than
imported, so this package depends on ``accounts`` only and every domain app may ask it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, TextChoices
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import CORE_PARTY_KINDS, OrganisationKind, Role
from casustafel.core.errors import PolicyDenied

if TYPE_CHECKING:
    from casustafel.accounts.models import Organisation, User

#: Roles that work with case content (never privacy officer, analyst or administrator).
CASE_ROLES = frozenset(
    {Role.CASE_DIRECTOR, Role.PARTICIPANT, Role.WEIGHING_MEMBER, Role.PROCESS_DIRECTOR, Role.INTAKE_OFFICER}
)


class Action(StrEnum):
    SIGNAL_CREATE = "signal.create"
    SIGNAL_VIEW = "signal.view"
    SIGNAL_TRANSITION = "signal.transition"
    #: Search by reference, name or BSN over what the user may see (ADR 0035): signal and case workers.
    SEARCH = "search"
    WEIGHING_VIEW = "weighing.view"
    WEIGHING_CONTRIBUTE = "weighing.contribute"
    WEIGHING_DECIDE = "weighing.decide"
    #: Record that the three consulted another participant while weighing, and its answer (Wet PGA
    #: art. 5 lid 3 last sentence, lid 4; obj: the weighing): the core-party weighing members of the
    #: region, as for contributing — but its own action, because the consultation is made for the
    #: three together, not as one party's contribution, and may diverge from it.
    WEIGHING_CONSULT = "weighing.consult"
    CASE_VIEW = "case.view"
    #: The minimum of a blocked (closed) case: reference, dates, outcome, check-ins, reopening
    #: (Wet PGA art. 6 lid 3): the case director, or a participating process director (obj: the case).
    CASE_CLOSED_FOLLOW_UP = "case.closed_follow_up"
    #: The privacy officer's lawfulness review of a blocked case, with a recorded reason (obj: the case).
    CASE_LAWFULNESS_REVIEW = "case.lawfulness_review"
    #: See that a blocked case about a newly reported person exists (reference, closing date) and
    #: record whether its data may serve the renewed weighing: the three core parties (obj: the case).
    BLOCKED_CASE_NOTICE = "case.blocked_notice"
    #: Participants, status, plan of action, transfer (obj: the case).
    CASE_MANAGE = "case.manage"
    #: Who the person of a case is (art. 4 a): every participant; a third party only when the
    #: three marked identifying data necessary for it (art. 3 lid 3; obj: the case).
    CASE_IDENTITY_VIEW = "case.identity_view"
    #: The plan of action and the case's agenda items (art. 4 e): every participant; a third
    #: party only when marked necessary for it (obj: the case).
    CASE_PLAN_VIEW = "case.plan_view"
    #: What only the participants of art. 3 lid 1 see (released ambtsbericht summaries,
    #: transparency and objections), never a third party (obj: the case).
    CASE_PARTICIPANT_VIEW = "case.participant_view"
    #: Propose to let a third party take part in a case (art. 3 lid 3; obj: the case): the case
    #: director or a participating process director, or a core-party weighing member.
    THIRD_PARTY_PROPOSE = "third_party.propose"
    #: Agree with or reject that admission for one's party: the weighing members of the three
    #: (gemeente, politie, OM) of the case's table (obj: the admission, with ``case``).
    THIRD_PARTY_DECIDE = "third_party.decide"
    #: Accept or decline a case transferred to one's table (obj: the transfer).
    TRANSFER_RECEIVE = "transfer.receive"
    #: Object to a proposed transfer for weighty reasons (Wet PGA art. 7 lid 2; obj: the transfer):
    #: a case or signal worker of the sending table; that the organisation supplied items is data
    #: the service checks.
    TRANSFER_OBJECT = "transfer.object"
    #: Content of a signal or contribution, given the visibility its provider chose (obj: the item).
    ITEM_VIEW = "item.view"
    #: Plans: mark a coordination task (afstemmingsactie) done (obj: the task, with ``plan.case``):
    #: whoever may manage the case, or a case-role user of the task's owner organisation.
    PLAN_TASK_COMPLETE = "plan.task_complete"
    #: Plans: record a contact of an intervention, or end it with a note (obj: the intervention,
    #: with ``plan.case``): whoever may manage the case, or a case-role user of the organisation
    #: that carries the intervention out, when that organisation may see the plan (a third party
    #: only when the three marked plan data necessary for it, Wet PGA art. 3 lid 3, art. 4 e).
    PLAN_INTERVENTION_DELIVER = "plan.intervention_deliver"
    #: Add an update (or a correction of one's own) to the case journal (obj: the case): every
    #: case-role user of a participating organisation; a third party only when plan data (art. 4 e)
    #: were marked necessary for it (art. 3 lid 3). Reading it: ``CASE_PLAN_VIEW``, then
    #: ``ITEM_VIEW`` per entry (the visibility its organisation chose).
    JOURNAL_WRITE = "journal.write"
    #: Drift alerts and due check-ins on the dashboard: case and process directors.
    PLAN_FOLLOW_UP = "plan.follow_up"
    CATALOGUE_VIEW = "catalogue.view"
    CATALOGUE_MANAGE = "catalogue.manage"
    #: Insight (issue 13 items 1, 5, 7; ADR 0042): management information, the recognition-bias
    #: monitor and per-measure progress — protected aggregates, never a person: the analyst and
    #: the process director of the region.
    INSIGHT_VIEW = "insight.view"
    #: The flow of the region in numbers (signals waiting, weighings open, conferences, reviews,
    #: overdue actions, drifting interventions): the process director, who runs the table. Each
    #: list behind a number keeps its own rule; a number whose list the user may not open (the
    #: signal side's) is shown without a link.
    INSIGHT_FLOW_VIEW = "insight.flow_view"
    MEETING_VIEW = "meeting.view"
    #: Schedule, build the agenda, invite, record attendance, minutes, decisions, actions.
    MEETING_MANAGE = "meeting.manage"
    #: Mark a meeting action done: the chair or the owning organisation (obj: the action).
    MEETING_COMPLETE_ACTION = "meeting.complete_action"
    #: The per-organisation agenda PDF (obj: the organisation printed for).
    MEETING_PRINT = "meeting.print"
    #: Content of an AIVD ambtsbericht (obj: the document).
    RESTRICTED_READ = "restricted.read"
    #: Register an ambtsbericht, release a summary, designate readers (obj: the document or None).
    RESTRICTED_MANAGE = "restricted.manage"
    #: Data-subject access requests (inzageverzoeken).
    ACCESS_REQUEST_HANDLE = "access_request.handle"
    #: Retention: approve destruction runs, place and lift legal holds (obj: anything with region_id).
    RETENTION_MANAGE = "retention.manage"
    #: Processing log: the privacy officer (FG) queries the log of their own region.
    PROCESSING_LOG_VIEW = "processing_log.view"
    #: Record that one's organisation withholds data for weighty reasons (Wet PGA art. 4 aanhef;
    #: obj: the subject or weighing, with ``region_id``): whoever works on its signals or cases.
    WITHHELD_RECORD = "withheld.record"
    #: See those records (never content, there is none): the three core parties (their case roles
    #: and the mayor) and the FG.
    WITHHELD_VIEW = "withheld.view"
    #: Privacy audits (Wet PGA art. 16): record an audit, its results and their dispatch to the
    #: Autoriteit Persoonsgegevens, see re-audits due: the region's privacy officer (obj: the audit).
    AUDIT_MANAGE = "audit.manage"
    #: The authorisation register (Wet PGA art. 12 lid 3, art. 13): read and export the region's
    #: designations, current and historical, for an audit: the region's privacy officer.
    DESIGNATION_VIEW = "designation.view"
    #: The lawfulness advisory committee (Wet PGA art. 15): read the art. 11 motivations (without
    #: names or case content), the register of processing changes, and record advice to the
    #: casusoverleg: the committee members of the region (obj: anything with ``region_id``).
    COMMITTEE_VIEW = "committee.view"
    #: Record the casusoverleg's response to the committee's advice: the region's process
    #: director, who chairs it (obj: the advice).
    ADVICE_RESPOND = "advice.respond"
    #: Correct the content of a signal or contribution (Wet PGA art. 10; obj: the item): the
    #: people of the supplying organisation who may see it — for a signal its signal workers,
    #: for a contribution the weighing member of its own party.
    ITEM_CORRECT = "item.correct"
    #: Mark a melding of a correction handled, the organisation's own records checked (art. 10;
    #: obj: the notice): the signal workers of the organisation the data came from.
    CORRECTION_NOTICE_HANDLE = "correction_notice.handle"
    #: Data-subject rights requests (AVG art. 15-18, 21) and their deadlines (AVG art. 12 lid 3),
    #: read the table's coordinating FG and contact point (Wet PGA art. 12): the region's FGs.
    RIGHTS_REQUEST_HANDLE = "rights_request.handle"
    #: Designate the coordinating FG and set the contact point (Wet PGA art. 12 lid 2, lid 4 b;
    #: obj: the region's privacy settings or None): an FG of a public participant of the region;
    #: once designated, only the coordinating FG (unless they no longer qualify).
    PRIVACY_COORDINATION_SET = "privacy_coordination.set"
    #: Read the meldingen that reached the region through the public meldpunt (Wet PGA art. 5 lid 2,
    #: ADR 0044) and mark one handled: the signal workers of that region (obj: the melding).
    MELDPUNT_REPORT_VIEW = "meldpunt.report_view"
    #: A gemeente's meldpunt page (intro text, contact details, web address): the region's functional admin.
    MELDPUNT_MANAGE = "meldpunt.manage"
    #: The annual report of Wet PGA art. 18 (issue 13 item 2, ADR 0040), obj: the report or None.
    #: Read (aggregates only): process director, mayor, analyst and privacy officer of a table that
    #: takes part; prepared and redacted by the process director; published by the mayor, who is
    #: responsible for the casusoverleg (art. 2 lid 1); a table joins a joint report by its own
    #: process director.
    ANNUAL_REPORT_VIEW = "annual_report.view"
    ANNUAL_REPORT_PREPARE = "annual_report.prepare"
    ANNUAL_REPORT_PUBLISH = "annual_report.publish"
    ANNUAL_REPORT_JOIN = "annual_report.join"
    #: The region's partner systems, their webhook subscriptions and delivery logs (ADR 0045): read by
    #: the region's functional admin; clients are created, rotated and revoked as the schema owner.
    PARTNERS_VIEW = "partners.view"
    #: Policy signals (issue 13 item 6, ADR 0043): a case role raises one from a case or conference it
    #: sees; the case roles of the region read them (no personal data); the process director handles them.
    POLICY_SIGNAL_RAISE = "policy_signal.raise"
    POLICY_SIGNAL_VIEW = "policy_signal.view"
    POLICY_SIGNAL_HANDLE = "policy_signal.handle"


#: For an action on an object, the action that makes the object visible: a refusal of the
#: first while the second is allowed is disclosed (API 403), otherwise it is "not found"
#: (the services check on a locked row, which may not have passed through a selector).
_VIEW_ACTION: dict[Action, Action] = {
    Action.SIGNAL_TRANSITION: Action.SIGNAL_VIEW,
    Action.WEIGHING_CONTRIBUTE: Action.WEIGHING_VIEW,
    Action.WEIGHING_DECIDE: Action.WEIGHING_VIEW,
    Action.WEIGHING_CONSULT: Action.WEIGHING_VIEW,
    Action.ITEM_CORRECT: Action.ITEM_VIEW,
    Action.CASE_MANAGE: Action.CASE_VIEW,
    Action.THIRD_PARTY_PROPOSE: Action.CASE_VIEW,
    Action.MEETING_MANAGE: Action.MEETING_VIEW,
    Action.ANNUAL_REPORT_PREPARE: Action.ANNUAL_REPORT_VIEW,
    Action.ANNUAL_REPORT_PUBLISH: Action.ANNUAL_REPORT_VIEW,
}

#: What a refused user is told where the refusal may be disclosed (API 403).
_REFUSALS: dict[Action, Any] = {
    Action.SIGNAL_CREATE: _("Alleen intakemedewerkers en de weegploeg registreren signalen."),
    Action.WEIGHING_CONTRIBUTE: _("Alleen leden van de weegploeg kunnen dit doen."),
    Action.WEIGHING_DECIDE: _("Alleen leden van de weegploeg kunnen dit doen."),
    Action.WEIGHING_CONSULT: _(
        "Alleen leden van de weegploeg van gemeente, politie en OM leggen een raadpleging vast (art. 5 lid 3 Wet PGA)."
    ),
    Action.CASE_MANAGE: _("Alleen de casusregisseur of procesregisseur kan dit doen."),
    Action.PRIVACY_COORDINATION_SET: _(
        "Alleen de coördinerend functionaris voor gegevensbescherming van deze casustafel wijzigt dit "
        "(art. 12 lid 2 Wet PGA)."
    ),
    Action.CASE_PLAN_VIEW: _(
        "Gegevens voor het plan van aanpak zijn niet als noodzakelijk voor uw organisatie aangemerkt "
        "(art. 3 lid 3 Wet PGA)."
    ),
    Action.CASE_PARTICIPANT_VIEW: _("Alleen deelnemers van art. 3 lid 1 Wet PGA zien dit; derden niet."),
    Action.THIRD_PARTY_PROPOSE: _(
        "Alleen de casusregisseur, de procesregisseur of een lid van de weegploeg kan een derde voorstellen."
    ),
    Action.THIRD_PARTY_DECIDE: _(
        "Alleen de burgemeester van de gemeente van verblijf, de politie en het OM (hun leden van de "
        "weegploeg) beslissen samen over het toelaten van een derde (art. 3 lid 3 Wet PGA)."
    ),
    Action.PLAN_TASK_COMPLETE: _("Alleen de eigenaar van de afstemmingsactie of de casusregisseur kan deze afronden."),
    Action.PLAN_INTERVENTION_DELIVER: _(
        "Alleen de uitvoerende organisatie van deze interventie of de casusregisseur legt hiervan contacten "
        "of de beëindiging vast."
    ),
    Action.JOURNAL_WRITE: _(
        "Alleen deelnemers aan deze casus voor wie het plan van aanpak noodzakelijk is, schrijven in het "
        "casusjournaal (art. 3 lid 3 Wet PGA)."
    ),
    Action.MEETING_MANAGE: _("Alleen de procesregisseur (voorzitter) kan dit doen."),
    Action.MEETING_COMPLETE_ACTION: _("Alleen de voorzitter of de eigenaar van de actie kan deze afronden."),
    Action.CATALOGUE_MANAGE: _("Alleen de functioneel beheerder kan de catalogus wijzigen."),
    Action.ITEM_CORRECT: _(
        "Alleen de organisatie die dit gegeven heeft aangeleverd kan het corrigeren (art. 10 Wet PGA)."
    ),
    Action.RETENTION_MANAGE: _(
        "Alleen de functionaris gegevensbescherming of functioneel beheerder van deze regio kan dit doen."
    ),
    Action.ADVICE_RESPOND: _("Alleen de procesregisseur (voorzitter) legt de reactie op een advies vast."),
    Action.ANNUAL_REPORT_PREPARE: _(
        "Alleen de procesregisseur van een deelnemende casustafel stelt het jaarverslag op."
    ),
    Action.ANNUAL_REPORT_PUBLISH: _(
        "Alleen de burgemeester van een deelnemende casustafel maakt het jaarverslag bekend (art. 18 Wet PGA)."
    ),
}


class Visibility(TextChoices):
    """Who may see an item's content, as its providing organisation chose (provenance)."""

    ALL_PARTICIPANTS = "all_participants", _("Alle deelnemers van de casus")
    CORE_PARTIES = "core_parties", _("Alleen de kernpartners (gemeente, politie, OM)")
    ORIGIN_AND_MAYOR = "origin_and_mayor", _("Alleen de aanleverende organisatie en de burgemeester")


# ---------------------------------------------------------------- roles


def _placed(user: Any) -> bool:
    """Active, with an organisation and a role. The helpers below are only asked for placed users."""
    return bool(user and user.is_authenticated and user.is_active and user.organisation_id and user.role)


def _region_id(user: Any) -> Any:
    return user.organisation.region_id


def _is_intake(user: Any) -> bool:
    return user.role == Role.INTAKE_OFFICER


def _is_core_weigher(user: Any) -> bool:
    return user.role == Role.WEIGHING_MEMBER and user.organisation.kind in CORE_PARTY_KINDS


def _works_on_signals(user: Any) -> bool:
    """Intake officers and core-party weighing members of a region (the signal side)."""
    return _is_intake(user) or _is_core_weigher(user)


def _works_on_cases(user: Any) -> bool:
    return user.role in CASE_ROLES


def _chairs(user: Any) -> bool:
    """A process director chairs the conferences of their region."""
    return user.role == Role.PROCESS_DIRECTOR


def _is_mayor_of(user: Any, region_id: Any) -> bool:
    """The mayor (or mandated) of a gemeente in ``region_id``."""
    return (
        user.role == Role.MAYOR
        and user.organisation.kind == OrganisationKind.GEMEENTE
        and _region_id(user) == region_id
    )


def _in_region(user: Any, obj: Any, attribute: str = "region_id") -> bool:
    return obj is None or getattr(obj, attribute) == _region_id(user)


def _participation(user: Any, case: Any) -> tuple[str, list[str]] | None:
    """How the user's organisation takes part in ``case``: (capacity, necessary data), or None.

    Uses what a selector already loaded (the ``viewer_*`` annotations of :func:`scope_cases`,
    or prefetched participants) before asking the database.
    """
    if hasattr(case, "viewer_capacity"):
        return (case.viewer_capacity, case.viewer_necessary_data or []) if case.viewer_capacity else None
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get("participants")
    if prefetched is not None:
        rows = [(p.capacity, p.necessary_data) for p in prefetched if p.organisation_id == user.organisation_id]
        return rows[0] if rows else None
    return (
        case.participants.filter(organisation_id=user.organisation_id).values_list("capacity", "necessary_data").first()
    )


def _participates(user: Any, case: Any) -> bool:
    return _participation(user, case) is not None


def _may_see_case_data(user: Any, case: Any, data: str | None) -> bool:
    """Art. 3 lid 3: a participant sees the case's data; a third party only what the three
    marked necessary for it (``data`` None: never)."""
    if case is None or not _case_view(user, case):
        return False
    participation = _participation(user, case)
    if participation is None:
        return False
    capacity, necessary = participation
    return capacity == PARTICIPANT_CAPACITY or (data is not None and data in necessary)


def may_direct_cases(user: Any, region_id: Any) -> bool:
    """Who may be case director (casusregisseur) at the table of ``region_id``: an active
    user in the case-director role of an organisation of that table. The one place this is
    decided: opening a case, the decision forms, the API and accepting a transfer ask it."""
    return bool(
        user is not None
        and user.is_active
        and user.organisation_id
        and user.role == Role.CASE_DIRECTOR
        and user.organisation.region_id == region_id
    )


#: Who reads reports (protected aggregates, Wet PGA art. 18 and 24; ADR 0039): never a
#: person-level page follows from this — the analyst has no case role and no case access.
REPORT_ROLES = (Role.ANALYST, Role.PROCESS_DIRECTOR, Role.PRIVACY_OFFICER, Role.FUNCTIONAL_ADMIN, Role.MAYOR)
#: Who may report on the nation (every region of this instance combined).
NATION_REPORT_ROLES = (Role.ANALYST, Role.FUNCTIONAL_ADMIN)


def can_view_reports(user: Any) -> bool:
    """Whether ``user`` reaches the report pages at all (aggregates only, ADR 0039)."""
    return _placed(user) and user.role in REPORT_ROLES


def can_report_on(user: Any, scope_kind: str, region_id: Any) -> bool:
    """Whether ``user`` may have figures published about a scope (ADR 0039): a gemeente or the
    region of their own table (analyst, process director, privacy officer, functional admin,
    and the mayor of a gemeente of that table); the nation: the analyst and the functional
    admin. The one place this is decided."""
    if not can_view_reports(user):
        return False
    if scope_kind == "nation":
        return region_id is None and user.role in NATION_REPORT_ROLES
    if scope_kind not in ("region", "gemeente") or region_id is None:
        return False
    if str(_region_id(user)) != str(region_id):
        return False
    return user.role != Role.MAYOR or user.organisation.kind == OrganisationKind.GEMEENTE


#: Wet PGA art. 12 lid 2: the coordinating FG is one of the FGs of the participating public
#: bodies (overheidsinstanties of art. 3 lid 1: gemeente, politie, OM, RvdK) — never of a
#: private participant (``PRIVATE_PARTICIPANT_KINDS``) nor of an organisation outside art. 3 lid 1.
PUBLIC_PARTICIPANT_KINDS = (
    OrganisationKind.GEMEENTE,
    OrganisationKind.POLITIE,
    OrganisationKind.OM,
    OrganisationKind.RVDK,
)


def may_coordinate_privacy(user: Any, region_id: Any) -> bool:
    """Who may be the coordinating FG of the table of ``region_id`` (Wet PGA art. 12 lid 2): an
    active privacy officer of a public participant of that table. The one place this is decided."""
    return bool(
        user is not None
        and user.is_active
        and user.organisation_id
        and user.role == Role.PRIVACY_OFFICER
        and user.organisation.kind in PUBLIC_PARTICIPANT_KINDS
        and user.organisation.region_id == region_id
    )


def may_import_cases(user: Any, region_id: Any) -> bool:
    """Who may bring a region's existing signals and cases in by migration import (ADR 0046): an
    active functional administrator of an organisation of that table. The one place this is decided."""
    return bool(
        user is not None
        and user.is_active
        and user.organisation_id
        and user.role == Role.FUNCTIONAL_ADMIN
        and user.organisation.region_id == region_id
    )


#: Who reads an annual report of a table (art. 18 Wet PGA): aggregates only.
ANNUAL_REPORT_READERS = (Role.PROCESS_DIRECTOR, Role.MAYOR, Role.ANALYST, Role.PRIVACY_OFFICER)


def may_prepare_annual_report(user: Any, region_id: Any) -> bool:
    """Whether ``user`` prepares the art. 18 annual report of table ``region_id`` (ADR 0040): an active
    process director of an organisation of that table. The one place this is decided."""
    return bool(_placed(user) and _chairs(user) and _region_id(user) == region_id)


def _annual_report(user: Any, report: Any, roles: tuple, *, joined: bool = False) -> bool:
    """``user`` has one of ``roles`` at a table of ``report`` (that has joined it, with ``joined``)."""
    if user.role not in roles:
        return False
    if report is None:
        return True
    return _region_id(user) in (report.joined_region_ids if joined else report.region_ids)


def coordinating_officer_candidates(region_id: Any) -> QuerySet:
    """The users :func:`may_coordinate_privacy` allows at ``region_id``, for a choice list."""
    return (
        apps.get_model("accounts", "User")
        .objects.filter(
            is_active=True,
            role=Role.PRIVACY_OFFICER,
            organisation__region_id=region_id,
            organisation__kind__in=PUBLIC_PARTICIPANT_KINDS,
        )
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "username")
    )


def case_director_candidates(region_id: Any) -> QuerySet:
    """The users :func:`may_direct_cases` allows at ``region_id``, for a choice list."""
    return (
        apps.get_model("accounts", "User")
        .objects.filter(is_active=True, role=Role.CASE_DIRECTOR, organisation__region_id=region_id)
        .select_related("organisation")
    )


def sees_whole_agenda(organisation: Any) -> bool:
    """The core parties (gemeente, politie, OM) see every agenda item of a conference."""
    return organisation.kind in CORE_PARTY_KINDS


def provenance_origin_id(item: Any) -> Any:
    return getattr(item, "registered_by_organisation_id", None) or getattr(item, "organisation_id", None)


def item_region_id(item: Any) -> Any:
    region_id = getattr(item, "region_id", None)
    if region_id is None and hasattr(item, "weighing"):
        region_id = item.weighing.region_id
    return region_id


# ---------------------------------------------------------------- per-action rules (obj may be None)


#: The case status whose personal data are blocked (afgeschermd) for every participant until
#: destruction (Wet PGA art. 6 lid 3). A literal: this package does not import ``cases``.
BLOCKED_CASE_STATUS = "closed"


def is_blocked(case: Any) -> bool:
    """Wet PGA art. 6 lid 3: a closed case's personal data are blocked for the participants."""
    return case.status == BLOCKED_CASE_STATUS


#: ``cases.Capacity.PARTICIPANT``: an organisation of art. 3 lid 1 (a literal, see above).
PARTICIPANT_CAPACITY = "participant"


def _third_party_propose(user: Any, case: Any) -> bool:
    if case is None:
        return user.role in (Role.CASE_DIRECTOR, Role.PROCESS_DIRECTOR) or _is_core_weigher(user)
    return _case_view(user, case) and (_case_manage(user, case) or _is_core_weigher(user))


def _third_party_decide(user: Any, admission: Any) -> bool:
    if not _is_core_weigher(user):
        return False
    if admission is None:
        return True
    return admission.case.region_id == _region_id(user) and not is_blocked(admission.case)


def _case_view(user: Any, case: Any) -> bool:
    if not _works_on_cases(user):
        return False
    if case is None:
        return True
    return case.region_id == _region_id(user) and not is_blocked(case) and _participates(user, case)


def _case_closed_follow_up(user: Any, case: Any) -> bool:
    """Art. 6 lid 3: only the minimum of a blocked case (reference, dates, outcome, check-ins)."""
    if case is None:
        return user.role in (Role.CASE_DIRECTOR, Role.PROCESS_DIRECTOR)
    return is_blocked(case) and _case_manage(user, case)


def _case_manage(user: Any, case: Any) -> bool:
    if case is None:
        return user.role in (Role.CASE_DIRECTOR, Role.PROCESS_DIRECTOR)
    if case.region_id != _region_id(user):
        return False
    if case.case_director_id == user.pk:
        return True
    return _chairs(user) and _participates(user, case)


def _task_complete(user: Any, task: Any) -> bool:
    if task is None:
        return _works_on_cases(user)
    case = task.plan.case
    if case.region_id != _region_id(user):
        return False
    return _case_manage(user, case) or (_works_on_cases(user) and user.organisation_id == task.owner_id)


def _intervention_deliver(user: Any, intervention: Any) -> bool:
    if intervention is None:
        return _works_on_cases(user)
    case = intervention.plan.case
    if case.region_id != _region_id(user) or is_blocked(case):
        return False
    if _case_manage(user, case):
        return True
    return (
        _works_on_cases(user)
        and user.organisation_id == intervention.organisation_id
        and _may_see_case_data(user, case, "plan_of_action")
    )


def _item_view(user: Any, item: Any) -> bool:
    """The caller has already established that the user may see the container (the signal
    list, the weighing, the case); this narrows it per item by the ``visibility`` the
    providing organisation chose."""
    if user.organisation_id == provenance_origin_id(item):
        return True
    visibility = getattr(item, "visibility", Visibility.ALL_PARTICIPANTS) or Visibility.ALL_PARTICIPANTS
    if visibility == Visibility.ALL_PARTICIPANTS:
        return True
    if visibility == Visibility.CORE_PARTIES:
        return user.organisation.kind in CORE_PARTY_KINDS
    if visibility == Visibility.ORIGIN_AND_MAYOR:
        return _is_mayor_of(user, item_region_id(item))
    return False


def _restricted_read(user: Any, document: Any) -> bool:
    if document is None or _region_id(user) != document.region_id:
        return False
    if _is_mayor_of(user, document.region_id):
        return True
    return document.designated_readers.filter(pk=user.pk).exists()


def _restricted_manage(user: Any, document: Any) -> bool:
    return _is_mayor_of(user, _region_id(user) if document is None else document.region_id)


def _item_correct(user: Any, item: Any) -> bool:
    """Art. 10: only the organisation that supplied an item corrects it, by someone who may see it."""
    if item is None:
        return _works_on_signals(user)
    if user.organisation_id != provenance_origin_id(item):
        return False
    if hasattr(item, "registered_by_organisation_id"):  # a signal
        return _works_on_signals(user) and _in_region(user, item)
    return _is_core_weigher(user) and _in_region(user, item.weighing) and item.party == user.organisation.kind


def _meeting_complete_action(user: Any, action: Any) -> bool:
    if not _works_on_cases(user) or action is None or action.case.region_id != _region_id(user):
        return False
    return _chairs(user) or user.organisation_id == action.owner_id


def _meeting_print(user: Any, organisation: Any) -> bool:
    if not _works_on_cases(user) or organisation is None or organisation.region_id != _region_id(user):
        return False
    return organisation.pk == user.organisation_id or _chairs(user)


_RULES: dict[Action, Callable[[Any, Any], bool]] = {
    Action.SIGNAL_CREATE: lambda user, obj: _works_on_signals(user),
    Action.SIGNAL_VIEW: lambda user, obj: _works_on_signals(user) and _in_region(user, obj),
    Action.SIGNAL_TRANSITION: lambda user, obj: _works_on_signals(user) and _in_region(user, obj),
    Action.SEARCH: lambda user, obj: _works_on_signals(user) or _works_on_cases(user),
    Action.WEIGHING_VIEW: lambda user, obj: _works_on_signals(user) and _in_region(user, obj),
    Action.WEIGHING_CONTRIBUTE: lambda user, obj: _is_core_weigher(user) and _in_region(user, obj),
    Action.WEIGHING_DECIDE: lambda user, obj: _is_core_weigher(user) and _in_region(user, obj),
    Action.WEIGHING_CONSULT: lambda user, obj: _is_core_weigher(user) and _in_region(user, obj),
    Action.CASE_VIEW: _case_view,
    Action.ANNUAL_REPORT_VIEW: lambda user, obj: _annual_report(user, obj, ANNUAL_REPORT_READERS),
    Action.ANNUAL_REPORT_PREPARE: lambda user, obj: _annual_report(user, obj, (Role.PROCESS_DIRECTOR,), joined=True),
    Action.ANNUAL_REPORT_PUBLISH: lambda user, obj: (
        _annual_report(user, obj, (Role.MAYOR,), joined=True) and user.organisation.kind == OrganisationKind.GEMEENTE
    ),
    Action.ANNUAL_REPORT_JOIN: lambda user, obj: _annual_report(user, obj, (Role.PROCESS_DIRECTOR,)),
    Action.CASE_MANAGE: _case_manage,
    Action.CASE_IDENTITY_VIEW: lambda user, obj: _may_see_case_data(user, obj, "identifying"),
    Action.CASE_PLAN_VIEW: lambda user, obj: _may_see_case_data(user, obj, "plan_of_action"),
    Action.CASE_PARTICIPANT_VIEW: lambda user, obj: _may_see_case_data(user, obj, None),
    Action.THIRD_PARTY_PROPOSE: _third_party_propose,
    Action.THIRD_PARTY_DECIDE: _third_party_decide,
    Action.CASE_CLOSED_FOLLOW_UP: _case_closed_follow_up,
    Action.CASE_LAWFULNESS_REVIEW: lambda user, obj: user.role == Role.PRIVACY_OFFICER and _in_region(user, obj),
    Action.BLOCKED_CASE_NOTICE: lambda user, obj: _is_core_weigher(user) and _in_region(user, obj),
    Action.TRANSFER_OBJECT: lambda user, obj: (
        (_works_on_cases(user) or _works_on_signals(user)) and _in_region(user, obj, "from_region_id")
    ),
    Action.TRANSFER_RECEIVE: lambda user, obj: (
        (_chairs(user) or _is_core_weigher(user)) and _in_region(user, obj, "to_region_id")
    ),
    Action.ITEM_VIEW: _item_view,
    Action.PLAN_TASK_COMPLETE: _task_complete,
    Action.PLAN_INTERVENTION_DELIVER: _intervention_deliver,
    Action.JOURNAL_WRITE: lambda user, obj: (
        _works_on_cases(user) and (obj is None or _may_see_case_data(user, obj, "plan_of_action"))
    ),
    Action.PLAN_FOLLOW_UP: lambda user, obj: user.role in (Role.CASE_DIRECTOR, Role.PROCESS_DIRECTOR),
    Action.CATALOGUE_VIEW: lambda user, obj: _works_on_cases(user) or user.role == Role.FUNCTIONAL_ADMIN,
    Action.CATALOGUE_MANAGE: lambda user, obj: user.role == Role.FUNCTIONAL_ADMIN,
    Action.PARTNERS_VIEW: lambda user, obj: user.role == Role.FUNCTIONAL_ADMIN and _in_region(user, obj),
    Action.MELDPUNT_REPORT_VIEW: lambda user, obj: _works_on_signals(user) and _in_region(user, obj),
    Action.MELDPUNT_MANAGE: lambda user, obj: user.role == Role.FUNCTIONAL_ADMIN and _in_region(user, obj),
    Action.INSIGHT_VIEW: lambda user, obj: user.role in (Role.ANALYST, Role.PROCESS_DIRECTOR) and _in_region(user, obj),
    Action.INSIGHT_FLOW_VIEW: lambda user, obj: _chairs(user) and _in_region(user, obj),
    Action.MEETING_VIEW: lambda user, obj: _works_on_cases(user) and _in_region(user, obj),
    Action.MEETING_MANAGE: lambda user, obj: _works_on_cases(user) and _chairs(user) and _in_region(user, obj),
    Action.MEETING_COMPLETE_ACTION: _meeting_complete_action,
    Action.MEETING_PRINT: _meeting_print,
    Action.RESTRICTED_READ: _restricted_read,
    Action.RESTRICTED_MANAGE: _restricted_manage,
    Action.ACCESS_REQUEST_HANDLE: lambda user, obj: user.role == Role.PRIVACY_OFFICER,
    Action.RETENTION_MANAGE: lambda user, obj: (
        user.role in (Role.PRIVACY_OFFICER, Role.FUNCTIONAL_ADMIN) and _in_region(user, obj)
    ),
    Action.PROCESSING_LOG_VIEW: lambda user, obj: user.role == Role.PRIVACY_OFFICER and _in_region(user, obj),
    Action.WITHHELD_RECORD: lambda user, obj: (
        (_works_on_signals(user) or _works_on_cases(user)) and _in_region(user, obj)
    ),
    Action.WITHHELD_VIEW: lambda user, obj: (
        (
            user.role == Role.PRIVACY_OFFICER
            or (user.organisation.kind in CORE_PARTY_KINDS and (_works_on_cases(user) or user.role == Role.MAYOR))
        )
        and _in_region(user, obj)
    ),
    Action.AUDIT_MANAGE: lambda user, obj: user.role == Role.PRIVACY_OFFICER and _in_region(user, obj),
    Action.DESIGNATION_VIEW: lambda user, obj: user.role == Role.PRIVACY_OFFICER and _in_region(user, obj),
    Action.COMMITTEE_VIEW: lambda user, obj: user.role == Role.LAWFULNESS_COMMITTEE and _in_region(user, obj),
    Action.ADVICE_RESPOND: lambda user, obj: _chairs(user) and _in_region(user, obj),
    Action.ITEM_CORRECT: _item_correct,
    Action.CORRECTION_NOTICE_HANDLE: lambda user, obj: (
        _works_on_signals(user) and (obj is None or obj.organisation_id == user.organisation_id)
    ),
    Action.RIGHTS_REQUEST_HANDLE: lambda user, obj: user.role == Role.PRIVACY_OFFICER and _in_region(user, obj),
    Action.PRIVACY_COORDINATION_SET: lambda user, obj: (
        may_coordinate_privacy(user, _region_id(user))
        and _in_region(user, obj)
        and (
            getattr(obj, "coordinating_officer", None) is None
            or obj.coordinating_officer.pk == user.pk
            or not may_coordinate_privacy(obj.coordinating_officer, obj.region_id)
        )
    ),
    Action.POLICY_SIGNAL_RAISE: lambda user, obj: _works_on_cases(user),
    Action.POLICY_SIGNAL_VIEW: lambda user, obj: _works_on_cases(user) and _in_region(user, obj),
    Action.POLICY_SIGNAL_HANDLE: lambda user, obj: _chairs(user) and _in_region(user, obj),
}


def can(user: Any, action: Action, obj: Any = None) -> bool:
    """May ``user`` perform ``action`` (on ``obj``)? The single decision point."""
    if not _placed(user):
        return False
    return _RULES[action](user, obj)


def require(user: Any, action: Action, obj: Any = None) -> None:
    """Raise :class:`PolicyDenied` unless :func:`can`; it says whether the object is visible."""
    if can(user, action, obj):
        return
    # Disclosed unless the object itself is hidden from the user: a refusal without an
    # object concerns the action (the endpoint exists), and objects are reached through
    # scoped selectors, which already answered "not found" for what the user cannot see.
    view_action = _VIEW_ACTION.get(action)
    visible = obj is None or view_action is None or can(user, view_action, obj)
    raise PolicyDenied(
        action, _REFUSALS.get(action, _("Geen toestemming voor deze handeling.")), visible=visible, obj=obj
    )


def organisation_of(user: User) -> Organisation:
    """The organisation of a *placed* user: one the policy admitted (every rule requires it).

    Services call this after :func:`require`, so a user without organisation never gets here;
    if one does, it is refused like any other unplaced user.
    """
    if not _placed(user) or user.organisation is None:
        raise PolicyDenied(None, _("Geen toestemming voor deze handeling."), visible=True)
    return user.organisation


# ---------------------------------------------------------------- scoping (reads, lists)


def scope_signals(user: Any, queryset: QuerySet) -> QuerySet:
    if not can(user, Action.SIGNAL_VIEW):
        return queryset.none()
    # Art. 6 lid 3: the signals that led to a case that is now closed are blocked with it.
    return queryset.filter(region_id=_region_id(user)).exclude(weighing__decisions__case__status=BLOCKED_CASE_STATUS)


def scope_weighings(user: Any, queryset: QuerySet) -> QuerySet:
    if not can(user, Action.WEIGHING_VIEW):
        return queryset.none()
    # Art. 6 lid 3: the weighing that opened a case that is now closed is blocked with it.
    return queryset.filter(region_id=_region_id(user)).exclude(decisions__case__status=BLOCKED_CASE_STATUS)


def scope_cases(user: Any, queryset: QuerySet) -> QuerySet:
    if not can(user, Action.CASE_VIEW):
        return queryset.none()
    participant = apps.get_model("cases", "CaseParticipant")
    participates = participant.objects.filter(case_id=OuterRef("pk"), organisation_id=user.organisation_id)
    # Art. 6 lid 3: a closed case is blocked for every participant.
    # Art. 3 lid 3: how the viewer takes part, so each row knows what a third party may see.
    return (
        queryset.filter(region_id=_region_id(user))
        .exclude(status=BLOCKED_CASE_STATUS)
        .filter(Exists(participates))
        .annotate(
            viewer_capacity=Subquery(participates.values("capacity")[:1]),
            viewer_necessary_data=Subquery(participates.values("necessary_data")[:1]),
        )
    )


def scope_followed_cases(user: Any, queryset: QuerySet) -> QuerySet:
    """Cases on a director's dashboard: a case director's own; a process director's: every
    case of the region they participate in. Closed (blocked) cases are included for their
    minimum only (reference, check-in dates: art. 6 lid 3); callers show nothing more of them."""
    if not can(user, Action.PLAN_FOLLOW_UP):
        return queryset.none()
    participant = apps.get_model("cases", "CaseParticipant")
    participates = participant.objects.filter(case_id=OuterRef("pk"), organisation_id=user.organisation_id)
    cases = queryset.filter(region_id=_region_id(user)).filter(Exists(participates))
    return cases.filter(case_director=user) if user.role == Role.CASE_DIRECTOR else cases


def scope_closed_follow_up(user: Any, queryset: QuerySet) -> QuerySet:
    """Blocked cases whose minimum ``user`` may see (:attr:`Action.CASE_CLOSED_FOLLOW_UP`)."""
    if not can(user, Action.CASE_CLOSED_FOLLOW_UP):
        return queryset.none()
    queryset = queryset.filter(region_id=_region_id(user), status=BLOCKED_CASE_STATUS)
    if user.role == Role.CASE_DIRECTOR:
        return queryset.filter(case_director=user)
    participant = apps.get_model("cases", "CaseParticipant")
    participates = participant.objects.filter(case_id=OuterRef("pk"), organisation_id=user.organisation_id)
    return queryset.filter(Exists(participates))


def scope_lawfulness_review(user: Any, queryset: QuerySet) -> QuerySet:
    """Blocked cases the region's privacy officer may review (art. 6 lid 3, art. 13)."""
    if not can(user, Action.CASE_LAWFULNESS_REVIEW):
        return queryset.none()
    return queryset.filter(region_id=_region_id(user), status=BLOCKED_CASE_STATUS)


def scope_blocked_case_notices(user: Any, queryset: QuerySet) -> QuerySet:
    """Blocked cases of the region the three core parties are told exist (reference and
    closing date only), for persons about whom a new signal is in weighing (art. 6 lid 3)."""
    if not can(user, Action.BLOCKED_CASE_NOTICE):
        return queryset.none()
    return queryset.filter(region_id=_region_id(user), status=BLOCKED_CASE_STATUS)


def scope_subject_history(user: Any, subject: Any) -> dict:
    """What of a subject's history this user may see (known-person check)."""
    case = apps.get_model("cases", "Case")
    signal = apps.get_model("signals", "Signal")
    return {
        "signals": scope_signals(user, signal.objects.filter(subject=subject)),
        "cases": scope_cases(user, case.objects.filter(subject=subject)),
        "other_cases_exist": case.objects.filter(subject=subject).exists(),
        # Art. 6 lid 3: the three core parties learn that a blocked case exists, nothing more.
        "blocked_cases": scope_blocked_case_notices(user, case.objects.filter(subject=subject)).only(
            "id", "reference", "status_changed_at", "region_id", "status"
        ),
    }


def scope_cross_region_requests(user: Any, queryset: QuerySet, *, incoming: bool) -> QuerySet:
    """Formal requests between tables: the signal side of the receiving (or sending) region."""
    if not can(user, Action.SIGNAL_VIEW):
        return queryset.none()
    field = "to_region_id" if incoming else "from_region_id"
    return queryset.filter(**{field: _region_id(user)})


def scope_restricted_documents(user: Any, queryset: QuerySet) -> QuerySet:
    """Ambtsberichten whose content ``user`` may read (mayor: all of the region; others: designated)."""
    if not _placed(user):
        return queryset.none()
    queryset = queryset.filter(region_id=_region_id(user))
    if _is_mayor_of(user, _region_id(user)):
        return queryset
    return queryset.filter(designated_readers=user)


def scope_meetings(user: Any, queryset: QuerySet) -> QuerySet:
    if not can(user, Action.MEETING_VIEW):
        return queryset.none()
    return queryset.filter(region_id=_region_id(user))


def scope_agenda_items_for_organisation(organisation: Any, queryset: QuerySet) -> QuerySet:
    """Agenda items ``organisation`` may see: all for a core party, else its own cases'.

    A third party (art. 3 lid 3) sees the items of its case only when the three marked the
    plan data (art. 4 e) necessary for it, and the person's name (``identity_shielded``
    false) only when they marked identifying data (art. 4 a).
    """
    # Art. 6 lid 3: items (minutes, decisions, actions) of a closed case are blocked.
    queryset = queryset.filter(meeting__region_id=organisation.region_id).exclude(case__status=BLOCKED_CASE_STATUS)
    if sees_whole_agenda(organisation):
        return queryset
    participant = apps.get_model("cases", "CaseParticipant")
    participates = participant.objects.filter(case_id=OuterRef("case_id"), organisation_id=organisation.pk)
    as_participant = Q(capacity=PARTICIPANT_CAPACITY)
    return queryset.filter(
        Exists(participates.filter(as_participant | Q(necessary_data__contains=["plan_of_action"])))
    ).annotate(
        identity_shielded=~Exists(participates.filter(as_participant | Q(necessary_data__contains=["identifying"])))
    )


def scope_agenda_items(user: Any, queryset: QuerySet) -> QuerySet:
    """Agenda items (with their minutes, decisions, actions) ``user`` may see."""
    if not can(user, Action.MEETING_VIEW):
        return queryset.none()
    if can(user, Action.MEETING_MANAGE):
        return queryset.filter(meeting__region_id=_region_id(user)).exclude(case__status=BLOCKED_CASE_STATUS)
    return scope_agenda_items_for_organisation(user.organisation, queryset)


def scope_incoming_transfers(user: Any, queryset: QuerySet) -> QuerySet:
    if not can(user, Action.TRANSFER_RECEIVE):
        return queryset.none()
    return queryset.filter(to_region_id=_region_id(user))


def scope_outgoing_transfers(user: Any, queryset: QuerySet) -> QuerySet:
    """Transfers proposed by the user's table, for an objection (art. 7 lid 2)."""
    if not can(user, Action.TRANSFER_OBJECT):
        return queryset.none()
    return queryset.filter(from_region_id=_region_id(user))


def scope_processing_log_region(user: Any) -> Any:
    """The region whose processing log ``user`` may query (raises unless the region's FG)."""
    require(user, Action.PROCESSING_LOG_VIEW)
    return _region_id(user)


def scope_region_records(user: Any, action: Action, queryset: QuerySet, *, national: bool = False) -> QuerySet:
    """Region-owned records (retention schedules, runs, holds) for a region-wide ``action``;
    ``national``: also the rows without a region (national defaults)."""
    if not can(user, action):
        return queryset.none()
    condition = Q(region_id=_region_id(user))
    if national:
        condition |= Q(region__isnull=True)
    return queryset.filter(condition)
