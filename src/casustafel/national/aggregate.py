"""The national aggregate (issue 13 item 8; Wet PGA art. 24: the evaluation by the minister).

A region exports, per calendar year, only its *published* figures of the evaluation facts —
the display and value of each shown cell and the marker of each suppressed one, for the region
as a whole — in a signed file (format ``casustafel-aggregate``, version 1). A national instance
verifies every file before it stores any (all or nothing), and combines them: a national cell is
the sum of the regions' cells only where every region shows it, otherwise suppressed; then the
complementary suppression is computed again on the national grid, so that no suppressed cell
can be derived from the national cells and totals (ADR 0043)."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.reporting.cube import figures, report_context
from casustafel.reporting.facts import FACTS
from casustafel.reporting.periods import Period
from casustafel.reporting.scope import Scope
from casustafel.reporting.suppression import PRIMARY, SECONDARY, SHOWN, THRESHOLD, TOTAL, Published, determined_cells

from . import signing
from .models import ImportedAggregate

FORMAT = "casustafel-aggregate"
VERSION = 1

#: The facts the art. 24 evaluation needs: signals and their outcomes (inclusions among them),
#: closures, transfers, informing and its exceptions, retention actions, and the policy signals.
EVALUATION_FACTS = (
    "council_signals_by_source",
    "council_signals_by_phenomenon",
    "council_closure_reasons",
    "annual.transfers",
    "annual.informing",
    "annual.destruction",
    "annual.retention_reviews",
    "policy_signals",
)


class AggregateError(Exception):
    """A file that is refused; the message is Dutch and names the file, never its contents."""


# ------------------------------------------------------------------------------- export


def _cells(figures, fact) -> list[dict]:
    codes = [[*dim.codes, TOTAL] for dim in fact.dims]
    cells = []
    for key in itertools.product(*codes):
        published = figures.cell(*key)
        cell = {"codes": list(key), "state": published.state, "display": published.display}
        if published.shown:
            cell["value"] = published.value
        cells.append(cell)
    return cells


def build_document(region, year: int, *, fact_names: Sequence[str] = EVALUATION_FACTS) -> tuple[dict, list[str]]:
    """The signed document of ``region``'s published figures for ``year``, and the names of the
    evaluation facts that are not registered on this instance (left out)."""
    period = Period.year(year)
    scope = Scope.region(region)
    published, missing = [], []
    with report_context():
        for name in fact_names:
            fact = FACTS.get(name)
            if fact is None:
                missing.append(name)
            else:
                published.append(_published_fact(fact, figures(fact, scope, period)))
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "region": {"code": region.code, "name": region.name},
        "year": year,
        "threshold": THRESHOLD,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "facts": published,
    }
    return {**payload, "signature": signing.sign(payload)}, missing


def _published_fact(fact, figures_of_fact) -> dict:
    return {
        "name": fact.name,
        "label": str(fact.label),
        "dims": [
            {"code": d.code, "label": str(d.label), "categories": [[c, str(label)] for c, label in d.categories]}
            for d in fact.dims
        ],
        "cells": _cells(figures_of_fact, fact),
    }


def write_document(document: dict, path: Path) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------- import


@dataclass
class CheckedFile:
    name: str
    document: dict
    sha256: str
    region_code: str = ""
    year: int = 0


def check_file(name: str, raw: bytes, trusted: dict[str, set[str]]) -> CheckedFile:
    """Parse and verify one file: format and version first, then the signature and whether its
    key is trusted for its region. Raises :class:`AggregateError` with a Dutch message."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise AggregateError(
            _("%(file)s: geen leesbaar aggregaatbestand (geen geldige JSON).") % {"file": name}
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise AggregateError(
            _("%(file)s: onbekend formaat; verwacht een bestand van het formaat %(format)s.")
            % {"file": name, "format": FORMAT}
        )
    version = document.get("version")
    if not isinstance(version, int) or version < 1:
        raise AggregateError(_("%(file)s: ongeldige formaatversie.") % {"file": name})
    if version > VERSION:
        raise AggregateError(
            _(
                "%(file)s: formaatversie %(version)s is nieuwer dan deze installatie kent (tot en met %(known)s); "
                "werk Casustafel bij voordat u dit bestand inleest."
            )
            % {"file": name, "version": version, "known": VERSION}
        )
    signature = document.get("signature")
    payload = {k: v for k, v in document.items() if k != "signature"}
    if not isinstance(signature, dict) or not signing.verify(payload, signature):
        raise AggregateError(
            _("%(file)s: de handtekening klopt niet; het bestand is gewijzigd of beschadigd en wordt niet ingelezen.")
            % {"file": name}
        )
    region = payload.get("region") or {}
    code = str(region.get("code", ""))
    if signature.get("public_key") not in trusted.get(code, set()):
        raise AggregateError(
            _(
                "%(file)s: ondertekend met een sleutel die deze installatie niet vertrouwt voor regio %(region)s "
                "(zie CASUSTAFEL_AGGREGATE_TRUSTED_KEYS)."
            )
            % {"file": name, "region": code or "?"}
        )
    year = payload.get("year")
    if not isinstance(year, int) or not isinstance(payload.get("facts"), list):
        raise AggregateError(_("%(file)s: het bestand mist het jaar of de cijfers.") % {"file": name})
    _check_cells(name, payload["facts"])
    return CheckedFile(name, document, hashlib.sha256(raw).hexdigest(), code, year)


