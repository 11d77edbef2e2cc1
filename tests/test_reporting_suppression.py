"""Small-number suppression, property-based (ADR 0039).

Wet PGA art. 18 obliges every casusoverleg to publish a yearly report on the internet; the
council, quarterly and national reports are published too. AVG art. 5 lid 1 c (data
minimisation) then demands that no published figure reveals a count of 1 to 4 persons: not
directly, not by subtracting shown cells from a total, not by solving the equations the shown
cells impose, and not by differencing two reports of overlapping periods or a gemeente and its
region. Hypothesis generates random count grids and random data over quarters; each property
is checked independently of the implementation (exact fractions, no numpy in the checks).
"""

from __future__ import annotations

import itertools
import uuid
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casustafel.accounts.models import Region
from casustafel.reporting import cube
from casustafel.reporting import facts as registry
from casustafel.reporting.facts import Dimension, Fact
from casustafel.reporting.periods import Period, Quarter
from casustafel.reporting.scope import Scope
from casustafel.reporting.suppression import THRESHOLD, TOTAL, Grid, Published, protect, protect_together

SMALL_COUNTS = st.one_of(st.just(0), st.integers(1, 4), st.integers(0, 30))
FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@st.composite
def grids(draw):
    """(counts, dims): 1–3 dimensions of 1–4 categories, counts 0–30 with many zeros and 1–4."""
    dims = [[f"d{d}c{c}" for c in range(draw(st.integers(1, 4)))] for d in range(draw(st.integers(1, 3)))]
    counts = {key: draw(SMALL_COUNTS) for key in itertools.product(*dims)}
    return counts, dims


def _full(dims):
    return [[*d, TOTAL] for d in dims]


def _lines(dims):
    """Every line of the full grid: the interior keys and the total key."""
    full = _full(dims)
    for axis in range(len(dims)):
        others = [c for i, c in enumerate(full) if i != axis]
        for rest in itertools.product(*others):

            def key(code, rest=rest, axis=axis):
                k = list(rest)
                k.insert(axis, code)
                return tuple(k)

            yield [key(code) for code in dims[axis]], key(TOTAL)


def _determined(published, dims):
    """The suppressed cells fixed uniquely by the line equations of the published cells, found
    by exact Gaussian elimination over the rationals (independent of the implementation)."""
    unknown = sorted(key for key, cell in published.items() if not cell.shown)
    column = {key: i for i, key in enumerate(unknown)}
    rows = []
    for interior, total in _lines(dims):
        row = [Fraction(0)] * len(unknown)
        for key, sign in [*[(k, 1) for k in interior], (total, -1)]:
            if key in column:
                row[column[key]] += sign
        if any(row):
            rows.append(row)
    return _fixed(unknown, rows)


