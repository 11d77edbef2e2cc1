"""Closed cases are blocked (afgeschermd), Wet PGA art. 6 lid 3 (ADR 0022).

After the participants close a case its personal data are blocked for them until they
are destroyed or anonymised (art. 9). ``access.policy`` decides it (a closed case is not
``CASE_VIEW``-able; lists, agenda items, signals and weighings of it are scoped out);
this module holds the few uses the law leaves, each logged with its reason:

* the minimum the follow-up after closure needs (reference, dates, outcome, check-ins,
  reopening) for the case director or a participating process director;
* the privacy officer's lawfulness review: a read with a recorded reason (art. 13, 14);
* the notice to politie, OM and the burgemeester, after a new aanmelding about the same
  person, that a blocked case exists (reference and closing date only), and their recorded
  decision whether its data may serve the renewed weighing. All three must record "may
  serve" (the same eensluidende rule as art. 5 lid 3) before its content opens to them,
  read-only and logged with purpose weighing.

The legal hold for a legal claim (art. 9) lives in the retention app and reads nothing here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import CORE_PARTY_KINDS
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from . import states
from .models import BlockedCaseReuse, Case, CaseTransition, LawfulnessReview, ReuseDecision

if TYPE_CHECKING:
    from casustafel.accounts.models import User

_NOT_FOUND = (Case.DoesNotExist, ValueError, TypeError, ValidationError)


def _get(user: Any, queryset: QuerySet, pk: Any, purpose: Purpose, *, via_api: bool) -> Case:
    try:
        return queryset.get(pk=pk)
    except _NOT_FOUND:
        record_refused(user, action=Action.READ, purpose=purpose, model=Case, pk=pk, via_api=via_api)
        raise Http404 from None


def closing_date(case: Case) -> Any:
    """When the case was (last) closed: the moment its data were blocked."""
    return case.status_changed_at


# ---------------------------------------------------------------- follow-up after closure (minimum)


def followed_closed_cases(user: Any) -> QuerySet:
    return policy.scope_closed_follow_up(user, Case.objects.only("id", "reference", "opened_at", "status_changed_at"))


def get_closed_case(user: Any, pk: Any, *, via_api: bool = False) -> Case:
    """The minimum of a blocked case (reference, dates, outcome) for its follow-up; logged."""
    queryset = policy.scope_closed_follow_up(user, Case.objects.all())
    case = _get(user, queryset, pk, Purpose.CASE_MANAGEMENT, via_api=via_api)
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[case], via_api=via_api)
    return case


def get_managed_case(user: Any, pk: Any, *, via_api: bool = False) -> Case:
    """A case to change the status of: a readable one, or a blocked one its directors follow
    up (reopening needs no more than the minimum); logged."""
    queryset = policy.scope_cases(user, Case.objects.all()) | policy.scope_closed_follow_up(user, Case.objects.all())
    case = _get(user, queryset.distinct(), pk, Purpose.CASE_MANAGEMENT, via_api=via_api)
    record(user, action=Action.READ, purpose=Purpose.CASE_MANAGEMENT, objects=[case], via_api=via_api)
    return case


# ---------------------------------------------------------------- lawfulness review by the privacy officer


def reviewable_cases(user: Any) -> QuerySet:
    return policy.scope_lawfulness_review(user, Case.objects.only("id", "reference", "opened_at", "status_changed_at"))


def get_reviewable_case(user: Any, pk: Any) -> Case:
    """A blocked case the privacy officer may review; only its reference is used before the review."""
    return _get(
        user, policy.scope_lawfulness_review(user, Case.objects.all()), pk, Purpose.PRIVACY_SUPERVISION, via_api=False
    )


@transaction.atomic
def review_lawfulness(actor: User, *, case: Case, reason: str) -> LawfulnessReview:
    """Art. 6 lid 3 with art. 13/14: the privacy officer reads a blocked case's content for
    a lawfulness review; the reason is recorded and the read logged under privacy supervision."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_LAWFULNESS_REVIEW, case)
    if not policy.is_blocked(case):
        raise ValidationError({"case": _("Alleen een afgesloten (afgeschermde) casus wordt zo gecontroleerd.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Geef de reden van de rechtmatigheidscontrole.")})
    review = LawfulnessReview.objects.create(case=case, reason=reason.strip(), reviewed_by=actor)
    record(actor, action=Action.CREATE, purpose=Purpose.PRIVACY_SUPERVISION, objects=[review])
    # The case and its participants (the transitions are shown with the case: integer ids).
    content = [case, *case.participants.all()]
    record(actor, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, objects=content)
    return review


