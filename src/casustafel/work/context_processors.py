"""The number of waiting items next to "Werkvoorraad" in the menu.

Counted at login, then at most once every two minutes per session (``COUNT_SECONDS``), and afresh whenever the user
opens the dashboard, which computes the whole queue anyway: the menu does not cost every page
a dozen queries. The count shows no data, so it is not recorded as a read.
"""

from __future__ import annotations

import time

from casustafel.access import rls

from .queue import work_queue

COUNT_SECONDS = 120
SESSION_KEY = "work_count"


def remember_count(request, total: int) -> None:
    request.session[SESSION_KEY] = [total, time.time()]


class _LazyCount:
    def __init__(self, request):
        self._request = request
        self._value: int | None = None

    def _compute(self) -> int:
        if self._value is None:
            session = self._request.session
            cached = session.get(SESSION_KEY)
            if cached and time.time() - cached[1] < COUNT_SECONDS:
                self._value = int(cached[0])
            else:
                self._value = work_queue(self._request.user, log=False).total
                remember_count(self._request, self._value)
        return self._value

    def __int__(self) -> int:
        return self._compute()

    def __bool__(self) -> bool:
        return self._compute() > 0

    def __str__(self) -> str:
        return str(self._compute())


def work_count(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and getattr(user, "organisation_id", None)):
        return {}
    return {"work_count": _LazyCount(request)}


def count_at_login(sender, request, user, **kwargs) -> None:
    """Count once at login, so that pages do not each pay for it (``user_logged_in``)."""
    if request is not None and hasattr(request, "session") and getattr(user, "organisation_id", None):
        with rls.regions(user.organisation.region_id):
            remember_count(request, work_queue(user, log=False).total)
