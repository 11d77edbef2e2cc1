"""Account reads: the confidentiality duty of Wet PGA art. 17 (ADR 0027) and the
authorisation register of art. 12 lid 3 and 13 (ADR 0029)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import DateTimeField, DurationField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from .models import ConfidentialityAcknowledgement, ConfidentialityText, Designation, User


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
    # One query per request (the gate runs on every page): the text in force and whether an
    # acknowledgement of it within its renewal period exists, together.
    renewal = ExpressionWrapper(OuterRef("renew_after_days") * Value(timedelta(days=1)), output_field=DurationField())
    acknowledged = ConfidentialityAcknowledgement.objects.filter(
        user=user,
        text=OuterRef("pk"),
        acknowledged_at__gt=ExpressionWrapper(Value(now) - renewal, output_field=DateTimeField()),
    )
    text = (
        ConfidentialityText.objects.filter(valid_from__lte=timezone.localdate(now))
        .order_by("-valid_from", "-version")
        .annotate(holds=Exists(acknowledged))
        .first()
    )
    return None if text is None or text.holds else text


def valid_designations(user: User, *, on: date | None = None) -> QuerySet[Designation]:
    """``user``'s designations valid on ``on`` (today): by their current organisation, begun
    and not ended (``valid_until`` inclusive). Wet PGA art. 13 lid 1 (ADR 0029)."""
    day = on or timezone.localdate()
    if user.organisation_id is None:
        return Designation.objects.none()
    return Designation.objects.filter(user=user, organisation_id=user.organisation_id, valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def designation_window(user: User, *, on: date | None = None) -> tuple[date, date] | None:
    """The span around ``on`` (today) in which ``user`` stays designated, or ``None`` when not
    designated that day (one query). The upper bound is the latest end of the designations
    valid that day (``date.max`` for an open end); the gate keeps it in the session."""
    day = on or timezone.localdate()
    if not getattr(user, "is_authenticated", False) or not user.organisation_id:
        return None
    spans = list(valid_designations(user, on=day).values_list("valid_from", "valid_until"))
    if not spans:
        return None
    return min(start for start, _end in spans), max(end or date.max for _start, end in spans)


def is_designated(user: User, *, on: date | None = None) -> bool:
    """Art. 13 lid 1: only persons designated for the casusoverleg have access."""
    return designation_window(user, on=on) is not None


def designation_register(*, region_id) -> QuerySet[Designation]:
    """The authorisation register of a region, current and historical (art. 13 lid 1)."""
    return (
        Designation.objects.filter(organisation__region_id=region_id)
        .select_related("user", "organisation", "recorded_by")
        .order_by("organisation__name", "user__username", "-valid_from", "-recorded_at")
    )
