"""The registry of facts: what can be counted for a report.

A fact names its dimensions (each with its categories and Dutch labels) and a ``rows`` function
that yields one tuple per counted unit of a region in a date range:
``(gemeente_code_or_None, day, code_dim1, code_dim2, ...)``. A unit is counted once; ``day``
decides its quarter. Facts never leave the reporting core as rows: :mod:`cube` turns them into
protected counts (Wet PGA art. 18, AVG art. 5 lid 1 c).

Facts are registered when the module that defines them is imported (``reporting/annual/facts.py``,
``reporting/council/facts.py``, ``insight/facts.py``, ``policy_signals/facts.py``), from the
AppConfig.ready of their app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from casustafel.reporting.suppression import TOTAL

TOTAL_LABEL = _("Totaal")


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Any
    categories: tuple[tuple[str, Any], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.categories)

    def label_of(self, code: str) -> Any:
        if code == TOTAL:
            return TOTAL_LABEL
        for candidate, label in self.categories:
            if candidate == code:
                return label
        raise KeyError(code)


@dataclass(frozen=True)
class Fact:
    name: str
    label: Any
    dims: tuple[Dimension, ...]
    rows: Callable[[Any, date, date], Iterable[tuple]]
    #: Optional longer explanation for the report (what is counted, when).
    description: Any = ""
    #: The units it counts (e.g. "signals"); default: its own name. Facts of one population
    #: share their marginals over the dimensions they have in common (by ``Dimension.code``) and
    #: their grand totals, and are protected together (``cube.protected_year``; ADR 0039).
    population: str = ""

    @property
    def counts(self) -> str:
        """The population this fact counts."""
        return self.population or self.name


FACTS: dict[str, Fact] = {}


def register(fact: Fact) -> Fact:
    """Add ``fact`` to the registry (again on re-import of its module; a name used by another
    module is a programming error)."""
    existing = FACTS.get(fact.name)
    if existing is not None and getattr(existing.rows, "__module__", None) != getattr(fact.rows, "__module__", None):
        raise ValueError(f"fact {fact.name!r} is already registered by {existing.rows.__module__}")
    FACTS[fact.name] = fact
    return fact


def same_population(fact: Fact) -> list[Fact]:
    """``fact`` and every registered fact that counts the same units, ordered by name."""
    others = [other for other in FACTS.values() if other.counts == fact.counts and other.name != fact.name]
    return sorted([fact, *others], key=lambda member: member.name)


def get(name: str) -> Fact:
    try:
        return FACTS[name]
    except KeyError:
        raise LookupError(f"no fact {name!r} is registered") from None
