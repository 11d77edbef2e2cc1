"""Sensible bounds for every date of a plan of action, defined once (issue 12, item 7).

Every plan service checks its dates here, so a goal, an intervention, a contact, an end or
a coordination action in the year 9999 (or 1900) is refused with the same Dutch message.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

#: No plan of action predates the PGA registrations this system holds.
EARLIEST = date(2000, 1, 1)
#: How far ahead a plan date may lie: an intervention or agreement rarely runs longer.
YEARS_AHEAD = 5


def latest(today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def out_of_bounds(value: object, *, missing: str, future: bool = True) -> str:
    """Why ``value`` is not a usable plan date ('' when it is).

    ``future=False``: the date records something that happened, so it may not lie ahead.
    """
    if not isinstance(value, date):
        return missing
    today = timezone.localdate()
    if value < EARLIEST:
        return _("Geef een datum vanaf %(date)s.") % {"date": EARLIEST.strftime("%d-%m-%Y")}
    if not future and value > today:
        return _("Geef een datum die niet in de toekomst ligt.")
    if value > latest(today):
        return _("Geef een datum uiterlijk %(date)s (%(years)s jaar vooruit).") % {
            "date": latest(today).strftime("%d-%m-%Y"),
            "years": YEARS_AHEAD,
        }
    return ""
