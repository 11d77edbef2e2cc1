"""Trace context (W3C ``traceparent``) for the request being handled.

The trace id ties a request to its processing-log entries and log lines. A caller may
pass its own ``traceparent``; otherwise a new trace starts here.
"""

from __future__ import annotations

import contextvars
import re
import secrets

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_current_trace: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace_id", default=None)


def new_trace_id() -> str:
    return secrets.token_hex(16)


def new_span_id() -> str:
    return secrets.token_hex(8)


def parse_traceparent(value: str | None) -> str | None:
    match = _TRACEPARENT.match((value or "").strip().lower())
    if not match or match.group(1) == "0" * 32:
        return None
    return match.group(1)


def current_trace_id() -> str:
    """The trace of the current request, or a fresh one (CLI, background work)."""
    trace = _current_trace.get()
    if trace is None:
        trace = new_trace_id()
        _current_trace.set(trace)
    return trace


def set_trace_id(trace_id: str) -> contextvars.Token:
    return _current_trace.set(trace_id)


def reset_trace_id(token: contextvars.Token) -> None:
    _current_trace.reset(token)
