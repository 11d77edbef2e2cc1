import time
from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from . import drafts
from .selectors import confidentiality_due, designation_window

#: Paths reachable without a verified login. The API authenticates per request with
#: a personal token, so it is exempt from the session's second-factor check. The public
#: meldpunt (Wet PGA art. 5 lid 2, ADR 0044) is for anyone, without an account.
PUBLIC_PREFIXES = ("/inloggen", "/static/", "/api/", "/gezondheid", "/melden/")

#: Session key of the moment (Unix seconds) the session's idle expiry was last renewed.
RENEWED_SESSION_KEY = "casustafel_renewed"


def renewal_interval() -> int:
    """Seconds after which a request renews the session: a fifteenth of the idle age (60 s of 900)."""
    return max(1, settings.SESSION_COOKIE_AGE // 15)


class SessionRenewalMiddleware:
    """Renews the idle expiry of a session that is in use (ADR 0036, ADR 0051), without a
    database write on every request.

    A session ends ``SESSION_COOKIE_AGE`` seconds after it was last saved. Saving it on every
    request (``SESSION_SAVE_EVERY_REQUEST``) cost an UPDATE and a COMMIT — a WAL flush — per
    request; this middleware saves it only when a request arrives at least
    :func:`renewal_interval` after the last renewal (or when the request changed the session
    anyway, or on "Ingelogd blijven", which marks it modified). So a session still ends at
    most ``SESSION_COOKIE_AGE`` after the last request, never later — at worst one interval
    earlier. Sits directly inside ``SessionMiddleware``, so it sees every response, redirects
    of the gates included; a request without a session (the login page) is not touched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or (session.session_key is None and not session.modified):
            return response
        now = int(time.time())
        renewed = session.get(RENEWED_SESSION_KEY)
        if session.is_empty():
            return response  # the cookie named no live session (expired, logged out)
        if session.modified or not isinstance(renewed, int) or not 0 <= now - renewed < renewal_interval():
            stamp_renewal(session)  # marks it modified: SessionMiddleware saves it
        return response


def stamp_renewal(session) -> None:
    """Note that ``session`` is saved (renewed) now; also at login, which saves it anyway."""
    session[RENEWED_SESSION_KEY] = int(time.time())


class RequireSecondFactorMiddleware:
    """Every page requires a login verified with the second factor (deny by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PUBLIC_PREFIXES):
            user = request.user
            if not (user.is_authenticated and user.is_verified()):
                # A form posted after the session ended keeps its input for the next login (ADR 0036).
                drafts.keep(request)
                target = f"{reverse('accounts:login')}?next={quote(request.path)}"
                if request.headers.get("HX-Request"):
                    return HttpResponseClientRedirect(target)  # the whole page, not a fragment
                return redirect(target)
            drafts.forget_when_resubmitted(request)
        return self.get_response(request)


#: Session key of the span in which the signed-in user is designated (ISO dates "from/until").
DESIGNATION_SESSION_KEY = "casustafel_designated"


def remember_designation(request, user) -> bool:
    """Look the user's designation up (one query) and keep its span in the session; whether
    the user is designated today. Called at login (``user_logged_in``) and by the gate when
    the kept span does not cover today."""
    window = designation_window(user)
    if window is None:
        request.session.pop(DESIGNATION_SESSION_KEY, None)
        return False
    request.session[DESIGNATION_SESSION_KEY] = f"{window[0].isoformat()}/{window[1].isoformat()}"
    return True


def _session_covers_today(request) -> bool:
    kept = request.session.get(DESIGNATION_SESSION_KEY, "")
    start, _sep, end = kept.partition("/")
    today = timezone.localdate().isoformat()
    return bool(start and end) and start <= today <= end


class RequireDesignationMiddleware:
    """Wet PGA art. 13 lid 1: only persons designated for the casusoverleg by their own
    organisation have access. A user without a designation valid today reaches no page but
    the explanation "Geen geldige aanwijzing" (and logging out), ADR 0029.

    Runs after :class:`RequireSecondFactorMiddleware` and before the confidentiality gate.
    The span of the designation is kept in the session at login, so a page costs no query
    while today lies within it; the API checks per call (``permissions.Designated``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PUBLIC_PREFIXES):
            target = reverse("accounts:no_designation")
            user = request.user
            if (
                request.path not in (target, reverse("accounts:logout"))
                and user.is_authenticated
                and not _session_covers_today(request)
                and not remember_designation(request, user)
            ):
                if request.headers.get("HX-Request"):
                    return HttpResponseClientRedirect(target)
                return redirect(target)
        return self.get_response(request)


class RequireConfidentialityMiddleware:
    """Wet PGA art. 17: a user who must acknowledge the confidentiality duty reaches no page
    but the acknowledgement (and logging out) until they have (ADR 0027).

    Runs after :class:`RequireSecondFactorMiddleware`; the API answers 403 itself
    (``permissions.ConfidentialityAcknowledged``), since its token is known only in the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PUBLIC_PREFIXES):
            target = reverse("accounts:confidentiality")
            exempt = (target, reverse("accounts:logout"), reverse("accounts:no_designation"))
            user = request.user
            if request.path not in exempt and user.is_authenticated and confidentiality_due(user) is not None:
                url = f"{target}?next={quote(request.path)}"
                if request.headers.get("HX-Request"):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
        return self.get_response(request)
