"""The one place environment variables are read: each is declared where it is used.

``config(name, default, cast=..., help_text=..., group=...)`` returns the variable's value
and records its declaration in ``REGISTRY``; ``docs/configuration.md`` is generated from
that registry (``casustafel config docs``), so the documentation cannot drift from the
code. tests/test_configuration.py fails on any other ``os.environ`` read in ``src/``.

Every variable has a safe default for a developer's machine; production sets them
explicitly. An unparsable value stops the start with the variable's name (and, for a
secret, without its value).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
D = TypeVar("D")

#: Sections of docs/configuration.md, in this order.
GROUPS = (
    "Database en datamap",
    "Sleutels",
    "Web en sessies",
    "Aanmelden",
    "E-mailmeldingen",
    "Partnersystemen",
    "Logging",
    "Intern",
)


@dataclass(frozen=True)
class Cast(Generic[T]):
    """How a raw string becomes a value, and how the documentation names its type."""

    label: str
    parse: Callable[[str], T]

    def __call__(self, raw: str) -> T:
        return self.parse(raw)


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "ja"}:
        return True
    if value in {"0", "false", "no", "off", "nee"}:
        return False
    raise ValueError("verwacht true of false")


def _integer(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError("verwacht een geheel getal") from None


def _comma_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


TEXT: Cast[str] = Cast("tekst", str)
INTEGER: Cast[int] = Cast("geheel getal", _integer)
BOOLEAN: Cast[bool] = Cast("true/false", _boolean)
COMMA_LIST: Cast[list[str]] = Cast("lijst, kommagescheiden", _comma_list)
PATH: Cast[Path] = Cast("pad", Path)


def choice(*options: str) -> Cast[str]:
    """One of ``options``, case-insensitive; the value is returned as spelled in ``options``."""
    by_lower = {option.lower(): option for option in options}

    def parse(raw: str) -> str:
        try:
            return by_lower[raw.strip().lower()]
        except KeyError:
            raise ValueError(f"verwacht een van: {', '.join(options)}") from None

    return Cast(" / ".join(options), parse)


@dataclass(frozen=True)
class Declaration:
    name: str
    group: str
    help_text: str
    type_label: str
    default_text: str
    secret: bool


#: Every declared variable by name, in declaration order.
REGISTRY: dict[str, Declaration] = {}


def _default_text(default: object) -> str:
    if default is None:
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, list | tuple):
        return ",".join(str(item) for item in default)
    return str(default)


def _declare(declaration: Declaration) -> None:
    if declaration.group not in GROUPS:
        raise ValueError(f"{declaration.name}: unknown group {declaration.group!r}; use one of {GROUPS}")
    known = REGISTRY.setdefault(declaration.name, declaration)
    # The same call site runs more than once (settings reloads, ensure_database); a second,
    # different declaration of one name would make the documentation ambiguous.
    if known != declaration:
        raise ValueError(f"{declaration.name} is declared twice, differently: declare it once")


def config(
    name: str,
    default: D,
    *,
    cast: Cast[T] = TEXT,
    help_text: str,
    group: str,
    default_text: str | None = None,
    secret: bool = False,
) -> T | D:
    """Declare environment variable ``name`` and return its value, or ``default`` when unset or empty.

    ``default_text`` documents a default that is not a plain value (e.g. "DATABASE_URL");
    ``secret`` keeps the value out of every error message.
    """
    _declare(
        Declaration(
            name=name,
            group=group,
            help_text=help_text,
            type_label=cast.label,
            default_text=_default_text(default) if default_text is None else default_text,
            secret=secret,
        )
    )
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        reason = f"verwacht: {cast.label}" if secret else str(exc)
        raise ImproperlyConfigured(f"Omgevingsvariabele {name} heeft een ongeldige waarde ({reason}).") from None


#: Prefixes of the project's own variables (and Django's).
OWN_PREFIXES = ("DATABASE_", "CASUSTAFEL_", "DJANGO_")


def environment_without_own_variables() -> dict[str, str]:
    """A copy of the environment for a child process whose result must not depend on this shell."""
    return {name: value for name, value in os.environ.items() if not name.startswith(OWN_PREFIXES)}


def data_dir() -> Path:
    """The state folder (created when missing)."""
    path = config(
        "CASUSTAFEL_DATA_DIR",
        Path(".state"),
        cast=PATH,
        group="Database en datamap",
        default_text="`.state` in de werkmap",
        help_text="Map voor de toestand op deze machine: de ingebedde PostgreSQL (`pgdata/`), "
        "de gegenereerde ontwikkelsleutels (`keys.json`) en de statische bestanden.",
    )
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
