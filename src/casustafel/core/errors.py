"""Refusals by the access policy, and how the web and the API answer them (ADR 0003, 0006).

``access.policy.require`` raises :class:`PolicyDenied`; services let it through. It is
answered in one place per interface: the web's ``handler403`` (``web.views.forbidden``)
answers 404 to every refusal — existence is not disclosed and controls are not offered —
and the API's exception handler (``core.api``) answers 403 with the reason for an object
the caller may see but not act on, 404 otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


class PolicyDenied(PermissionDenied):
    """The access policy refused ``action``; ``visible``: the caller may know the object exists."""

    def __init__(self, action: Any, message: Any, *, visible: bool = False) -> None:
        self.action = action
        self.visible = visible
        super().__init__(message)


def api_status(exc: PermissionDenied) -> int:
    """403 for a disclosed refusal (or a plain PermissionDenied), 404 for an undisclosed one."""
    if isinstance(exc, PolicyDenied) and not exc.visible:
        return 404
    return 403
