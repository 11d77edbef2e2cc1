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
from django.dispatch import Signal


class PolicyDenied(PermissionDenied):
    """The access policy refused ``action`` (on ``obj``); ``visible``: the caller may know the object exists."""

    def __init__(self, action: Any, message: Any, *, visible: bool = False, obj: Any = None) -> None:
        self.action = action
        self.visible = visible
        self.obj = obj
        super().__init__(message)


#: Sent once per refusal that reached an interface (web handler403, the API's exception
#: handler), with ``user``, ``obj`` (or ``None``), ``write`` and ``via_api``. The processing
#: log records it (``processing_log.apps``): every refused access to an object leaves a trace,
#: and this package needs no knowledge of the log.
refused = Signal()


def announce_refusal(request: Any, exc: PolicyDenied, *, via_api: bool) -> None:
    if exc.obj is None or getattr(exc.obj, "pk", None) is None:
        return
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    refused.send(PolicyDenied, user=request.user, obj=exc.obj, write=write, via_api=via_api)


def api_status(exc: PermissionDenied) -> int:
    """403 for a disclosed refusal (or a plain PermissionDenied), 404 for an undisclosed one."""
    if isinstance(exc, PolicyDenied) and not exc.visible:
        return 404
    return 403


class RequestConflict(Exception):  # noqa: N818 — named like PolicyDenied: what happened, not "Error"
    """The request conflicts with an earlier one: 409 while that one is still being processed,
    422 when the same Idempotency-Key comes with another body (IETF Idempotency-Key draft)."""

    def __init__(self, message: Any, *, status: int = 409) -> None:
        self.status = status
        super().__init__(message)
