"""The categories of policy signals as versioned data (``data/categories_v<n>.json``).

A signal stores its category code and the version it was raised under; a later version may
add codes, the old ones stay readable (the reports count by code)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class CategorySet:
    version: str
    categories: tuple[tuple[str, str], ...]  # (code, Dutch label)

    def label(self, code: str) -> str:
        return dict(self.categories).get(code, code)


@cache
def all_versions() -> tuple[CategorySet, ...]:
    sets = []
    for path in sorted(DATA_DIR.glob("categories_v*.json"), key=lambda p: int(p.stem.rsplit("_v", 1)[1])):
        raw = json.loads(path.read_text(encoding="utf-8"))
        sets.append(
            CategorySet(version=raw["version"], categories=tuple((c["code"], c["label"]) for c in raw["categories"]))
        )
    return tuple(sets)


def current() -> CategorySet:
    return all_versions()[-1]


def every_code() -> tuple[tuple[str, str], ...]:
    """Every code of every version (newest label wins), for counting old signals too."""
    labels: dict[str, str] = {}
    for category_set in all_versions():
        labels.update(dict(category_set.categories))
    return tuple(labels.items())
