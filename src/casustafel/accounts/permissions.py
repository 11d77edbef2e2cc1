"""API permission: a token works only for a user bound to secrecy (Wet PGA art. 17, ADR 0027)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import IsAuthenticated

from .selectors import confidentiality_due


class ConfidentialityAcknowledged(IsAuthenticated):
    """Authenticated, and no confidentiality acknowledgement outstanding (art. 17).

    The default permission of the API: an authenticated user who still has to acknowledge
    the duty gets 403 (problem+json) with this message until they do so in the web
    application; the acknowledgement needs the person, not a partner system.
    """

    message = _(
        "Erken eerst de geheimhoudingsplicht van artikel 17 Wet PGA: log in op Casustafel en bevestig de "
        "tekst. Tot dan geeft uw token geen toegang tot de API."
    )

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and confidentiality_due(request.user) is None
