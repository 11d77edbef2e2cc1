"""What must be finished before a case can be closed (or closed with a recorded override).

Apps that own work belonging to a case (meeting actions, plan interventions, ...)
register a check here; ``cases.services.transition_case`` refuses to close a case while
any check reports open work, unless the closing decision explicitly overrides it with
a reason, which is recorded on the transition.
"""

from __future__ import annotations

from collections.abc import Callable

#: Each check returns human-readable (Dutch) descriptions of open work for the case.
OPEN_WORK_CHECKS: list[Callable[[object], list[str]]] = []


def register_open_work_check(check: Callable[[object], list[str]]) -> Callable[[object], list[str]]:
    if check not in OPEN_WORK_CHECKS:
        OPEN_WORK_CHECKS.append(check)
    return check


def open_work(case) -> list[str]:
    return [item for check in OPEN_WORK_CHECKS for item in check(case)]
