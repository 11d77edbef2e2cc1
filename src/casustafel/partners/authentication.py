"""API authentication of a partner system: its client credentials (HTTP Basic), not a person's token."""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from casustafel.access import rls

from . import services
from .models import PartnerClient


class PartnerClientAuthentication(BaseAuthentication):
    """``Authorization: Basic base64(client_id:secret)``. A revoked client, an expired or wrong
    secret: 401. The request then acts as the client's service account, scoped to its region."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"basic":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Ongeldige clientgegevens."))
        try:
            client_id, _sep, secret = base64.b64decode(parts[1], validate=True).decode("ascii").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise exceptions.AuthenticationFailed(_("Ongeldige clientgegevens.")) from None
        if not client_id or not secret or len(client_id) > 40 or len(secret) > 200:
            raise exceptions.AuthenticationFailed(_("Ongeldige clientgegevens."))
        client = services.authenticate(client_id, secret)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Ongeldige clientgegevens."))
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Dit partnersysteem is ingetrokken."))
        rls.enter_request(client.service_user)
        return client.service_user, client

    def authenticate_header(self, request):
        return 'Basic realm="casustafel-partners"'


class PartnerScope(BasePermission):
    """Only a partner client holding the view's ``required_scope``; a person's token: 403."""

    message = _("Alleen een partnersysteem met de juiste scope heeft toegang tot dit endpoint.")

    def has_permission(self, request, view) -> bool:
        client = request.auth
        return isinstance(client, PartnerClient) and view.required_scope in client.scopes


class PartnerClientScheme(OpenApiAuthenticationExtension):
    target_class = "casustafel.partners.authentication.PartnerClientAuthentication"
    name = "partnerClient"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Clientgegevens van een partnersysteem (client-id en geheim, ADR 0045); geen "
            "persoonlijk token.",
        }