def _fixed(unknown, rows):
    """The unknowns a system of rows (over ``unknown``) fixes uniquely: reduced row echelon form
    over the rationals; e_j lies in the row space exactly when a reduced row is e_j itself."""
    # reduced row echelon form
    pivot_row = 0
    pivots = []
    for col in range(len(unknown)):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [v / lead for v in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivots.append(col)
        pivot_row += 1
    # e_j lies in the row space exactly when a reduced row is e_j itself
    determined = set()
    for row in rows[:pivot_row]:
        nonzero = [i for i, v in enumerate(row) if v != 0]
        if len(nonzero) == 1:
            determined.add(unknown[nonzero[0]])
    return determined


def _truth(counts, dims):
    full = {}
    for key in itertools.product(*_full(dims)):
        full[key] = sum(
            value for k, value in counts.items() if all(c in (TOTAL, kc) for c, kc in zip(key, k, strict=True))
        )
    return full


@FAST
@given(grids())
def test_no_shown_cell_is_a_small_number(grid):
    """(a) Art. 18 / AVG art. 5 lid 1 c: no published cell shows 1–4; shown values are true."""
    counts, dims = grid
    published = protect(counts, dims)
    truth = _truth(counts, dims)
    assert set(published) == set(truth)
    for key, cell in published.items():
        if cell.shown:
            assert cell.value == truth[key]
            assert not 0 < cell.value < THRESHOLD
        else:
            assert cell.value is None
            assert cell.display == ("< 5" if 0 < truth[key] < THRESHOLD else "×")
            assert (cell.state == "primary") == (0 < truth[key] < THRESHOLD)


@FAST
@given(grids())
def test_no_suppressed_cell_follows_from_the_published_cells(grid):
    """(b) Art. 18 / AVG art. 5 lid 1 c: the linear equations of the shown cells and totals fix no
    suppressed cell uniquely (exact rational elimination)."""
    counts, dims = grid
    published = protect(counts, dims)
    assert _determined(published, dims) == set()


@st.composite
def shared_units(draw):
    """Units classified three ways — a (2–3 categories), b (2–3), outcome o (2–3) — plus a place
    (2 categories): grid A counts them by (a, o, place), grid B by (b, o, place). They share the
    marginals over (o, place) and the grand totals, as signals by source and by phenomenon do."""
    sizes = [draw(st.integers(2, 3)), draw(st.integers(2, 3)), draw(st.integers(2, 3)), 2]
    units = draw(
        st.lists(st.tuples(*[st.integers(0, n - 1) for n in sizes], st.integers(1, 6)), min_size=1, max_size=14)
    )
    dims = {name: [f"{name}{i}" for i in range(n)] for name, n in zip(("a", "b", "o", "p"), sizes, strict=True)}
    counts_a: dict = {}
    counts_b: dict = {}
    for a, b, o, p, n in units:
        key_a = (dims["a"][a], dims["o"][o], dims["p"][p])
        key_b = (dims["b"][b], dims["o"][o], dims["p"][p])
        counts_a[key_a] = counts_a.get(key_a, 0) + n
        counts_b[key_b] = counts_b.get(key_b, 0) + n
    return (
        Grid(counts_a, [dims["a"], dims["o"], dims["p"]], ["a", "o", "p"]),
        Grid(counts_b, [dims["b"], dims["o"], dims["p"]], ["b", "o", "p"]),
    )


def _meaning(grid, key):
    """What a cell counts, whichever grid publishes it: its non-TOTAL (dimension, code) pairs."""
    return frozenset((name, code) for name, code in zip(grid.names, key, strict=True) if code != TOTAL)


@FAST
@given(shared_units())
def test_facts_of_the_same_units_together_determine_no_suppressed_cell(grids_ab):
    """Art. 18 / AVG art. 5 lid 1 c (ADR 0039): two tables of the same units (signals by source
    × outcome and by phenomenon × outcome) publish the same outcome totals. Protected together,
    a shared cell hidden in one is hidden in the other, and the union of both tables' line
    equations (a shared cell is one unknown) fixes no suppressed cell (exact rationals)."""
    published = protect_together(grids_ab)
    states: dict = {}
    for grid, cells in zip(grids_ab, published, strict=True):
        for key, cell in cells.items():
            states.setdefault(_meaning(grid, key), set()).add(cell.shown)
            if cell.shown:
                assert not 0 < cell.value < THRESHOLD
    assert all(len(shown) == 1 for shown in states.values()), "a shared cell is shown in one table only"
    unknown = sorted({meaning for meaning, shown in states.items() if shown == {False}}, key=sorted)
    column = {meaning: i for i, meaning in enumerate(unknown)}
    rows = []
    for grid, cells in zip(grids_ab, published, strict=True):
        for interior, total in _lines(grid.dims):
            row = [Fraction(0)] * len(unknown)
            for key, sign in [*[(k, 1) for k in interior], (total, -1)]:
                if not cells[key].shown:
                    row[column[_meaning(grid, key)]] += sign
            if any(row):
                rows.append(row)
    assert _fixed(unknown, rows) == set()


@pytest.mark.django_db  # counted under the region's row-level scope (ADR 0014)
def test_a_fact_of_a_population_is_protected_with_the_other_facts_of_it(monkeypatch):
    """Facts declaring the same population are counted and protected together: the outcome
    total hidden in one (here: as a complement) is hidden in the other, though alone it would be
    shown there (ADR 0039)."""
    region = Region(pk=uuid.uuid4(), code="r", name="Regio")
    context = cube.ReportContext()
    context.regions[region.pk] = region
    context.gemeenten[region.pk] = ["a"]
    outcome = Dimension("uitkomst", "Uitkomst", (("ja", "Ja"), ("nee", "Nee")))
    source = Dimension("bron", "Bron", (("s1", "S1"), ("s2", "S2")))
    kind = Dimension("soort", "Soort", (("k1", "K1"), ("k2", "K2")))
    day = Quarter(2025, 1).start
    # By kind nothing is small; by source "s1 ja" is 4, and its complements hide the "nee" total.
    units = [("s2", "k1", "ja")] * 9 + [("s1", "k2", "nee")] * 6 + [("s1", "k1", "ja")] * 4

    def by_source(_region, start, end):
        return [("a", day, s, o) for s, _k, o in units]

    def by_kind(_region, start, end):
        return [("a", day, k, o) for _s, k, o in units]

    first = Fact("t_by_source", "Bron", (source, outcome), by_source, population="t_units")
    second = Fact("t_by_kind", "Soort", (kind, outcome), by_kind, population="t_units")
    alone = Fact("t_by_kind_alone", "Soort", (kind, outcome), by_kind)
    for fact in (first, second, alone):
        monkeypatch.setitem(registry.FACTS, fact.name, fact)
    assert registry.same_population(first) == [second, first]  # by name
    joint = cube.protected_year(second, region.pk, 2025, context)
    assert (first.name, region.pk, 2025) in context.cubes  # counted and protected in one go
    by_source_cube = context.cubes[(first.name, region.pk, 2025)]
    total_nee = (TOTAL, "nee", TOTAL, TOTAL)
    assert not by_source_cube[total_nee].shown
    assert not joint[total_nee].shown
    assert cube.protected_year(alone, region.pk, 2025, context)[total_nee] == Published(6)


@FAST
@given(grids())
def test_no_line_reveals_a_small_sum_of_suppressed_cells(grid):
    """(c) Art. 18 / AVG art. 5 lid 1 c: total minus the shown cells of any line is never 1–4, and
    no line has exactly one suppressed cell."""
    counts, dims = grid
    published = protect(counts, dims)
    truth = _truth(counts, dims)
    for interior, total in _lines(dims):
        hidden = [key for key in [*interior, total] if not published[key].shown]
        assert len(hidden) != 1
        if published[total].shown:
            derivable = published[total].value - sum(published[k].value for k in interior if published[k].shown)
            assert derivable == sum(truth[k] for k in interior if not published[k].shown)
            assert not 0 < derivable < THRESHOLD


def test_known_example():
    counts = {("a",): 3, ("b",): 10, ("c",): 12}
    published = protect(counts, [["a", "b", "c"]])
    assert [published[(k,)].display for k in ("a", "b", "c", TOTAL)] == ["< 5", "×", "12", "25"]
    assert protect({("a",): 0, ("b",): 0}, [["a", "b"]])[(TOTAL,)] == Published(0)


# ---------------------------------------------------------------- over periods and geography

KIND = Dimension("soort", "Soort", (("a", "A"), ("b", "B"), ("c", "C")))
GEMEENTEN = ["0001", "0002"]
QUARTERS = [Quarter(year, number) for year in (2024, 2025) for number in range(1, 5)]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from([*GEMEENTEN, None]),
        st.sampled_from(QUARTERS),
        st.sampled_from(["a", "b", "c"]),
        st.integers(1, 12),
    ),
    max_size=18,
)


