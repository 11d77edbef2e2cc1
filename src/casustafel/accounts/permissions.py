"""API permissions: a token works only for a designated user (Wet PGA art. 13, ADR 0029) bound to
secrecy (art. 17, ADR 0027)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import IsAuthenticated

from .selectors import confidentiality_due, is_designated


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


class Designated(IsAuthenticated):
    """Authenticated, and designated for the casusoverleg today (Wet PGA art. 13 lid 1, ADR 0029).

    The first default permission of the API: a token of a person without a designation valid
    today (none, expired, or not yet begun) gets 403 (problem+json) with this message.
    """

    message = _(
        "U bent niet (meer) aangewezen voor het casusoverleg (artikel 13 Wet PGA). Alleen aangewezen personen "
        "hebben toegang; vraag uw organisatie om een aanwijzing. Tot dan geeft uw token geen toegang tot de API."
    )

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and is_designated(request.user)
