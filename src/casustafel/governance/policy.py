"""The access policy: the one place that decides who may see or do what (need-to-know).

Every selector (read) and service (write) asks this module; nothing else decides
access. Deny by default: a user without organisation or role sees nothing, there is no
superuser bypass for personal data, and nothing crosses regions.

| object | who may read | who may act |
|---|---|---|
| signal | intake officers of the region; weighing members of the region's core parties | register/prepare: the same |
| weighing | the same | contribute: weighing members, for their own party; decide: weighing members |
| case | users in an operational role whose organisation participates in the case | add participant / transition: the case director, or a process director whose organisation participates |

Forbidden objects are answered as "not found" by the callers (``get_visible``).
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from casustafel.accounts.models import CORE_PARTY_KINDS, Role

#: Roles that work with case content (never privacy officer, analyst or administrator).
CASE_ROLES = frozenset({Role.CASE_DIRECTOR, Role.PARTICIPANT, Role.WEIGHING_MEMBER, Role.PROCESS_DIRECTOR,
                        Role.INTAKE_OFFICER})


class Action(StrEnum):
    SIGNAL_CREATE = "signal.create"
    SIGNAL_VIEW = "signal.view"
    SIGNAL_TRANSITION = "signal.transition"
    WEIGHING_VIEW = "weighing.view"
    WEIGHING_CONTRIBUTE = "weighing.contribute"
    WEIGHING_DECIDE = "weighing.decide"
    CASE_VIEW = "case.view"
    CASE_MANAGE = "case.manage"
    #: Retention: approve destruction runs, place and lift legal holds (obj: anything with region_id).
    RETENTION_MANAGE = "retention.manage"
    #: Processing log: the privacy officer (FG) queries the log of their own region.
    PROCESSING_LOG_VIEW = "processing_log.view"
    #: Plans: mark a coordination task (afstemmingsactie) done (obj: the task, with ``plan.case``):
    #: whoever may manage the case, or a case-role user of the task's owner organisation.
    PLAN_TASK_COMPLETE = "plan.task_complete"


def _placed(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.organisation_id and user.role)


def _is_intake(user) -> bool:
    return user.role == Role.INTAKE_OFFICER


def _is_core_weigher(user) -> bool:
    return user.role == Role.WEIGHING_MEMBER and user.organisation.kind in CORE_PARTY_KINDS


def works_on_signals(user) -> bool:
    """Intake officers and core-party weighing members of a region (the signal side)."""
    return _placed(user) and (_is_intake(user) or _is_core_weigher(user))


def works_on_cases(user) -> bool:
    return _placed(user) and user.role in CASE_ROLES


# ---------------------------------------------------------------- scoping (reads, lists)

def scope_signals(user, queryset: QuerySet) -> QuerySet:
    if not works_on_signals(user):
        return queryset.none()
    return queryset.filter(region_id=user.organisation.region_id)


def scope_weighings(user, queryset: QuerySet) -> QuerySet:
    return scope_signals(user, queryset)


def scope_cases(user, queryset: QuerySet) -> QuerySet:
    if not works_on_cases(user):
        return queryset.none()
    from casustafel.cases.models import CaseParticipant

    participates = CaseParticipant.objects.filter(case_id=OuterRef("pk"), organisation_id=user.organisation_id)
    return queryset.filter(region_id=user.organisation.region_id).filter(Exists(participates))


def scope_subject_history(user, subject) -> dict:
    """What of a subject's history this user may see (known-person check)."""
    from casustafel.cases.models import Case
    from casustafel.signals.models import Signal

    return {
        "signals": scope_signals(user, Signal.objects.filter(subject=subject)),
        "cases": scope_cases(user, Case.objects.filter(subject=subject)),
        "other_cases_exist": Case.objects.filter(subject=subject).exists(),
    }


# ---------------------------------------------------------------- per-object decisions

