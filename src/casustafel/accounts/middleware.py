from urllib.parse import quote

from django.shortcuts import redirect
from django.urls import reverse

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