def _check_cells(name: str, facts: list) -> None:
    """A signed file is still checked for shape: only published cells, never a value behind a marker."""
    try:
        for fact in facts:
            for cell in fact["cells"]:
                state = cell["state"]
                if state not in (SHOWN, PRIMARY, SECONDARY) or len(cell["codes"]) != len(fact["dims"]):
                    raise ValueError
                if state == SHOWN and (not isinstance(cell.get("value"), int) or 0 < cell["value"] < THRESHOLD):
                    raise ValueError
                if state != SHOWN and "value" in cell:
                    raise ValueError
    except (KeyError, TypeError, ValueError):
        raise AggregateError(
            _("%(file)s: de cijfers in het bestand zijn niet volgens het formaat.") % {"file": name}
        ) from None


def import_files(paths: Iterable[Path], *, trusted: dict[str, set[str]] | None = None) -> list[ImportedAggregate]:
    """Verify every file, then store all of them in one transaction — or none (Dutch message in
    :class:`AggregateError`): an unknown or newer format, a bad signature, an untrusted key, the
    same region and year twice in the batch or already imported."""
    trusted = signing.trusted_keys() if trusted is None else trusted
    checked = []
    for path in paths:
        try:
            raw = Path(path).read_bytes()
        except OSError:
            raise AggregateError(_("%(file)s: het bestand is niet te lezen.") % {"file": Path(path).name}) from None
        checked.append(check_file(Path(path).name, raw, trusted))
    seen: dict[tuple[str, int], str] = {}
    for item in checked:
        key = (item.region_code, item.year)
        if key in seen:
            raise AggregateError(
                _("%(file)s: regio %(region)s, jaar %(year)s staat ook in %(other)s; lees elk regiojaar één keer in.")
                % {"file": item.name, "region": item.region_code, "year": item.year, "other": seen[key]}
            )
        seen[key] = item.name
    try:
        with transaction.atomic():
            stored = []
            for item in checked:
                if ImportedAggregate.objects.filter(region_code=item.region_code, year=item.year).exists():
                    raise AggregateError(
                        _("%(file)s: regio %(region)s, jaar %(year)s is al ingelezen; er is niets ingelezen.")
                        % {"file": item.name, "region": item.region_code, "year": item.year}
                    )
                stored.append(
                    ImportedAggregate.objects.create(
                        region_code=item.region_code,
                        region_name=str(item.document["region"].get("name", "")),
                        year=item.year,
                        format_version=item.document["version"],
                        key_id=item.document["signature"].get("key_id", ""),
                        sha256=item.sha256,
                        document=item.document,
                    )
                )
    except IntegrityError:
        raise AggregateError(_("Een van de regiojaren is intussen al ingelezen; er is niets ingelezen.")) from None
    return stored


# ------------------------------------------------------------------------------- combine


@dataclass
class NationalFact:
    name: str
    label: str
    dims: list[dict]  # {"code", "label", "categories": [[code, label], ...]}
    cells: dict[tuple[str, ...], Published] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)

    def codes(self, axis: int) -> list[str]:
        return [c for c, _label in self.dims[axis]["categories"]] + [TOTAL]

    def label_of(self, axis: int, code: str) -> str:
        if code == TOTAL:
            return _("Totaal")
        return dict(map(tuple, self.dims[axis]["categories"])).get(code, code)

    def table(self) -> tuple[list[str], list[tuple[str, list[Published]]]]:
        """(column headers, rows of (label, cells)): rows over the first dimension, columns over
        the second (or one column "Aantal" for a one-dimensional fact)."""
        if len(self.dims) == 1:
            return [_("Aantal")], [(self.label_of(0, c), [self.cells[(c,)]]) for c in self.codes(0)]
        columns = self.codes(1)
        headers = [self.label_of(1, c) for c in columns]
        rows = []
        for row in self.codes(0):
            rest = [TOTAL] * (len(self.dims) - 2)
            rows.append((self.label_of(0, row), [self.cells[(row, col, *rest)] for col in columns]))
        return headers, rows


