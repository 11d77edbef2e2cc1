"""Small-number suppression of published counts (Wet PGA art. 18, AVG art. 5 lid 1 c).

Every figure the reporting publishes (the art. 18 annual report on the internet, council and
quarterly reports, the national aggregate) passes :func:`protect` first, so that no published
cell — directly, by subtraction from a total, or by combining the equations the published
cells impose — reveals a count of 1 to 4 units (data minimisation: an aggregate that points
at one or a few persons is personal data again). ADR 0039 records the guarantee and its limits.

The algorithm, on a grid of counts over one or more dimensions, each extended by a ``TOTAL``
position holding the marginal sum:

1. **primary**: every cell of 1–4 is suppressed ("< 5"); 0 is shown (an empty cell reveals
   nothing about a person);
2. **complementary**, a fixed point over every *line* of the grid (vary one dimension, keep the
   others fixed, TOTAL positions included; the line's TOTAL cell is the sum of the others): a
   line may not have exactly one suppressed cell, and when its total is shown the sum of its
   suppressed cells (total minus the shown cells) may not be 1–4. A bad line suppresses its
   smallest non-zero shown non-total cell (ties: the first position), its total only when
   nothing else is left;
3. **audit**: the published cells impose a linear system on the suppressed ones (one equation
   per line); while any suppressed cell is uniquely determined by it (its unit vector lies in
   the row space, i.e. its row of a null-space basis is zero), suppress more and repeat 2.

Every step only adds suppressions, so the procedure terminates; with everything suppressed no
single cell is determined.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

#: Counts below this (and above 0) are never published.
THRESHOLD = 5
#: The marginal (total) code in any dimension.
TOTAL = "totaal"

SHOWN = "shown"
PRIMARY = "primary"
SECONDARY = "secondary"

#: What a suppressed cell shows, and what the legend says about it.
PRIMARY_MARK = "< 5"
SECONDARY_MARK = "×"
LEGEND = (
    (PRIMARY_MARK, _("een aantal van 1 tot en met 4, niet gepubliceerd")),
    (SECONDARY_MARK, _("niet gepubliceerd, omdat anders een klein aantal af te leiden zou zijn")),
)


@dataclass(frozen=True)
class Published:
    """One published cell: its value only when shown."""

    value: int | None
    state: str = SHOWN

    @property
    def shown(self) -> bool:
        return self.state == SHOWN

    @property
    def display(self) -> str:
        if self.state == SHOWN:
            return f"{self.value:,}".replace(",", ".")
        return PRIMARY_MARK if self.state == PRIMARY else SECONDARY_MARK

    def __str__(self) -> str:
        return self.display

    @classmethod
    def of(cls, value: int, state: str) -> Published:
        return cls(value if state == SHOWN else None, state)


def _lines(shape: tuple[int, ...]):
    """Every line of the grid: (axis, index tuple with a slice on ``axis``)."""
    for axis in range(len(shape)):
        others = [range(n) for i, n in enumerate(shape) if i != axis]
        for rest in itertools.product(*others):
            index = list(rest)
            index.insert(axis, slice(None))
            yield axis, tuple(index)


def _bad(values: np.ndarray, suppressed: np.ndarray) -> bool:
    """A line (last position: its total) that reveals a suppressed cell or a small sum of them."""
    count = int(suppressed.sum())
    if count == 1:
        return True
    if count == 0 or suppressed[-1]:
        return False
    hidden = int(values[:-1][suppressed[:-1]].sum())
    return 0 < hidden < THRESHOLD


def _complement(values: np.ndarray, suppressed: np.ndarray) -> int:
    """The position to suppress next in a bad line: its smallest non-zero shown non-total cell,
    else its total, else (only all zeros left) its first shown cell."""
    interior = [(int(values[i]), i) for i in range(len(values) - 1) if not suppressed[i] and values[i] > 0]
    if interior:
        return min(interior)[1]
    if not suppressed[-1]:
        return len(values) - 1
    return next(i for i in range(len(values)) if not suppressed[i])


def _complete_lines(values: np.ndarray, suppressed: np.ndarray) -> None:
    """Step 2: the fixed point over every line (mutates ``suppressed``)."""
    changed = True
    while changed:
        changed = False
        for _axis, index in _lines(values.shape):
            line_values, line_suppressed = values[index], suppressed[index]
            while _bad(line_values, line_suppressed):
                position = _complement(line_values, line_suppressed)
                line_suppressed[position] = True  # a view: writes through to ``suppressed``
                changed = True


#: The audit's arithmetic is exact, modulo this prime (2^61 - 1): see :func:`determined_cells`.
PRIME = (1 << 61) - 1


def _equations(suppressed: np.ndarray, unknown: dict[tuple, int]) -> list[dict[int, int]]:
    """The line equations over the suppressed cells, sparse (column → coefficient): the interior
    cells of a line sum to its total; shown cells are known and move to the right-hand side."""
    rows = []
    for _axis, index in _lines(suppressed.shape):
        if not suppressed[index].any():
            continue
        axis = next(i for i, part in enumerate(index) if isinstance(part, slice))
        cell = list(index)
        row: dict[int, int] = {}
        last = suppressed.shape[axis] - 1
        for position in range(last + 1):
            cell[axis] = position
            key = tuple(cell)
            if suppressed[key]:
                row[unknown[key]] = PRIME - 1 if position == last else 1
        rows.append(row)
    return rows


def _random_null_vector(rows: list[dict[int, int]], size: int, seed: int) -> list[int]:
    """A random vector of the null space of ``rows`` over the integers modulo :data:`PRIME`
    (sparse Gaussian elimination, then random values for the free unknowns)."""
    pivots: dict[int, dict[int, int]] = {}  # pivot column → its row, pivot coefficient 1
    order: dict[int, int] = {}  # pivot column → creation index
    for original in sorted(rows, key=len):  # short lines first: far less fill-in
        row = dict(original)
        # eliminate the pivot columns in the order the pivots were made: a pivot row holds only
        # columns that became pivots later (or never), so this ends
        pending = [(order[column], column) for column in row if column in pivots]
        heapq.heapify(pending)
        while pending:
            _order, column = heapq.heappop(pending)
            factor = row.get(column)
            if not factor:
                continue
            for other, value in pivots[column].items():
                old = row.get(other)
                updated = ((old or 0) - factor * value) % PRIME
                if updated:
                    row[other] = updated
                    if old is None and other in pivots:
                        heapq.heappush(pending, (order[other], other))
                elif old is not None:
                    del row[other]
        if row:
            column = min(row)
            inverse = pow(row[column], PRIME - 2, PRIME)
            pivots[column] = {other: value * inverse % PRIME for other, value in row.items()}
            order[column] = len(order)
    generator = np.random.default_rng(seed)
    vector = [0] * size
    for column in range(size):
        if column not in pivots:
            vector[column] = int(generator.integers(1, PRIME))
    for column in sorted(pivots, key=order.__getitem__, reverse=True):
        total = 0
        for other, value in pivots[column].items():
            if other != column:
                total += value * vector[other]
        vector[column] = (-total) % PRIME
    return vector


def determined_cells(values: np.ndarray, suppressed: np.ndarray) -> list[tuple]:
    """The suppressed cells whose value the published cells fix uniquely (step 3's test).

    A cell is fixed exactly when every vector of the null space of the line equations is zero
    there. One random null-space vector, computed exactly modulo a 61-bit prime, is non-zero at
    every cell that is not fixed except with probability about 2^-61 per cell; a cell it finds
    zero is treated as fixed (at worst one suppression too many). The hypothesis tests check the
    outcome independently over the rationals."""
    cells = [tuple(int(i) for i in cell) for cell in np.argwhere(suppressed)]
    if not cells:
        return []
    unknown = {cell: k for k, cell in enumerate(cells)}
    rows = _equations(suppressed, unknown)
    vector = _random_null_vector(rows, len(cells), seed=len(cells))
    return [cell for cell, value in zip(cells, vector, strict=True) if value == 0]


def _widen(values: np.ndarray, suppressed: np.ndarray, cell: tuple) -> bool:
    """Suppress one more cell on a line through a determined ``cell`` (False: none is left)."""
    candidates = []
    for axis in range(values.ndim):
        index = list(cell)
        index[axis] = slice(None)
        line_values, line_suppressed = values[tuple(index)], suppressed[tuple(index)]
        for position in range(len(line_values) - 1):
            if not line_suppressed[position] and line_values[position] > 0:
                candidates.append((0, int(line_values[position]), axis, position))
        if not line_suppressed[-1]:
            candidates.append((1, int(line_values[-1]), axis, len(line_values) - 1))
    if not candidates:
        # Every line through the cell is suppressed already: it is fixed through cells further
        # away. Take the nearest shown cell (fewest differing coordinates), smallest non-zero first.
        shown = np.argwhere(~suppressed)
        if not len(shown):
            return False
        distance = (shown != np.array(cell)).sum(axis=1)
        best = min(
            (int(d), int(values[tuple(k)]) == 0, int(values[tuple(k)]), tuple(int(i) for i in k))
            for d, k in zip(distance, shown, strict=True)
        )
        suppressed[best[3]] = True
        return True
    _rank, _value, axis, position = min(candidates)
    target = list(cell)
    target[axis] = position
    suppressed[tuple(target)] = True
    return True


def _with_totals(interior: np.ndarray) -> np.ndarray:
    values = interior.astype(np.int64)
    for axis in range(values.ndim):
        values = np.concatenate([values, values.sum(axis=axis, keepdims=True)], axis=axis)
    return values


def protect_array(
    interior: np.ndarray, *, primary: np.ndarray | None = None, force: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Protect a grid of interior counts: (values with TOTAL positions last in every axis,
    primary mask, suppressed mask). ``primary`` (optional) marks cells to suppress from the start
    as primary regardless of value (not used by :func:`protect`); ``force`` (optional, the shape
    of the values) cells to suppress from the start as secondary (a cell another grid of the same
    units hides: :func:`protect_together`)."""
    values = _with_totals(interior)
    primary_mask = (values > 0) & (values < THRESHOLD)
    if primary is not None:
        primary_mask |= primary
    suppressed = primary_mask.copy()
    if force is not None:
        suppressed |= force
    while True:
        _complete_lines(values, suppressed)
        determined = determined_cells(values, suppressed)
        if not determined:
            return values, primary_mask, suppressed
        for cell in determined:
            _widen(values, suppressed, cell)


@functools.lru_cache(maxsize=256)
def _protect_cached(shape: tuple[int, ...], counts: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`protect_array` remembered in-process by the counts (deterministic: the same counts
    always give the same suppression), so a report asked again does not redo the audit. Only
    counts are kept, never rows."""
    return protect_array(np.frombuffer(counts, dtype=np.int64).reshape(shape))


def _interior(counts: Mapping[tuple[str, ...], int], dims: list[list[str]]) -> np.ndarray:
    position = [{code: i for i, code in enumerate(d)} for d in dims]
    interior = np.zeros(tuple(len(d) for d in dims), dtype=np.int64)
    for key, count in counts.items():
        if len(key) != len(dims):
            raise ValueError(f"cell {key!r} does not have {len(dims)} codes")
        try:
            index = tuple(position[i][code] for i, code in enumerate(key))
        except KeyError as error:
            raise ValueError(f"unknown category {error.args[0]!r} in cell {key!r}") from None
        interior[index] += int(count)
    return interior


def _published(
    dims: list[list[str]], values: np.ndarray, primary: np.ndarray, suppressed: np.ndarray
) -> dict[tuple[str, ...], Published]:
    codes = [[*d, TOTAL] for d in dims]
    result = {}
    for index in itertools.product(*[range(len(c)) for c in codes]):
        key = tuple(codes[i][j] for i, j in enumerate(index))
        state = SHOWN if not suppressed[index] else (PRIMARY if primary[index] else SECONDARY)
        result[key] = Published.of(int(values[index]), state)
    return result


def protect(counts: Mapping[tuple[str, ...], int], dims: Sequence[Sequence[str]]) -> dict[tuple[str, ...], Published]:
    """Every cell of the grid ``dims`` (each a sequence of category codes, without TOTAL),
    TOTAL marginals included, as a :class:`Published` cell. ``counts`` maps interior code tuples
    to counts (missing: 0)."""
    dims = [list(d) for d in dims]
    interior = _interior(counts, dims)
    return _published(dims, *_protect_cached(interior.shape, interior.tobytes()))


@dataclass(frozen=True)
class Grid:
    """One grid of :func:`protect_together`: its counts, its dimensions' categories (without
    TOTAL) and a name per dimension — dimensions of the same name in two grids are the same
    classification of the same units."""

    counts: Mapping[tuple[str, ...], int]
    dims: Sequence[Sequence[str]]
    names: Sequence[str]


def _identity(names: Sequence[str], dims: list[list[str]], index: tuple[int, ...]) -> frozenset:
    """What a cell counts, independent of its grid: its non-TOTAL (dimension name, code) pairs."""
    return frozenset((names[axis], dims[axis][i]) for axis, i in enumerate(index) if i < len(dims[axis]))


def _shared_cells(
    grids: Sequence[Grid], dims: list[list[list[str]]], values: list[np.ndarray]
) -> list[list[tuple[tuple[int, ...], frozenset]]]:
    """Per grid, its cells that another grid publishes too: the same identity (marginals over
    the dimensions they have in common, the grand totals) and the same count."""
    seen: dict[frozenset, list[tuple[int, int]]] = {}
    for number, (grid, grid_dims, grid_values) in enumerate(zip(grids, dims, values, strict=True)):
        for index in itertools.product(*[range(len(d) + 1) for d in grid_dims]):
            seen.setdefault(_identity(grid.names, grid_dims, index), []).append((number, int(grid_values[index])))
    shared = {
        identity
        for identity, holders in seen.items()
        if len({number for number, _v in holders}) > 1 and len({value for _n, value in holders}) == 1
    }
    result: list[list[tuple[tuple[int, ...], frozenset]]] = [[] for _grid in grids]
    for number, (grid, grid_dims) in enumerate(zip(grids, dims, strict=True)):
        for index in itertools.product(*[range(len(d) + 1) for d in grid_dims]):
            identity = _identity(grid.names, grid_dims, index)
            if identity in shared:
                result[number].append((index, identity))
    return result


def protect_together(grids: Sequence[Grid]) -> list[dict[tuple[str, ...], Published]]:
    """:func:`protect` for grids that count the same units (ADR 0039): a cell two grids both
    publish (a marginal over their common dimensions, a grand total) is hidden in all of them
    when hidden in one (forced, until stable), and the audit runs on the union of every grid's
    equations, the shared cells being one unknown — so that together they fix no hidden cell."""
    dims = [[list(d) for d in grid.dims] for grid in grids]
    values, primaries, suppressed = [], [], []
    for grid, grid_dims in zip(grids, dims, strict=True):
        grid_values = _with_totals(_interior(grid.counts, grid_dims))
        values.append(grid_values)
        primaries.append((grid_values > 0) & (grid_values < THRESHOLD))
        suppressed.append(primaries[-1].copy())
    shared = _shared_cells(grids, dims, values)
    while True:
        changed = True
        while changed:
            changed = False
            for grid_values, grid_suppressed in zip(values, suppressed, strict=True):
                _complete_lines(grid_values, grid_suppressed)
            hidden = {
                identity
                for cells, mask in zip(shared, suppressed, strict=True)
                for index, identity in cells
                if mask[index]
            }
            for cells, mask in zip(shared, suppressed, strict=True):
                for index, identity in cells:
                    if identity in hidden and not mask[index]:
                        mask[index] = True  # forced: hidden in another grid of the same units
                        changed = True
        determined = _jointly_determined(shared, suppressed)
        widened = False
        for number, cell in determined:
            identity = dict(shared[number]).get(cell)
            # a shared cell: any grid holding it may hide one more cell on a line through it
            holders = [number] + [
                other for other, cells in enumerate(shared) if other != number and identity in dict(cells).values()
            ]
            for holder in holders if identity is not None else [number]:
                target = cell if holder == number else next(i for i, ident in shared[holder] if ident == identity)
                if _widen(values[holder], suppressed[holder], target):
                    widened = True
                    break
        if not widened:  # nothing determined, or everything of its grid is hidden already
            break
    return [
        _published(grid_dims, grid_values, primary, mask)
        for grid_dims, grid_values, primary, mask in zip(dims, values, primaries, suppressed, strict=True)
    ]


def _jointly_determined(
    shared: list[list[tuple[tuple[int, ...], frozenset]]], suppressed: list[np.ndarray]
) -> list[tuple[int, tuple]]:
    """The suppressed cells (grid number, cell) the union of the grids' line equations fixes; a
    shared cell is one unknown, reported once (in the first grid holding it)."""
    unknown: dict[object, int] = {}
    owners: list[tuple[int, tuple]] = []
    maps: list[dict[tuple, int]] = []
    for number, (cells, mask) in enumerate(zip(shared, suppressed, strict=True)):
        identities = dict(cells)
        mapping = {}
        for cell in np.argwhere(mask):
            cell = tuple(int(i) for i in cell)
            name = identities.get(cell, (number, cell))
            if name not in unknown:
                unknown[name] = len(owners)
                owners.append((number, cell))
            mapping[cell] = unknown[name]
        maps.append(mapping)
    if not owners:
        return []
    rows = [row for mask, mapping in zip(suppressed, maps, strict=True) for row in _equations(mask, mapping)]
    vector = _random_null_vector(rows, len(owners), seed=len(owners))
    return [owner for owner, value in zip(owners, vector, strict=True) if value == 0]
