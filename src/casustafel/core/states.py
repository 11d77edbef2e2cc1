"""Declarative state machines.

Each process (signal, case, ...) declares its states and allowed transitions once, as
data, in its own app's ``states.py``; services ask the machine whether a transition is
allowed and nothing else hard-codes the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class StateMachine:
    name: str
    labels: dict[str, str]
    transitions: dict[str, frozenset[str]]
    initial: str
    #: The transitions a user may make by hand; ``None``: all of them. The others follow
    #: from another step of the process (e.g. a signal's outcome from the weighing decision).
    by_hand: dict[str, frozenset[str]] | None = None
    #: Per source state, why nothing may be done by hand from it (shown to the user).
    by_hand_refusals: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        unknown = {t for targets in self.transitions.values() for t in targets} | set(self.transitions)
        unknown |= {t for targets in (self.by_hand or {}).values() for t in targets} | set(self.by_hand or {})
        unknown -= set(self.labels)
        if unknown:
            raise ValueError(f"{self.name}: transitions name unknown states {sorted(unknown)}")

    @property
    def states(self) -> list[str]:
        return list(self.labels)

    def allowed(self, source: str) -> frozenset[str]:
        return self.transitions.get(source, frozenset())

    def can(self, source: str, target: str, *, by_hand: bool = False) -> bool:
        if by_hand and self.by_hand is not None and target not in self.by_hand.get(source, frozenset()):
            return False
        return target in self.allowed(source)

    def check(self, source: str, target: str, field: str = "status", *, by_hand: bool = False) -> None:
        if target not in self.labels:
            raise ValidationError({field: ValidationError(_("Onbekende status."), code="invalid_choice")})
        if by_hand and source in self.by_hand_refusals and not self.can(source, target, by_hand=True):
            raise ValidationError({field: ValidationError(self.by_hand_refusals[source], code="illegal_transition")})
        if not self.can(source, target, by_hand=by_hand):
            # The code goes on the field's error: Django drops a ``code`` given next to a dict.
            raise ValidationError(
                {
                    field: ValidationError(
                        _("Overgang van “%(source)s” naar “%(target)s” is niet toegestaan.")
                        % {"source": self.labels[source], "target": self.labels[target]},
                        code="illegal_transition",
                    )
                }
            )