def combine(documents: Sequence[dict]) -> list[NationalFact]:
    """The national figures of the imported ``documents`` (one per region, same year)."""
    by_name: dict[str, list[tuple[str, dict]]] = {}
    for document in documents:
        for fact in document["facts"]:
            by_name.setdefault(fact["name"], []).append((document["region"]["code"], fact))
    result = []
    for name, parts in by_name.items():
        result.append(_combine_fact(name, parts))
    return result


def _combine_fact(name: str, parts: list[tuple[str, dict]]) -> NationalFact:
    # The union of the regions' categories per dimension (a region on an older version of a
    # list simply has no units under a newer code: 0, shown).
    first = parts[-1][1]
    dims = []
    for axis, dim in enumerate(first["dims"]):
        categories: dict[str, str] = {}
        for _code, fact in parts:
            categories.update(dict(map(tuple, fact["dims"][axis]["categories"])))
        dims.append(
            {"code": dim["code"], "label": dim["label"], "categories": [list(item) for item in categories.items()]}
        )
    national = NationalFact(name, first["label"], dims, regions=sorted(code for code, _fact in parts))
    codes = [national.codes(axis) for axis in range(len(dims))]
    shape = tuple(len(c) for c in codes)
    values = np.zeros(shape, dtype=np.int64)
    suppressed = np.zeros(shape, dtype=bool)
    lookups = [
        (
            {tuple(cell["codes"]): cell for cell in fact["cells"]},
            [{c for c, _l in d["categories"]} for d in fact["dims"]],
        )
        for _code, fact in parts
    ]
    for index in itertools.product(*[range(n) for n in shape]):
        key = tuple(codes[axis][i] for axis, i in enumerate(index))
        total = 0
        for lookup, known in lookups:
            cell = lookup.get(key)
            if cell is None and any(k != TOTAL and k not in known[axis] for axis, k in enumerate(key)):
                cell = {"state": SHOWN, "value": 0}  # the region does not know this category: no units
            if cell is None or cell["state"] != SHOWN:
                suppressed[index] = True
                break
            total += int(cell["value"])
        values[index] = 0 if suppressed[index] else total
    recompute_suppression(values, suppressed)
    for index in itertools.product(*[range(n) for n in shape]):
        key = tuple(codes[axis][i] for axis, i in enumerate(index))
        national.cells[key] = Published.of(int(values[index]), SECONDARY if suppressed[index] else SHOWN)
    return national


def _line_bad(values: np.ndarray, suppressed: np.ndarray) -> bool:
    """A line (total last) that reveals a suppressed cell: exactly one suppressed, or a shown total
    minus the shown cells (the sum of the suppressed ones, known without their values) of 1–4."""
    count = int(suppressed.sum())
    if count == 1:
        return True
    if count == 0 or suppressed[-1]:
        return False
    hidden = int(values[-1]) - int(values[:-1][~suppressed[:-1]].sum())
    return 0 < hidden < THRESHOLD


def _lines(shape):
    for axis in range(len(shape)):
        others = [range(n) for i, n in enumerate(shape) if i != axis]
        for rest in itertools.product(*others):
            index = list(rest)
            index.insert(axis, slice(None))
            yield tuple(index)


def _suppress_one_more(values: np.ndarray, suppressed: np.ndarray) -> None:
    """In a bad line: the smallest non-zero shown interior cell, else the total, else any shown."""
    interior = [(int(values[i]), i) for i in range(len(values) - 1) if not suppressed[i] and values[i] > 0]
    if interior:
        suppressed[min(interior)[1]] = True
    elif not suppressed[-1]:
        suppressed[-1] = True
    else:
        suppressed[next(i for i in range(len(values)) if not suppressed[i])] = True


def recompute_suppression(values: np.ndarray, suppressed: np.ndarray) -> None:
    """Complementary suppression on a combined grid (TOTAL last in every axis), where the values of
    suppressed cells are unknown (0 in ``values``): the line rule, then the audit of the linear
    system (reporting.suppression.determined_cells needs only the mask), until nothing is
    derivable. Only adds suppressions (mutates ``suppressed``)."""
    while True:
        changed = True
        while changed:
            changed = False
            for index in _lines(values.shape):
                line_values, line_suppressed = values[index], suppressed[index]
                while _line_bad(line_values, line_suppressed):
                    _suppress_one_more(line_values, line_suppressed)
                    changed = True
        determined = determined_cells(values, suppressed)
        if not determined:
            return
        for cell in determined:
            # Widen along the first axis with a shown cell next to the determined one.
            for axis in range(values.ndim):
                index = list(cell)
                index[axis] = slice(None)
                line = tuple(index)
                if not suppressed[line].all():
                    _suppress_one_more(values[line], suppressed[line])
                    break


def national_figures(year: int) -> list[NationalFact]:
    documents = [a.document for a in ImportedAggregate.objects.filter(year=year)]
    return combine(documents) if documents else []
