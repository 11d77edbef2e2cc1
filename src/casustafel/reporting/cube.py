"""Protected cubes and the figures of a report (Wet PGA art. 18, AVG art. 5 lid 1 c).

Suppression is computed once per (fact, region, calendar year) on the cube

    fact categories (+ TOTAL) × gemeente (+ region TOTAL) × quarter (+ year TOTAL)

and every report is composed from the published cells of such cubes: a whole calendar year
reads the year column, any other run of quarters is the sum of published quarter cells (not
published — "×" — when a component is suppressed); a gemeente reads its row, the region the
TOTAL row; the nation is :func:`combine` of its regions. So two reports of overlapping periods,
or a gemeente and its region, only ever publish functions of the same protected cube, and
cannot be differenced into a suppressed value (ADR 0039).

Year cubes are cached per :class:`ReportContext` (one per request or command run, see
:func:`report_context`); nothing is stored, and no personal data leave :func:`protected_year`.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import product
from typing import Any

from django.utils.translation import gettext

from casustafel.access import rls
from casustafel.accounts.models import Region
from casustafel.conf.routers import reporting_reads
from casustafel.reporting import facts as registry
from casustafel.reporting.facts import Fact
from casustafel.reporting.periods import Period, Quarter
from casustafel.reporting.scope import GEMEENTE, NATION, UNKNOWN_GEMEENTE, Scope, gemeente_codes
from casustafel.reporting.suppression import SECONDARY, SHOWN, TOTAL, Grid, Published, protect, protect_together

#: The quarter codes of the cube's time dimension (TOTAL is the year).
QUARTER_CODES = ("K1", "K2", "K3", "K4")


class ReportContext:
    """Per-request cache of protected year cubes, keyed (fact name, region id, year)."""

    def __init__(self):
        self.cubes: dict[tuple[str, Any, int], dict[tuple, Published]] = {}
        self.regions: dict[Any, Region] = {}
        self.gemeenten: dict[Any, list[str]] = {}

    def region(self, region_id: Any) -> Region:
        if region_id not in self.regions:
            self.regions[region_id] = Region.objects.get(pk=region_id)
        return self.regions[region_id]

    def gemeente_codes(self, region_id: Any) -> list[str]:
        if region_id not in self.gemeenten:
            self.gemeenten[region_id] = gemeente_codes(region_id)
        return self.gemeenten[region_id]


_current: contextvars.ContextVar[ReportContext | None] = contextvars.ContextVar("report_context", default=None)


@contextmanager
def report_context() -> Iterator[ReportContext]:
    """Share protected cubes between the :func:`figures` calls of one report (nested: reuses)."""
    existing = _current.get()
    if existing is not None:
        yield existing
        return
    context = ReportContext()
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


#: The names of the cube's own dimensions, after the fact's (see suppression.Grid).
GEMEENTE_AXIS, QUARTER_AXIS = "_gemeente", "_kwartaal"


def _count(fact: Fact, region: Region, year: int, gemeenten: list[str]) -> Counter:
    """The interior counts of ``fact``'s year cube: one ``fact.rows`` call (the caller set the
    region's database scope)."""
    known = set(gemeenten)
    valid = [set(dimension.codes) for dimension in fact.dims]
    counts: Counter = Counter()
    for row in fact.rows(region, date(year, 1, 1), date(year, 12, 31)):
        gemeente, day, *codes = row
        if len(codes) != len(fact.dims):
            raise ValueError(f"fact {fact.name!r}: a row has {len(codes)} codes, expected {len(fact.dims)}")
        for dimension, allowed, code in zip(fact.dims, valid, codes, strict=True):
            if code not in allowed:
                raise ValueError(f"fact {fact.name!r}: code {code!r} is not a category of {dimension.code!r}")
        if day.year != year:
            continue
        quarter = QUARTER_CODES[(day.month - 1) // 3]
        counts[(*codes, gemeente if gemeente in known else UNKNOWN_GEMEENTE, quarter)] += 1
    return counts


def protected_year(
    fact: Fact, region_id: Any, year: int, context: ReportContext | None = None
) -> dict[tuple, Published]:
    """The protected cube of ``fact`` for a region's calendar year: one ``fact.rows`` call per
    fact of its population (``Fact.population``), whose cubes are protected together and cached
    alongside (a marginal hidden in one is hidden in all; ADR 0039)."""
    context = context or _current.get() or ReportContext()
    key = (fact.name, region_id, year)
    if key in context.cubes:
        return context.cubes[key]
    region = context.region(region_id)
    gemeenten = context.gemeente_codes(region_id)
    members = registry.same_population(fact)
    # Row-level security (ADR 0014): the cube of a region is counted under exactly that region's
    # scope — also for the nation, whose regions are counted one by one, each under its own.
    # Counted on the reporting replica when one is configured, under the same scope (ADR 0053).
    with rls.regions(region_id), reporting_reads(region_id, scope=rls.regions):
        counts = [_count(member, region, year, gemeenten) for member in members]
    place = [[*gemeenten, UNKNOWN_GEMEENTE], list(QUARTER_CODES)]
    grids = [
        Grid(
            member_counts,
            [list(dimension.codes) for dimension in member.dims] + place,
            [dimension.code for dimension in member.dims] + [GEMEENTE_AXIS, QUARTER_AXIS],
        )
        for member, member_counts in zip(members, counts, strict=True)
    ]
    cubes = [protect(grids[0].counts, grids[0].dims)] if len(grids) == 1 else protect_together(grids)
    for member, cube in zip(members, cubes, strict=True):
        context.cubes[(member.name, region_id, year)] = cube
    return context.cubes[key]


def _sum(cells: Sequence[Published]) -> Published:
    """A composed cell: the sum when every component is shown, else not published ("×")."""
    if len(cells) == 1:
        return cells[0]
    if all(cell.shown for cell in cells):
        return Published(sum(cell.value or 0 for cell in cells), SHOWN)
    return Published(None, SECONDARY)


@dataclass
class Table:
    """A two-way table of published cells, for ``reporting/partials/figure_table.html``."""

    caption: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[Published]]]
    row_codes: list[str] = field(default_factory=list)
    column_codes: list[str] = field(default_factory=list)

    @property
    def has_suppressed(self) -> bool:
        return any(not cell.shown for _label, cells in self.rows for cell in cells)


