"""Account reads: the confidentiality duty of Wet PGA art. 17 (ADR 0027)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from .models import ConfidentialityAcknowledgement, ConfidentialityText, User


def confidentiality_text_in_force(*, on: datetime | None = None) -> ConfidentialityText | None:
    """The art. 17 text in force: the newest version whose ``valid_from`` has come."""
    today = timezone.localdate(on or timezone.now())
    return ConfidentialityText.objects.filter(valid_from__lte=today).order_by("-valid_from", "-version").first()


def latest_acknowledgement(user: User) -> ConfidentialityAcknowledgement | None:
    """The user's most recent acknowledgement of any version (for the page)."""
    return (
        ConfidentialityAcknowledgement.objects.filter(user=user)
        .select_related("text")
        .order_by("-acknowledged_at")
        .first()
    )


def acknowledgement_valid_until(acknowledgement: ConfidentialityAcknowledgement) -> datetime:
    """An acknowledgement holds for its text's renewal period (every year: 365 days)."""
    return acknowledgement.acknowledged_at + timedelta(days=acknowledgement.text.renew_after_days)


def confidentiality_due(user: User) -> ConfidentialityText | None:
    """The text ``user`` must acknowledge before working in Casustafel, or ``None``.

    Wet PGA art. 17: everyone involved in the casusoverleg who gets personal data and has no
    duty of secrecy from office, profession or statute (``has_other_secrecy_duty``) is bound
    to secrecy; they acknowledge the text in force at first login, again when its renewal
    period has passed since their last acknowledgement of it, and anew for a new version.
    No text in force (a database without the seeded data) asks nothing.
    """
    if not getattr(user, "is_authenticated", False) or user.has_other_secrecy_duty:
        return None
    now = timezone.now()
    text = confidentiality_text_in_force(on=now)
    if text is None:
        return None
    holds = ConfidentialityAcknowledgement.objects.filter(
        user=user, text=text, acknowledged_at__gt=now - timedelta(days=text.renew_after_days)
    ).exists()
    return None if holds else text