def _context(rows):
    """A report context for one region (unsaved: no database) whose fact yields ``rows``."""
    region = Region(pk=uuid.uuid4(), code="r", name="Regio")
    context = cube.ReportContext()
    context.regions[region.pk] = region
    context.gemeenten[region.pk] = list(GEMEENTEN)
    units = [(g, q.start, code) for g, q, code, n in rows for _ in range(n)]

    def fact_rows(_region, start, end):
        return [row for row in units if start <= row[1] <= end]

    return region, context, Fact("eigenschap_test", "Test", (KIND,), fact_rows)


periods_strategy = st.tuples(st.integers(0, 7), st.integers(0, 7)).map(sorted)


def _period(bounds):
    return Period(QUARTERS[bounds[0]], QUARTERS[bounds[1]])


@st.composite
def nested_periods(draw):
    """Two overlapping whole-quarter periods, the second containing the first."""
    inner = draw(periods_strategy)
    outer = [draw(st.integers(0, inner[0])), draw(st.integers(inner[1], 7))]
    return _period(inner), _period(outer)


@pytest.mark.django_db  # each cube is counted under its region's row-level scope (ADR 0014)
@FAST
@given(rows_strategy, nested_periods(), st.sampled_from([None, *GEMEENTEN]))
def test_two_reports_of_nested_periods_cannot_be_differenced(rows, periods, gemeente):
    """(d) Art. 18 / AVG art. 5 lid 1 c: every cell shown in both reports of nested periods
    differs by 0 or at least 5 (a difference of 1–4 would reveal a few persons)."""
    region, context, fact = _context(rows)
    scope = Scope.region(region) if gemeente is None else Scope("gemeente", region.pk, gemeente)
    inner, outer = (cube.figures(fact, scope, period, context=context) for period in periods)
    for key, cell in inner.cells.items():
        other = outer.cells[key]
        if cell.shown and other.shown:
            assert other.value - cell.value == 0 or other.value - cell.value >= THRESHOLD


