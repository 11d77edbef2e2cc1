"""Search over what the user may see, and nothing else (ADR 0035).

Every query starts from the selectors of signals, weighings and cases, which apply
``casustafel.access.policy``; a search only narrows them. So a row the user may not see is
never found, and "it exists where you may not look" gives the same answer as "it does not
exist". PostgreSQL does the work: references are unique (b-tree), the BSN is found through
its keyed blind index, names through trigram GIN indexes (migration 0001).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from casustafel.access import policy
from casustafel.cases import selectors as case_selectors
from casustafel.core import identity
from casustafel.signals import selectors as signal_selectors
from casustafel.weighing import selectors as weighing_selectors

#: Most rows shown per kind; a broader search asks the user to narrow it.
LIMIT = 25


@dataclass(frozen=True)
class Criteria:
    """What the user asked for. Exactly one of reference, bsn or name is set; date_of_birth
    narrows a name search."""

    reference: str = ""
    bsn: str = ""
    name_words: tuple[str, ...] = ()
    date_of_birth: date | None = None

    @property
    def kinds(self) -> list[str]:
        """The kinds of criteria used, for the log (never the values)."""
        used = {
            "reference": self.reference,
            "bsn": self.bsn,
            "name": self.name_words,
            "date_of_birth": self.date_of_birth,
        }
        return [kind for kind, value in used.items() if value]

    @property
    def identifies_person(self) -> bool:
        return bool(self.bsn or self.name_words)


@dataclass
class Results:
    signals: list = field(default_factory=list)
    weighings: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    truncated: bool = False

    @property
    def count(self) -> int:
        return len(self.signals) + len(self.weighings) + len(self.cases)

    def all(self) -> list:
        return [*self.signals, *self.weighings, *self.cases]


def _subject_filter(criteria: Criteria, prefix: str) -> Q:
    if criteria.bsn:
        return Q(**{f"{prefix}bsn_index": identity.bsn_index(criteria.bsn)})
    condition = Q()
    for word in criteria.name_words:
        # icontains is UPPER(col::text) LIKE UPPER('%word%'): the trigram GIN indexes of
        # migration 0001 are built on exactly these expressions.
        condition &= (
            Q(**{f"{prefix}family_name__icontains": word})
            | Q(**{f"{prefix}given_names__icontains": word})
            | Q(**{f"{prefix}legal_name__icontains": word})
        )
    if criteria.date_of_birth is not None:
        condition &= Q(**{f"{prefix}date_of_birth": criteria.date_of_birth})
    return condition


def _narrow(queryset: QuerySet, criteria: Criteria) -> QuerySet:
    if criteria.reference:
        return queryset.filter(reference=criteria.reference)
    return queryset.filter(_subject_filter(criteria, "subject__"))


def _first(queryset: QuerySet, order: str) -> tuple[list, bool]:
    rows = list(queryset.order_by(order)[: LIMIT + 1])
    return rows[:LIMIT], len(rows) > LIMIT


def search(user: Any, criteria: Criteria) -> Results:
    """Signals, weighings and cases ``user`` may see that match ``criteria``, newest first.

    Three queries whatever the number of rows. Not logged here: the view records what it
    shows (``services.record_search``)."""
    if not criteria.kinds:
        return Results()
    signals, more_signals = _first(_narrow(signal_selectors.visible_signals(user), criteria), "-registered_at")
    weighings, more_weighings = _first(_narrow(weighing_selectors.visible_weighings(user), criteria), "-opened_at")
    cases, more_cases = _first(_narrow(case_selectors.visible_cases(user), criteria), "-opened_at")
    if criteria.identifies_person:
        # Art. 3 lid 3: a third party that may not know who the person is does not find the
        # case by who the person is (the annotations of scope_cases answer without a query).
        cases = [case for case in cases if policy.can(user, policy.Action.CASE_IDENTITY_VIEW, case)]
    return Results(
        signals=signals, weighings=weighings, cases=cases, truncated=more_signals or more_weighings or more_cases
    )
