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


def _equations(values: np.ndarray, suppressed: np.ndarray, unknown: dict[tuple, int]) -> np.ndarray:
    """The matrix of the line equations over the suppressed cells (the shown ones are known)."""
    rows = []
    for _axis, index in _lines(values.shape):
        line_suppressed = suppressed[index]
        if not line_suppressed.any():
            continue
        row = np.zeros(len(unknown))
        axes = [range(n) if isinstance(i, slice) else [i] for i, n in zip(index, values.shape, strict=True)]
        positions = list(itertools.product(*axes))
        last = len(positions) - 1
        for k, cell in enumerate(positions):
            if suppressed[cell]:
                row[unknown[cell]] = -1.0 if k == last else 1.0
        rows.append(row)
    return np.array(rows) if rows else np.zeros((0, len(unknown)))


def _components(matrix: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split the system into independent blocks: (row indices, column indices) per connected
    component of unknowns that share an equation."""
    parent = list(range(matrix.shape[1]))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for row in matrix:
        columns = np.flatnonzero(row)
        for other in columns[1:]:
            a, b = find(int(columns[0])), find(int(other))
            if a != b:
                parent[a] = b
    roots = np.array([find(k) for k in range(matrix.shape[1])])
    row_roots = np.array([roots[np.flatnonzero(row)[0]] for row in matrix])
    return [(np.flatnonzero(row_roots == root), np.flatnonzero(roots == root)) for root in np.unique(roots)]


def _determined_columns(matrix: np.ndarray) -> np.ndarray:
    """Mask of the unknowns fixed uniquely by ``matrix @ x = b`` (e_j in the row space: row j of
    a null-space basis is zero)."""
    if matrix.shape[0] == 0:
        return np.zeros(matrix.shape[1], dtype=bool)
    _u, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    tolerance = max(matrix.shape) * np.finfo(float).eps * singular[0] * 16
    rank = int((singular > tolerance).sum())
    null_space = vt[rank:].T
    if null_space.shape[1] == 0:
        return np.ones(matrix.shape[1], dtype=bool)
    return np.abs(null_space).max(axis=1) < 1e-8


def determined_cells(values: np.ndarray, suppressed: np.ndarray) -> list[tuple]:
    """The suppressed cells whose value the published cells fix uniquely (step 3's test)."""
    cells = [tuple(int(i) for i in cell) for cell in np.argwhere(suppressed)]
    if not cells:
        return []
    unknown = {cell: k for k, cell in enumerate(cells)}
    matrix = _equations(values, suppressed, unknown)
    determined = np.zeros(len(cells), dtype=bool)
    if matrix.shape[0]:
        for rows, columns in _components(matrix):
            block = matrix[np.ix_(rows, columns)] if rows.size else np.zeros((0, columns.size))
            determined[columns] = _determined_columns(block)
    return [cell for cell, fixed in zip(cells, determined, strict=True) if fixed]


def _widen(values: np.ndarray, suppressed: np.ndarray, cell: tuple) -> None:
    """Suppress one more cell on a line through a determined ``cell``."""
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
    if not candidates:  # only zero cells left next to it: take any shown one
        for axis in range(values.ndim):
            index = list(cell)
            index[axis] = slice(None)
            for position, hidden in enumerate(suppressed[tuple(index)]):
                if not hidden:
                    candidates.append((2, 0, axis, position))
    _rank, _value, axis, position = min(candidates)
    target = list(cell)
    target[axis] = position
    suppressed[tuple(target)] = True


def protect_array(
    interior: np.ndarray, *, primary: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Protect a grid of interior counts: (values with TOTAL positions last in every axis,
    primary mask, suppressed mask). ``primary`` (optional) marks cells to suppress from the start
    as primary regardless of value (not used by :func:`protect`)."""
    values = interior.astype(np.int64)
    for axis in range(values.ndim):
        values = np.concatenate([values, values.sum(axis=axis, keepdims=True)], axis=axis)
    primary_mask = (values > 0) & (values < THRESHOLD)
    if primary is not None:
        primary_mask |= primary
    suppressed = primary_mask.copy()
    while True:
        _complete_lines(values, suppressed)
        determined = determined_cells(values, suppressed)
        if not determined:
            return values, primary_mask, suppressed
        for cell in determined:
            _widen(values, suppressed, cell)


def protect(counts: Mapping[tuple[str, ...], int], dims: Sequence[Sequence[str]]) -> dict[tuple[str, ...], Published]:
    """Every cell of the grid ``dims`` (each a sequence of category codes, without TOTAL),
    TOTAL marginals included, as a :class:`Published` cell. ``counts`` maps interior code tuples
    to counts (missing: 0)."""
    dims = [list(d) for d in dims]
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
    values, primary, suppressed = protect_array(interior)
    codes = [[*d, TOTAL] for d in dims]
    result = {}
    for index in itertools.product(*[range(len(c)) for c in codes]):
        key = tuple(codes[i][j] for i, j in enumerate(index))
        state = SHOWN if not suppressed[index] else (PRIMARY if primary[index] else SECONDARY)
        result[key] = Published.of(int(values[index]), state)
    return result