@dataclass
class Figures:
    """The published figures of one fact for one scope and period."""

    fact: Fact
    scope: Scope
    period: Period
    #: (one code per fact dimension, TOTAL allowed) → the cell over the whole period
    cells: dict[tuple[str, ...], Published]
    #: quarter → (codes) → the cell of that quarter
    quarters: dict[Quarter, dict[tuple[str, ...], Published]]

    def cell(self, *codes: str) -> Published:
        if len(codes) != len(self.fact.dims):
            raise ValueError(f"fact {self.fact.name!r} has {len(self.fact.dims)} dimensions")
        return self.cells[tuple(codes)]

    def rows(self, dim_index: int = 0) -> list[tuple[str, Any]]:
        dimension = self.fact.dims[dim_index]
        return [*dimension.categories, (TOTAL, registry.TOTAL_LABEL)]

    def table(self, row_dim: int = 0, col_dim: int | str | None = "default", *, caption: str | None = None) -> Table:
        """Rows of ``row_dim`` against columns of ``col_dim`` (default: the second dimension, if
        any); other dimensions at TOTAL; ``col_dim`` None: one column with the count."""
        if col_dim == "default":
            col_dim = 1 if len(self.fact.dims) > 1 and row_dim != 1 else None
        assert col_dim is None or isinstance(col_dim, int)
        row_dimension = self.fact.dims[row_dim]
        if col_dim is None:
            column_codes, columns = [TOTAL], [gettext("Aantal")]
        else:
            column_codes = [code for code, _label in self.rows(col_dim)]
            columns = [str(label) for _code, label in self.rows(col_dim)]
        rows = []
        for code, label in self.rows(row_dim):
            cells = []
            for column in column_codes:
                key = [TOTAL] * len(self.fact.dims)
                key[row_dim] = code
                if col_dim is not None:
                    key[col_dim] = column
                cells.append(self.cells[tuple(key)])
            rows.append((str(label), cells))
        default_caption = gettext("%(fact)s, %(scope)s, %(period)s") % {
            "fact": self.fact.label,
            "scope": self.scope.label,
            "period": self.period.label,
        }
        return Table(
            caption=caption or default_caption,
            row_header=str(row_dimension.label),
            columns=columns,
            rows=rows,
            row_codes=[code for code, _label in self.rows(row_dim)],
            column_codes=column_codes,
        )

    def over_quarters(self, *codes: str) -> list[tuple[Quarter, Published]]:
        key = tuple(codes) if codes else (TOTAL,) * len(self.fact.dims)
        return [(quarter, self.quarters[quarter][key]) for quarter in self.period.quarters()]


