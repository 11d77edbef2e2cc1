"""API authentication: personal knox tokens, with the database scope set for the call."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication

from . import rls


class ScopedTokenAuthentication(TokenAuthentication):
    """A knox token; once the caller is known, row-level security scopes the call to its region.

    ``rls.ScopeMiddleware`` resets the scope when the response leaves.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            rls.enter_request(result[0])
        return result


class ScopedTokenScheme(KnoxTokenScheme):
    target_class = "casustafel.access.authentication.ScopedTokenAuthentication"