def can(user, action: Action, obj=None) -> bool:
    """May ``user`` perform ``action`` (on ``obj``)? The single decision point."""
    if not _placed(user):
        return False
    region_id = user.organisation.region_id
    if action == Action.SIGNAL_CREATE:
        return works_on_signals(user)
    if action in (Action.SIGNAL_VIEW, Action.SIGNAL_TRANSITION, Action.WEIGHING_VIEW):
        return works_on_signals(user) and (obj is None or obj.region_id == region_id)
    if action in (Action.WEIGHING_CONTRIBUTE, Action.WEIGHING_DECIDE):
        return _is_core_weigher(user) and (obj is None or obj.region_id == region_id)
    if action == Action.CASE_VIEW:
        if obj is None:
            return works_on_cases(user)
        return works_on_cases(user) and obj.region_id == region_id and _participates(user, obj)
    if action == Action.CASE_MANAGE:
        if obj is None:
            return user.role in (Role.CASE_DIRECTOR, Role.PROCESS_DIRECTOR)
        if obj.region_id != region_id:
            return False
        if obj.case_director_id == user.pk:
            return True
        return user.role == Role.PROCESS_DIRECTOR and _participates(user, obj)
    if action == Action.PLAN_TASK_COMPLETE:
        if obj is None:
            return works_on_cases(user)
        case = obj.plan.case
        if case.region_id != region_id:
            return False
        return can(user, Action.CASE_MANAGE, case) or (works_on_cases(user) and user.organisation_id == obj.owner_id)
    if action == Action.RETENTION_MANAGE:
        return (user.role in (Role.PRIVACY_OFFICER, Role.FUNCTIONAL_ADMIN)
                and (obj is None or obj.region_id == region_id))
    if action == Action.PROCESSING_LOG_VIEW:
        return user.role == Role.PRIVACY_OFFICER and (obj is None or obj.region_id == region_id)
    return False


def _participates(user, case) -> bool:
    return case.participants.filter(organisation_id=user.organisation_id).exists()


def require(user, action: Action, obj=None) -> None:
    """Raise "not found" (never "forbidden": existence is not disclosed)."""
    if not can(user, action, obj):
        raise Http404




# ---------------------------------------------------------------- information governance

def is_mayor_of(user, region_id) -> bool:
    """The mayor (or mandated) of a gemeente in ``region_id``."""
    from casustafel.accounts.models import OrganisationKind

    return (_placed(user) and user.role == Role.MAYOR and user.organisation.kind == OrganisationKind.GEMEENTE
            and user.organisation.region_id == region_id)


def item_visible(user, item) -> bool:
    """May ``user`` see the content of a signal or contribution, given its provenance?

    The caller has already established that the user may see the container (the signal
    list, the weighing, the case); this narrows it per item by the ``visibility`` the
    providing organisation chose. The one place this is decided.
    """
    from casustafel.governance.models import Visibility

    if not _placed(user):
        return False
    origin_id = provenance_origin_id(item)
    if user.organisation_id == origin_id:
        return True
    visibility = getattr(item, "visibility", Visibility.ALL_PARTICIPANTS) or Visibility.ALL_PARTICIPANTS
    if visibility == Visibility.ALL_PARTICIPANTS:
        return True
    if visibility == Visibility.CORE_PARTIES:
        return user.organisation.kind in CORE_PARTY_KINDS
    if visibility == Visibility.ORIGIN_AND_MAYOR:
        return is_mayor_of(user, item_region_id(item))
    return False


def provenance_origin_id(item):
    return getattr(item, "registered_by_organisation_id", None) or getattr(item, "organisation_id", None)


def item_region_id(item):
    region_id = getattr(item, "region_id", None)
    if region_id is None and hasattr(item, "weighing"):
        region_id = item.weighing.region_id
    return region_id


def may_read_restricted_content(user, document) -> bool:
    """Content of an AIVD ambtsbericht: the region's mayor and the officials they designated."""
    if not _placed(user) or user.organisation.region_id != document.region_id:
        return False
    if is_mayor_of(user, document.region_id):
        return True
    return document.designated_readers.filter(pk=user.pk).exists()


def may_manage_restricted(user, document=None) -> bool:
    """Register, release a summary, designate readers: the region's mayor only."""
    if not _placed(user):
        return False
    region_id = user.organisation.region_id if document is None else document.region_id
    return is_mayor_of(user, region_id)


def scope_restricted_documents(user, queryset: QuerySet) -> QuerySet:
    """Ambtsberichten whose content ``user`` may read (mayor: all of the region; others: designated)."""
    if not _placed(user):
        return queryset.none()
    queryset = queryset.filter(region_id=user.organisation.region_id)
    if is_mayor_of(user, user.organisation.region_id):
        return queryset
    return queryset.filter(designated_readers=user)


def may_handle_access_requests(user) -> bool:
    """Data-subject access requests: the region's privacy officer (FG)."""
    return _placed(user) and user.role == Role.PRIVACY_OFFICER