def _keys(fact: Fact) -> list[tuple[str, ...]]:
    return list(product(*[[*dimension.codes, TOTAL] for dimension in fact.dims]))


def _region_figures(fact: Fact, scope: Scope, period: Period, context: ReportContext) -> Figures:
    gemeente = scope.gemeente_code if scope.kind == GEMEENTE else TOTAL
    keys = _keys(fact)
    cubes = {year: protected_year(fact, scope.region_id, year, context) for year in period.years}
    quarters = {
        quarter: {key: cubes[quarter.year][(*key, gemeente, QUARTER_CODES[quarter.number - 1])] for key in keys}
        for quarter in period.quarters()
    }
    cells = {}
    for key in keys:
        components = []
        for year in period.years:
            if period.covers_year(year):
                components.append(cubes[year][(*key, gemeente, TOTAL)])
            else:
                components += [quarters[q][key] for q in period.quarters() if q.year == year]
        cells[key] = _sum(components)
    return Figures(fact, scope, period, cells, quarters)


def figures(fact: Fact | str, scope: Scope, period: Period, *, context: ReportContext | None = None) -> Figures:
    """The published figures of ``fact`` for ``scope`` over ``period`` (access is the caller's
    check: :func:`casustafel.reporting.scope.check`)."""
    fact = registry.get(fact) if isinstance(fact, str) else fact
    context = context or _current.get() or ReportContext()
    if scope.kind != NATION:
        return _region_figures(fact, scope, period, context)
    parts = [_region_figures(fact, Scope.region(region), period, context) for region in Region.objects.order_by("code")]
    if not parts:
        zero = {key: Published(0) for key in _keys(fact)}
        return Figures(fact, scope, period, dict(zero), {q: dict(zero) for q in period.quarters()})
    return combine(parts, scope=scope)


def combine(parts: Sequence[Figures], *, scope: Scope | None = None) -> Figures:
    """Figures of several regions as one (the nation): a cell is the sum where every component
    is shown, else not published ("×"). Sums of shown cells are 0 or at least 5, and a
    suppressed component stays hidden: combining never reveals more than the parts."""
    if not parts:
        raise ValueError("nothing to combine")
    first = parts[0]
    for part in parts[1:]:
        if part.fact.name != first.fact.name or part.period != first.period:
            raise ValueError("only figures of the same fact and period combine")

    def merged(cells: list[Published]) -> Published:
        if len(cells) == 1:
            return cells[0]
        if all(cell.shown for cell in cells):
            return Published(sum(cell.value or 0 for cell in cells), SHOWN)
        return Published(None, SECONDARY)

    cells = {key: merged([part.cells[key] for part in parts]) for key in first.cells}
    quarters = {
        quarter: {key: merged([part.quarters[quarter][key] for part in parts]) for key in first.quarters[quarter]}
        for quarter in first.quarters
    }
    return Figures(first.fact, scope or Scope.nation(), first.period, cells, quarters)


__all__ = ["Figures", "ReportContext", "Table", "combine", "figures", "protected_year", "report_context"]
