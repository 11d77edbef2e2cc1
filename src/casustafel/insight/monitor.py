"""The recognition-bias monitor and the per-measure progress, computed from protected figures
only (issue 13 items 5 and 7; ADR 0042).

The Inspectie Justitie en Veiligheid (2024, seed 001) found that signals from newer forms of
extremism and signals about women are recognised less well. The monitor shows, per phenomenon,
gender, age band and source type, how many signals came in and how many of those weighed were
included in the PGA — the *inclusion rate* — with a 95 % Wilson interval, next to the rate of
the region and the nation. A group is flagged "mogelijk minder herkend" when its whole interval
lies below the comparison's rate: a reason to look, not a finding — see :data:`FLAG_EXPLANATION`.

Nothing here sees a row: every number is a published cell of ``reporting.cube`` (small-number
suppression included), a rate is computed only when its numerator and denominator are both
published, and the four grouping facts' shared marginals are aligned (:func:`align`) so that no
fact publishes a total another fact had to hide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from casustafel.access import rls
from casustafel.accounts.models import OrganisationKind, Region
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.reporting import cube
from casustafel.reporting.periods import Period, Quarter
from casustafel.reporting.scope import GEMEENTE, NATION, Scope
from casustafel.reporting.suppression import SECONDARY, TOTAL, Published

from . import facts

#: The 95 % two-sided normal quantile.
Z95 = 1.959964

FLAG = _("mogelijk minder herkend")
FLAG_EXPLANATION = _(
    "“Mogelijk minder herkend” betekent: het hele 95%-betrouwbaarheidsinterval van het aandeel opgenomen "
    "signalen van deze groep ligt onder het aandeel van de vergelijking. Het is een aanwijzing om te "
    "onderzoeken of signalen over deze groep even goed herkend en gewogen worden — geen bewijs van "
    "vooringenomenheid en geen oordeel over een persoon of een besluit. Verschillen kunnen ook andere "
    "oorzaken hebben, zoals een andere samenstelling van de signalen of een andere bron. Kleine aantallen "
    "worden niet getoond (“< 5” of “×”); dan is er geen aandeel en geen markering."
)


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (Wilson 1927) for a proportion ``successes / trials``: unlike
    p ± z·√(p(1−p)/n) it stays within [0, 1] and is sound for small n and for p near 0 or 1.
    centre = (p + z²/2n) / (1 + z²/n); half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n)."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError("0 <= successes <= trials, trials > 0")
    p, n, z2 = successes / trials, trials, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def flagged(interval: tuple[float, float] | None, reference: float | None) -> bool:
    """Whether a group's whole interval lies below the comparison's rate (no interval or no
    reference: never)."""
    return interval is not None and reference is not None and interval[1] < reference


# ---------------------------------------------------------------- consistent figures


def align(parts: Sequence[cube.Figures], shared_dim: int) -> list[cube.Figures]:
    """Figures of several facts over the same units that share dimension ``shared_dim`` (two
    dimensions each): their shared marginals — the cells with the other dimension at TOTAL —
    are the same numbers. Each fact protects its own cube, so one may hide a marginal that
    another shows, which would let the first's hidden cells be derived from it. Where a shared
    marginal is not shown in *every* fact, its whole line is hidden in every fact ("×"); hiding
    more never reveals anything, and what stays shared is then shown everywhere alike."""
    other = 1 - shared_dim

    def key(code: str, rest: str) -> tuple[str, str]:
        return (code, rest) if shared_dim == 0 else (rest, code)

    def aligned(cells_of: list[dict[tuple, Published]]) -> list[dict[tuple, Published]]:
        codes = {k[shared_dim] for k in cells_of[0]}
        hidden = {code for code in codes if not all(cells[key(code, TOTAL)].shown for cells in cells_of)}
        if not hidden:
            return cells_of
        secret = Published(None, SECONDARY)
        return [{k: (secret if k[shared_dim] in hidden else v) for k, v in cells.items()} for cells in cells_of]

    assert all(len(part.fact.dims) == 2 for part in parts) and other in (0, 1)
    cells = aligned([part.cells for part in parts])
    quarters = {q: aligned([part.quarters[q] for part in parts]) for q in parts[0].quarters}
    return [
        replace(part, cells=cells[i], quarters={q: quarters[q][i] for q in part.quarters})
        for i, part in enumerate(parts)
    ]


def regions_read(scopes: Sequence[Scope]) -> list[Region]:
    """The regions whose rows figures of ``scopes`` read (the nation: every region)."""
    if any(scope.kind == NATION for scope in scopes):
        return list(Region.objects.order_by("code"))
    return list(Region.objects.filter(pk__in={scope.region_id for scope in scopes}).order_by("code"))


def _regions_of(scopes: Sequence[Scope]):
    """The database scope (row-level security, ADR 0014) for reading the figures of ``scopes``:
    the nation's figures read every region's rows, in aggregate only."""
    return rls.regions(*[region.pk for region in regions_read(scopes)])


def record_generation(user, scopes: Sequence[Scope]) -> None:
    """Generating figures reads personal data in bulk: one processing-log entry per region read,
    under the activity 'accountability' (what is shown is protected aggregates only)."""
    record(user, action=Action.READ, purpose=Purpose.ACCOUNTABILITY, objects=regions_read(scopes))


# ---------------------------------------------------------------- recognition


@dataclass(frozen=True)
class Rate:
    """The inclusion rate of a group: included / weighed, when both are published."""

    included: Published
    weighed: Published
    value: float | None
    interval: tuple[float, float] | None

    @classmethod
    def of(cls, included: Published, not_included: Published) -> Rate:
        if included.shown and not_included.shown:
            weighed = Published((included.value or 0) + (not_included.value or 0))
        else:
            weighed = Published(None, SECONDARY)
        if weighed.shown and weighed.value:
            return cls(
                included, weighed, (included.value or 0) / weighed.value, wilson(included.value or 0, weighed.value)
            )
        return cls(included, weighed, None, None)

    @property
    def display(self) -> str:
        return "—" if self.value is None else _percent(self.value)

    @property
    def interval_display(self) -> str:
        if self.interval is None:
            return "—"
        return f"{_percent(self.interval[0])} – {_percent(self.interval[1])}"


def _percent(value: float) -> str:
    return f"{100 * value:.1f}".replace(".", ",") + " %"


@dataclass(frozen=True)
class GroupRow:
    code: str
    label: Any
    signals: Published
    rate: Rate
    #: The same group's rate in each comparison area (label → rate).
    comparisons: list[tuple[Any, Rate]]
    flagged: bool


@dataclass(frozen=True)
class Recognition:
    grouping: Any
    scope: Scope
    period: Period
    rows: list[GroupRow]
    #: The areas compared with (label), and the rate of all signals there — the flag's reference.
    reference_label: Any
    reference: Rate
    #: Signals per quarter per group (for the table and chart over time).
    over_quarters: list[tuple[Any, list[tuple[Quarter, Published]]]]

    @property
    def has_suppressed(self) -> bool:
        return any(not row.signals.shown or row.rate.value is None for row in self.rows)


def _aligned_figures(scope: Scope, period: Period, context) -> dict[str, cube.Figures]:
    names = list(facts.RECOGNITION)
    parts = [cube.figures(facts.RECOGNITION[name], scope, period, context=context) for name in names]
    return dict(zip(names, align(parts, shared_dim=1), strict=True))


def _rate(figures: cube.Figures, code: str) -> Rate:
    return Rate.of(figures.cell(code, facts.INCLUDED), figures.cell(code, facts.NOT_INCLUDED))


def comparison_scopes(scope: Scope, *, nation_allowed: bool) -> list[Scope]:
    """What ``scope`` is compared with: a gemeente with its region, and the nation when the user
    may report on it; the region with the nation."""
    scopes = []
    if scope.kind == GEMEENTE:
        scopes.append(Scope.region(Region.objects.get(pk=scope.region_id)))
    if scope.kind != NATION and nation_allowed:
        scopes.append(Scope.nation())
    return scopes


def recognition(grouping: str, scope: Scope, period: Period, *, compare_with: list[Scope]) -> Recognition:
    """The monitor for one grouping (a key of :data:`facts.RECOGNITION`). The reference rate of the
    flag is that of all signals in the last comparison area (the nation, else the region, else the
    area itself)."""
    with cube.report_context() as context, _regions_of([scope, *compare_with]), facts.shared_rows():
        own = _aligned_figures(scope, period, context)
        others = [(other.label, _aligned_figures(other, period, context)) for other in compare_with]
    figures = own[grouping]
    reference_label, reference_figures = others[-1] if others else (scope.label, own)
    reference = _rate(reference_figures[grouping], TOTAL)
    rows = []
    for code, label in figures.rows(0):
        rate = _rate(figures, code)
        rows.append(
            GroupRow(
                code=code,
                label=label,
                signals=figures.cell(code, TOTAL),
                rate=rate,
                comparisons=[(name, _rate(other[grouping], code)) for name, other in others],
                flagged=code != TOTAL and flagged(rate.interval, reference.value),
            )
        )
    over = [(label, figures.over_quarters(code, TOTAL)) for code, label in figures.rows(0)]
    return Recognition(
        grouping=figures.fact.dims[0].label,
        scope=scope,
        period=period,
        rows=rows,
        reference_label=reference_label,
        reference=reference,
        over_quarters=over,
    )


# ---------------------------------------------------------------- measures


@dataclass(frozen=True)
class MeasureRow:
    label: Any
    cells: list[Published]


@dataclass(frozen=True)
class MeasureGroup:
    """One catalogue measure: a row per kind of organisation carrying it out, and its total (the
    sum of those rows where all are published)."""

    name: Any
    rows: list[MeasureRow]
    total: MeasureRow


def _sum(cells: Sequence[Published]) -> Published:
    if all(cell.shown for cell in cells):
        return Published(sum(cell.value or 0 for cell in cells))
    return Published(None, SECONDARY)


RESULT_CODES = [*facts.RESULT.codes, TOTAL]
RESULT_LABELS = [*[label for _code, label in facts.RESULT.categories], _("Totaal")]


def measures(scope: Scope, period: Period) -> tuple[list[MeasureGroup], MeasureRow]:
    """Per catalogue measure, how often it was used (interventions started in the period), by
    which kind of organisation, with what result; only measures that were used (a total of 0
    is left out); and the overall row."""
    with cube.report_context(), _regions_of([scope]):
        figures = cube.figures(facts.MEASURES, scope, period)
    groups: dict[str, MeasureGroup] = {}
    by_measure: dict[str, list[tuple[Any, list[Published]]]] = {}
    names: dict[str, Any] = {}
    for code, name, kind in facts.PAIRS:
        pair = f"{code}{facts.SEPARATOR}{kind}"
        if pair not in facts.MEASURE_BY_ORGANISATION.codes:
            continue
        names.setdefault(code, name)
        cells = [figures.cell(pair, result) for result in RESULT_CODES]
        by_measure.setdefault(code, []).append((OrganisationKind(kind).label, cells))
    by_measure[facts.OTHER] = [(_("Overige maatregelen"), [figures.cell(facts.OTHER, r) for r in RESULT_CODES])]
    names[facts.OTHER] = _("Overige maatregelen")
    for code, rows in by_measure.items():
        if all(cell.shown and not cell.value for _label, cells in rows for cell in cells):
            continue  # not used in the period
        total = MeasureRow(_("Totaal"), [_sum([cells[i] for _l, cells in rows]) for i in range(len(RESULT_CODES))])
        groups[code] = MeasureGroup(names[code], [MeasureRow(label, cells) for label, cells in rows], total)
    overall = MeasureRow(_("Alle maatregelen"), [figures.cell(TOTAL, result) for result in RESULT_CODES])
    return list(groups.values()), overall


def headline_figures(scope: Scope, period: Period) -> list[tuple[Any, Published]]:
    """Signals received, included, weighed and not included, and interventions started: cells of
    the aligned recognition facts and the measures fact (all published through the cube)."""
    with cube.report_context() as context, _regions_of([scope]), facts.shared_rows():
        signals = _aligned_figures(scope, period, context)[facts.PHENOMENON.code]
        interventions = cube.figures(facts.MEASURES, scope, period, context=context)
    return [
        (_("Signalen ontvangen"), signals.cell(TOTAL, TOTAL)),
        (_("waarvan opgenomen in de PGA"), signals.cell(TOTAL, facts.INCLUDED)),
        (_("waarvan gewogen en niet opgenomen"), signals.cell(TOTAL, facts.NOT_INCLUDED)),
        (_("Interventies gestart"), interventions.cell(TOTAL, TOTAL)),
    ]


__all__ = ["FLAG", "FLAG_EXPLANATION", "Rate", "align", "flagged", "measures", "recognition", "wilson"]
