"""Declarative state machines.

Each process (signal, case, ...) declares its states and allowed transitions once, as
data, in its own app's ``states.py``; services ask the machine whether a transition is
allowed and nothing else hard-codes the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class StateMachine:
    name: str
    labels: dict[str, str]
    transitions: dict[str, frozenset[str]]
    initial: str

    def __post_init__(self):
        unknown = {t for targets in self.transitions.values() for t in targets} | set(self.transitions)
        unknown -= set(self.labels)
        if unknown:
            raise ValueError(f"{self.name}: transitions name unknown states {sorted(unknown)}")

    @property
    def states(self) -> list[str]:
        return list(self.labels)

    def allowed(self, source: str) -> frozenset[str]:
        return self.transitions.get(source, frozenset())

    def can(self, source: str, target: str) -> bool:
        return target in self.allowed(source)

    def check(self, source: str, target: str, field: str = "status") -> None:
        if target not in self.labels:
            raise ValidationError({field: ValidationError(_("Onbekende status."), code="invalid_choice")})
        if not self.can(source, target):
            # The code goes on the field's error: Django drops a ``code`` given next to a dict.
            raise ValidationError({
                field: ValidationError(
                    _("Overgang van “%(source)s” naar “%(target)s” is niet toegestaan.")
                    % {"source": self.labels[source], "target": self.labels[target]},
                    code="illegal_transition",
                )
            })