# ---------------------------------------------------------------- plans of action (plans app)
# A case's plan is read by its participants (CASE_VIEW) and written by those who may
# manage the case (CASE_MANAGE: the case director, or a participating process director).
# The intervention catalogue is read by everyone who works on cases and changed by the
# functional administrator.

def may_manage_catalogue(user) -> bool:
    return _placed(user) and user.role == Role.FUNCTIONAL_ADMIN


def may_view_catalogue(user) -> bool:
    return works_on_cases(user) or may_manage_catalogue(user)


# ---------------------------------------------------------------- case conferences (casusoverleg)
#
# The meeting itself (date, place, who is invited) is visible to every case role of the
# region; its content is not. An organisation sees the agenda items — and with them the
# minutes, decisions and actions — of the cases it participates in; the chair (a process
# director of the region) and the core parties (gemeente, politie, OM) see the whole agenda.

class MeetingRight(StrEnum):
    VIEW = "meeting.view"
    #: Schedule, build the agenda, invite, record attendance, minutes, decisions, actions.
    MANAGE = "meeting.manage"
    #: Mark an action done: the chair or the owning organisation.
    COMPLETE_ACTION = "meeting.complete_action"


def chairs_meetings(user, region_id=None) -> bool:
    """A process director of the region chairs its conferences."""
    return (_placed(user) and user.role == Role.PROCESS_DIRECTOR
            and (region_id is None or user.organisation.region_id == region_id))


def sees_whole_agenda(organisation) -> bool:
    return organisation.kind in CORE_PARTY_KINDS


def can_meeting(user, action: MeetingRight, obj=None) -> bool:
    """Decisions on a meeting (``obj``: a Meeting, or a meeting action for COMPLETE_ACTION)."""
    if not works_on_cases(user):
        return False
    region_id = user.organisation.region_id
    if action == MeetingRight.VIEW:
        return obj is None or obj.region_id == region_id
    if action == MeetingRight.MANAGE:
        return chairs_meetings(user) and (obj is None or obj.region_id == region_id)
    if action == MeetingRight.COMPLETE_ACTION:
        if obj is None or obj.case.region_id != region_id:
            return False
        return chairs_meetings(user) or user.organisation_id == obj.owner_id
    return False


def require_meeting(user, action: MeetingRight, obj=None) -> None:
    if not can_meeting(user, action, obj):
        raise Http404


def scope_meetings(user, queryset: QuerySet) -> QuerySet:
    if not works_on_cases(user):
        return queryset.none()
    return queryset.filter(region_id=user.organisation.region_id)


def scope_agenda_items_for_organisation(organisation, queryset: QuerySet) -> QuerySet:
    """Agenda items ``organisation`` may see: all for a core party, else its own cases'."""
    from casustafel.cases.models import CaseParticipant

    queryset = queryset.filter(meeting__region_id=organisation.region_id)
    if sees_whole_agenda(organisation):
        return queryset
    participates = CaseParticipant.objects.filter(case_id=OuterRef("case_id"), organisation_id=organisation.pk)
    return queryset.filter(Exists(participates))


def scope_agenda_items(user, queryset: QuerySet) -> QuerySet:
    """Agenda items (with their minutes, decisions, actions) ``user`` may see."""
    if not works_on_cases(user):
        return queryset.none()
    if chairs_meetings(user):
        return queryset.filter(meeting__region_id=user.organisation.region_id)
    return scope_agenda_items_for_organisation(user.organisation, queryset)


def may_print_for(user, organisation) -> bool:
    """The per-organisation PDF: one's own organisation; the chair prints for any of the region."""
    if not works_on_cases(user) or organisation.region_id != user.organisation.region_id:
        return False
    return organisation.pk == user.organisation_id or chairs_meetings(user)


# ---------------------------------------------------------------- case transfers (overdracht)
# Proposing a transfer is managing the case (CASE_MANAGE). The receiving table — a process
# director or a core-party weighing member of the receiving region — sees the incoming
# proposal (reference, municipality, reason; no case content) and accepts or declines it.

def receives_transfers(user, region_id=None) -> bool:
    return (_placed(user) and (user.role == Role.PROCESS_DIRECTOR or _is_core_weigher(user))
            and (region_id is None or user.organisation.region_id == region_id))


def scope_incoming_transfers(user, queryset: QuerySet) -> QuerySet:
    if not receives_transfers(user):
        return queryset.none()
    return queryset.filter(to_region_id=user.organisation.region_id)