# ---------------------------------------------------------------- notice and renewed weighing


def blocked_case_notices(user: Any) -> QuerySet:
    """Blocked cases of the region about whose person a new aanmelding came in after closure:
    the three core parties are told they exist (reference, closing date), never their content."""
    queryset = Case.objects.only("id", "reference", "status_changed_at", "region_id", "status")
    # A signal about the person registered after the closure: the new aanmelding (through the
    # person, as the cases app does not import signals: ADR 0001).
    newer = Q(subject__signals__registered_at__gt=F("status_changed_at"))
    return policy.scope_blocked_case_notices(user, queryset).filter(newer).distinct().order_by("-status_changed_at")


def log_notices(user: Any, cases: list) -> None:
    record(user, action=Action.LIST, purpose=Purpose.WEIGHING, objects=cases)


def get_notice(user: Any, pk: Any) -> Case:
    return _get(user, blocked_case_notices(user), pk, Purpose.WEIGHING, via_api=False)


def current_reuse_decisions(case: Case) -> dict:
    """The latest decision of each core party (organisation kind → decision row)."""
    latest: dict = {}
    for row in BlockedCaseReuse.objects.filter(case=case).select_related("organisation", "decided_by"):
        latest.setdefault(row.organisation.kind, row)
    return latest


def reuse_permitted(case: Case) -> bool:
    """All three (gemeente, politie, OM) decided that the data may serve the renewed weighing."""
    latest = current_reuse_decisions(case)
    return all(kind in latest and latest[kind].decision == ReuseDecision.MAY_SERVE for kind in CORE_PARTY_KINDS)


@transaction.atomic
def decide_reuse(actor: User, *, case: Case, decision: str, reason: str) -> BlockedCaseReuse:
    """Record one core party's decision whether the blocked case's data may serve the
    renewed weighing of a new aanmelding (art. 6 lid 3, art. 5 lid 3); logged."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.BLOCKED_CASE_NOTICE, case)
    errors = {}
    if not policy.is_blocked(case) or not blocked_case_notices(actor).filter(pk=case.pk).exists():
        errors["case"] = _("Er is geen nieuwe aanmelding over de persoon van deze afgeschermde casus.")
    if decision not in ReuseDecision.values:
        errors["decision"] = _("Kies of de gegevens de nieuwe weging mogen dienen.")
    if not (reason or "").strip():
        errors["reason"] = _("Onderbouw het besluit.")
    if errors:
        raise ValidationError(errors)
    row = BlockedCaseReuse.objects.create(
        case=case,
        decision=decision,
        reason=reason.strip(),
        organisation=policy.organisation_of(actor),
        decided_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.WEIGHING, objects=[row])
    return row


def get_reusable_case(user: Any, pk: Any) -> Case:
    """The content of a blocked case for the renewed weighing, once all three decided it may
    serve it; read-only, logged with purpose weighing."""
    case = get_notice(user, pk)
    if not reuse_permitted(case):
        record_refused(user, action=Action.READ, purpose=Purpose.WEIGHING, model=Case, pk=pk)
        raise Http404
    case = Case.objects.prefetch_related("participants__organisation", "transitions__by").get(pk=case.pk)
    record(user, action=Action.READ, purpose=Purpose.WEIGHING, objects=[case, *case.participants.all()])
    return case


def closing_transition(case: Case) -> CaseTransition | None:
    return case.transitions.filter(target=states.CLOSED).order_by("-at").first()
