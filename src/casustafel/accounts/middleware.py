from urllib.parse import quote

from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .selectors import confidentiality_due

#: Paths reachable without a verified login. The API authenticates per request with
#: a personal token, so it is exempt from the session's second-factor check.
PUBLIC_PREFIXES = ("/inloggen", "/static/", "/api/", "/gezondheid")


class RequireSecondFactorMiddleware:
    """Every page requires a login verified with the second factor (deny by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PUBLIC_PREFIXES):
            user = request.user
            if not (user.is_authenticated and user.is_verified()):
                return redirect(f"{reverse('accounts:login')}?next={quote(request.path)}")
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
            exempt = (target, reverse("accounts:logout"))
            user = request.user
            if request.path not in exempt and user.is_authenticated and confidentiality_due(user) is not None:
                url = f"{target}?next={quote(request.path)}"
                if request.headers.get("HX-Request"):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
        return self.get_response(request)
