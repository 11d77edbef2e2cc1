"""Nothing typed is lost when the session ends (issue 12 item 9, ADR 0036).

A form posted after the idle timeout (``SESSION_COOKIE_AGE``) reaches no view: the login gate
sends the browser to the login page. Before it does, :func:`keep` stores what was posted as a
*draft* in the new, anonymous session — encrypted (Fernet, the field-encryption keys), bound
to the user whose session this browser held, never in a URL or a log. After the next login
:func:`claim` offers the draft to that user only; anyone else who signs in on the same browser
finds it discarded. The draft page posts it, with a fresh CSRF token, to the page it came from,
so the same view validates and saves it — nothing is processed without the new login.

The 15-minute rule stays: a draft never renews or restores a session, and it lives at most
:data:`DRAFT_MAX_AGE` (and never beyond the browser session or a logout).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils import timezone

from casustafel.core.identity import decrypt, encrypt

#: Session key of the encrypted draft.
DRAFT_SESSION_KEY = "casustafel_draft"
#: How long a draft is offered after it was kept.
DRAFT_MAX_AGE = timedelta(hours=1)
#: A larger post is not kept (every form's fields together stay far below this).
DRAFT_MAX_BYTES = 256 * 1024
#: Fields never kept: the old CSRF token (the draft page adds a fresh one).
NOT_KEPT = {"csrfmiddlewaretoken"}
#: Posts that are no form the user typed in.
NOT_KEPT_ROUTES = {"accounts:keep_alive", "accounts:logout", "accounts:draft", "accounts:login"}


def _user_of_expired_session(request) -> str | None:
    """The user whose session this browser held, if that session has expired (not ended by a
    logout, which deletes it). The session key is the browser's own secret cookie."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    row = Session.objects.filter(session_key=key, expire_date__lte=timezone.now()).first()
    if row is None:
        return None
    data = SessionStore().decode(row.session_data)
    user_id = data.get(SESSION_KEY)
    return str(user_id) if user_id else None


def _csrf_valid(request) -> bool:
    """The post came from one of our own pages (a forged cross-site post keeps nothing)."""

    def view(request):  # pragma: no cover - never called, only inspected by the check
        return None

    return CsrfViewMiddleware(lambda r: None).process_view(request, view, (), {}) is None


def keep(request) -> bool:
    """Keep what ``request`` (a POST whose session has ended) carried as a draft; whether it was kept."""
    if request.method != "POST" or request.user.is_authenticated or request.FILES or not request.POST:
        return False
    try:
        route = resolve(request.path).view_name
    except Resolver404:
        return False
    if route in NOT_KEPT_ROUTES:
        return False
    user_id = _user_of_expired_session(request)
    if user_id is None or not _csrf_valid(request):
        return False
    fields = [[name, value] for name, values in request.POST.lists() if name not in NOT_KEPT for value in values]
    payload = json.dumps({"user": user_id, "path": request.path, "fields": fields, "kept": timezone.now().isoformat()})
    if len(payload.encode()) > DRAFT_MAX_BYTES:
        return False
    request.session[DRAFT_SESSION_KEY] = encrypt(payload)
    return True


def pending(request) -> bool:
    """Whether a draft waits in this browser's session (for the login page's notice)."""
    return DRAFT_SESSION_KEY in request.session


def claim(request) -> dict | None:
    """The draft for the signed-in user, or ``None``; a draft of another user, an unreadable or
    an expired one is discarded."""
    token = request.session.get(DRAFT_SESSION_KEY)
    if token is None:
        return None
    try:
        draft = json.loads(decrypt(token))
    except (InvalidToken, ValueError):
        draft = None
    if (
        draft is None
        or draft.get("user") != str(request.user.pk)
        or timezone.now() - datetime.fromisoformat(draft["kept"]) > DRAFT_MAX_AGE
    ):
        discard(request)
        return None
    return draft


def discard(request) -> None:
    request.session.pop(DRAFT_SESSION_KEY, None)


def forget_when_resubmitted(request) -> None:
    """A signed-in user posts to the draft's page: the draft has been used (valid or not, the
    view now answers with the input), so it is not offered again."""
    if request.method == "POST" and DRAFT_SESSION_KEY in request.session:
        draft = claim(request)
        if draft is None or draft["path"] == request.path:
            discard(request)
