"""Informing the person of their inclusion, Wet PGA art. 11 with AVG art. 14 and art. 41 lid 1
UAVG (ADR 0010, revision 2026-11-30).

* Informing is the default: AVG art. 14 lid 3 a, within a month of obtaining the data; here from
  the inclusion (the case's opening). The page shows that deadline until a decision is recorded.
* Not informing, or deferring, is a recorded decision per case: the interest of art. 41 lid 1
  UAVG it protects (a code from ``data/informing_grounds_v*.json``, the version valid on the day
  of the decision), a written motivation "ten behoeve van een casusoverleg" and a review date
  (not in the past). "Informed" records the date (not in the future).
* Every decision is a new row (:class:`InformingDecision`); the newest is the current state, the
  page shows them all. When a review date passes without a newer decision, or the month passes
  without any, the case appears in its directors' work (:func:`informing_follow_up`).

Who records: the case's managers (``CASE_MANAGE``); who reads: the participants of art. 3 lid 1
(``CASE_PARTICIPANT_VIEW``), never a third party. Reads and writes are logged.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from .models import GROUND_NOT_RECORDED, InformingDecision, InformingOutcome

if TYPE_CHECKING:
    from casustafel.accounts.models import User

DATA_DIR = Path(__file__).resolve().parent / "data"

# ---------------------------------------------------------------- the grounds, as data


@dataclass(frozen=True)
class InformingGrounds:
    """One version of the grounds file: the interests of art. 41 lid 1 UAVG (a–j)."""

    version: int
    valid_from: date
    within_months: int
    grounds: tuple[tuple[str, str, str], ...]  # (code, letter, label)

    @property
    def codes(self) -> list[str]:
        return [code for code, _letter, _label in self.grounds]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(code, f"{letter}. {label}") for code, letter, label in self.grounds]

    def label(self, code: str) -> str:
        return next(
            (f"art. 41 lid 1 onder {letter} UAVG: {label}" for c, letter, label in self.grounds if c == code), code
        )


@cache
def grounds_versions() -> tuple[InformingGrounds, ...]:
    """Every version of the grounds file, oldest first."""
    versions = []
    for path in sorted(DATA_DIR.glob("informing_grounds_v*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        versions.append(
            InformingGrounds(
                version=int(spec["version"]),
                valid_from=date.fromisoformat(spec["valid_from"]),
                within_months=int(spec["informing_within_months"]),
                grounds=tuple((g["code"], g["letter"], g["label"]) for g in spec["grounds"]),
            )
        )
    return tuple(sorted(versions, key=lambda v: v.version))


def grounds_valid_on(day: date) -> InformingGrounds | None:
    """The version a decision on ``day`` uses: the newest valid then (None before the first)."""
    valid = [v for v in grounds_versions() if v.valid_from <= day]
    return max(valid, key=lambda v: v.valid_from) if valid else None


def ground_label(decision: InformingDecision) -> str:
    """The ground of a decision as its own version named it; migrated decisions say they have none."""
    if not decision.ground:
        return ""
    if decision.ground == GROUND_NOT_RECORDED:
        return _("Niet vastgelegd (besluit van vóór de Wet PGA, zonder belang van art. 41 lid 1 UAVG)")
    version = next((v for v in grounds_versions() if v.version == decision.grounds_version), None)
    return version.label(decision.ground) if version else decision.ground


def add_months(day: date, months: int) -> date:
    """``months`` after ``day``, on the last day of a shorter month (31 January + 1 → 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def informing_deadline(case: Any) -> date:
    """The last day to inform the person (AVG art. 14 lid 3 a): a month after the inclusion."""
    opened = timezone.localdate(case.opened_at)
    grounds = grounds_valid_on(opened) or grounds_versions()[0]
    return add_months(opened, grounds.within_months)


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class InformingState:
    """What the transparency page shows: the decisions newest first, the current one, the deadline."""

    decisions: Sequence[InformingDecision]
    deadline: date
    deadline_passed: bool
    review_passed: bool

    @property
    def current(self) -> InformingDecision | None:
        return self.decisions[0] if self.decisions else None


def informing_state(user: Any, case: Any, *, today: date | None = None) -> InformingState:
    """The history of informing decisions of ``case`` for a participant of art. 3 lid 1 (never a
    third party: ``CASE_PARTICIPANT_VIEW``); the rows shown are logged."""
    policy.require(user, policy.Action.CASE_PARTICIPANT_VIEW, case)
    today = today or timezone.localdate()
    decisions = list(InformingDecision.objects.filter(case=case).select_related("case", "decided_by__organisation"))
    if decisions:
        record(user, action=Action.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=decisions)
    for decision in decisions:
        decision.ground_label = ground_label(decision)  # type: ignore[attr-defined]
    deadline = informing_deadline(case)
    current = decisions[0] if decisions else None
    return InformingState(
        decisions=decisions,
        deadline=deadline,
        deadline_passed=current is None and deadline < today,
        review_passed=bool(
            current
            and current.outcome != InformingOutcome.INFORMED
            and current.review_on is not None
            and current.review_on < today
        ),
    )


def informing_follow_up(user: Any, *, today: date | None = None, log: bool = True) -> dict:
    """Open cases a case or process director must decide on again (art. 11): the current decision
    not to inform or to defer is past its review date, or the month to inform has passed without
    any decision. Listed cases are logged."""
    if not policy.can(user, policy.Action.PLAN_FOLLOW_UP):
        return {}
    today = today or timezone.localdate()
    case_model = InformingDecision._meta.get_field("case").related_model
    latest = InformingDecision.objects.filter(case=OuterRef("pk")).order_by("-decided_at")
    # Narrowed in the database to the candidates, so the dashboard does not grow with the
    # director's caseload: a passed review date of a decision not to inform (yet), or no
    # decision at all and opened at least 28 days ago (a month, AVG art. 14 lid 3 a, is never
    # shorter; the exact deadline is checked below).
    opened_before = timezone.now() - timedelta(days=28)
    cases = (
        policy.scope_followed_cases(user, case_model._default_manager.exclude(status=policy.BLOCKED_CASE_STATUS))
        .annotate(
            informing_outcome=Subquery(latest.values("outcome")[:1]),
            informing_review_on=Subquery(latest.values("review_on")[:1]),
            has_informing_decision=Exists(latest),
        )
        .filter(
            Q(has_informing_decision=False, opened_at__lt=opened_before)
            | (
                Q(has_informing_decision=True, informing_review_on__lt=today)
                & ~Q(informing_outcome=InformingOutcome.INFORMED)
            )
        )
        .order_by("opened_at")
    )
    due = []
    for case in cases:
        if case.has_informing_decision:
            if case.informing_outcome == InformingOutcome.INFORMED or not (
                case.informing_review_on and case.informing_review_on < today
            ):
                continue
            due.append({"case": case, "review_on": case.informing_review_on, "deadline": None})
        else:
            deadline = informing_deadline(case)
            if deadline < today:
                due.append({"case": case, "review_on": None, "deadline": deadline})
    if due and log:
        record(user, action=Action.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=[row["case"] for row in due])
    return {"informing_due": due}


# ---------------------------------------------------------------- writes


@transaction.atomic
def record_informing_decision(
    actor: User,
    *,
    case: Any,
    outcome: str,
    informed_on: date | None = None,
    ground: str = "",
    motivation: str = "",
    review_on: date | None = None,
    today: date | None = None,
) -> InformingDecision:
    """Record a new decision about informing the person of ``case`` (art. 11). Refused with Dutch
    messages, nothing written: informed without a date or with a date in the future; not informing
    or deferring without an interest of art. 41 lid 1 UAVG, without a written motivation, or
    without a review date that is not in the past."""
    case = type(case).objects.select_for_update().get(pk=case.pk)
    policy.require(actor, policy.Action.CASE_MANAGE, case)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    grounds = grounds_valid_on(today)
    motivation = (motivation or "").strip()
    if outcome not in InformingOutcome.values:
        errors["outcome"] = _(
            "Kies of de betrokkene is geïnformeerd, het informeren wordt uitgesteld of niet wordt geïnformeerd."
        )
    elif outcome == InformingOutcome.INFORMED:
        if informed_on is None:
            errors["informed_on"] = _("Geef aan wanneer de betrokkene is geïnformeerd.")
        elif informed_on > today:
            errors["informed_on"] = _("De datum waarop de betrokkene is geïnformeerd ligt in de toekomst.")
    else:
        if grounds is None or ground not in grounds.codes:
            errors["ground"] = _(
                "Kies het belang van art. 41 lid 1 UAVG dat het niet of later informeren waarborgt (art. 11 Wet PGA)."
            )
        if not motivation:
            errors["motivation"] = _(
                "Schrijf de motivering ten behoeve van het casusoverleg op: zonder motivering mag de "
                "betrokkene niet ongeïnformeerd blijven (art. 11 Wet PGA)."
            )
        if review_on is None:
            errors["review_on"] = _("Geef de datum waarop dit besluit wordt heroverwogen.")
        elif review_on < today:
            errors["review_on"] = _("De datum van heroverweging ligt in het verleden.")
    if errors:
        raise ValidationError(errors)
    informed = outcome == InformingOutcome.INFORMED
    decision = InformingDecision.objects.create(
        case=case,
        outcome=outcome,
        informed_on=informed_on if informed else None,
        ground="" if informed else ground,
        grounds_version=None if informed or grounds is None else grounds.version,
        motivation="" if informed else motivation,
        review_on=None if informed else review_on,
        decided_by=actor,
    )
    record(actor, action=Action.CREATE, purpose=Purpose.CASE_MANAGEMENT, objects=[decision])
    return decision
