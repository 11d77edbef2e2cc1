"""The fact "policy_signals" for the reports (issue 13 items 3 and 6): policy signals raised in
a period, by category × state (their state today). A signal holds no personal data and no
link to a case; the reports still publish it only through the suppressed cube."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from casustafel.reporting.facts import Dimension, Fact, register

from . import categories
from .models import PolicySignal, State


def _rows(region, start: date, end: date) -> Iterable[tuple]:
    tz = timezone.get_current_timezone()
    signals = PolicySignal.objects.filter(
        region=region, raised_at__date__gte=start, raised_at__date__lte=end
    ).values_list("raised_at", "category", "state")
    for raised_at, category, state in signals.iterator():
        # No gemeente: a signal is about the region's approach, not about where a person lives.
        yield (None, timezone.localtime(raised_at, tz).date(), category, state)


POLICY_SIGNALS = register(
    Fact(
        name="policy_signals",
        label="Beleidssignalen",
        dims=(
            Dimension("category", "Categorie", categories.every_code()),
            Dimension("state", "Stand", tuple((code, str(label)) for code, label in State.choices)),
        ),
        rows=_rows,
    )
)
