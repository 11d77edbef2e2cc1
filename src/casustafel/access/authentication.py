"""API authentication: personal knox tokens, with the database scope set for the call."""

import string

from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

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

    def authenticate_credentials(self, token: bytes):
        # knox tokens are hexadecimal; anything else (NUL, non-ASCII) is refused before the lookup.
        if not token or not set(token.decode("latin-1")) <= _TOKEN_CHARACTERS:
            raise exceptions.AuthenticationFailed(_("Ongeldig token."))
        return super().authenticate_credentials(token)


_TOKEN_CHARACTERS = frozenset(string.hexdigits)


class ScopedTokenScheme(KnoxTokenScheme):
    target_class = "casustafel.access.authentication.ScopedTokenAuthentication"