@pytest.mark.django_db
@FAST
@given(rows_strategy, periods_strategy, st.sampled_from(GEMEENTEN))
def test_a_gemeente_and_its_region_cannot_be_differenced(rows, bounds, gemeente):
    """(e) Art. 18 / AVG art. 5 lid 1 c: region minus gemeente for cells shown in both is 0, at
    least 5, or the sum of the other gemeenten's shown cells (nothing new)."""
    region, context, fact = _context(rows)
    period = _period(bounds)
    region_figures = cube.figures(fact, Scope.region(region), period, context=context)
    own = cube.figures(fact, Scope("gemeente", region.pk, gemeente), period, context=context)
    others = [
        cube.figures(fact, Scope("gemeente", region.pk, code), period, context=context)
        for code in [*GEMEENTEN, "onbekend"]
        if code != gemeente
    ]
    for key, cell in own.cells.items():
        whole = region_figures.cells[key]
        if cell.shown and whole.shown:
            difference = whole.value - cell.value
            if 0 < difference < THRESHOLD:
                assert all(o.cells[key].shown for o in others)
                assert difference == sum(o.cells[key].value for o in others)


# ---------------------------------------------------------------- charts follow the same rule

cells_strategy = st.lists(
    st.one_of(
        st.builds(Published, st.sampled_from([0, *range(5, 40)])),
        st.just(Published(None, "primary")),
        st.just(Published(None, "secondary")),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells_strategy)
def test_charts_draw_only_shown_values(cells):
    """Art. 18 / AVG art. 5 lid 1 c: a chart draws a bar or point only for a shown cell; a
    suppressed one is absent and named by its mark in the chart's description."""
    from unittest import mock

    from matplotlib.axes import Axes

    from casustafel.reporting import render

    table = cube.Table(
        caption="t",
        row_header="r",
        columns=["Aantal"],
        rows=[(f"rij {i}", [cell]) for i, cell in enumerate(cells)],
        row_codes=[f"c{i}" for i in range(len(cells))],
        column_codes=[TOTAL],
    )
    drawn = []
    original_barh, original_plot = Axes.barh, Axes.plot

    def barh(self, y, width, *args, **kwargs):
        drawn.extend(width)
        return original_barh(self, y, width, *args, **kwargs)

    def plot(self, x, y, *args, **kwargs):
        drawn.extend(v for v in y if v == v)  # NaN (a gap) is not drawn
        return original_plot(self, x, y, *args, **kwargs)

    with mock.patch.object(Axes, "barh", barh), mock.patch.object(Axes, "plot", plot):
        bar = render.bar_chart_svg(table, title="staaf")
        line = render.line_chart_svg([("reeks", [(QUARTERS[i], c) for i, c in enumerate(cells)])], title="lijn")
    shown = [cell.value for cell in cells if cell.shown]
    assert sorted(drawn) == sorted(shown * 2)
    assert not any(0 < value < THRESHOLD for value in drawn)
    for cell in cells:
        if not cell.shown:
            mark = "&lt; 5" if cell.state == "primary" else "×"
            assert mark in bar and mark in line


@pytest.mark.django_db
@FAST
@given(rows_strategy, rows_strategy, periods_strategy)
def test_the_nation_reveals_no_small_number_of_a_region(rows_a, rows_b, bounds):
    """Art. 24 / AVG art. 5 lid 1 c: the combination of two regions shows no 1–4, shows a cell only
    where both regions show it, and the nation minus one region's shown cell is the other region's
    shown cell (nothing new)."""
    period = _period(bounds)
    parts = []
    for rows in (rows_a, rows_b):
        region, context, fact = _context(rows)
        parts.append(cube.figures(fact, Scope.region(region), period, context=context))
    nation = cube.combine(parts)
    for key, cell in nation.cells.items():
        if cell.shown:
            assert not 0 < cell.value < THRESHOLD
            assert all(part.cells[key].shown for part in parts)
            assert cell.value - parts[0].cells[key].value == parts[1].cells[key].value
    for quarter, cells in nation.quarters.items():
        for key, cell in cells.items():
            assert cell.shown == all(part.quarters[quarter][key].shown for part in parts)
