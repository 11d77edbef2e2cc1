"""Meeting lifecycle, declared once (see core/states.py).

A meeting is *planned* (gepland) when scheduled ahead; it may be cancelled with a reason
and then stays in the record as cancelled. An emergency meeting that already happened is
*recorded afterwards* (achteraf vastgelegd): it starts in that state, with a past date.
"""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from casustafel.core.states import StateMachine

PLANNED = "planned"
CANCELLED = "cancelled"
RECORDED_AFTERWARDS = "recorded_afterwards"

MEETING_MACHINE = StateMachine(
    name="meeting",
    labels={PLANNED: _("Gepland"), CANCELLED: _("Geannuleerd"), RECORDED_AFTERWARDS: _("Achteraf vastgelegd")},
    transitions={PLANNED: frozenset({CANCELLED}), CANCELLED: frozenset(), RECORDED_AFTERWARDS: frozenset()},
    initial=PLANNED,
)

#: The meeting statuses as model and API choices (one enum in the OpenAPI document).
STATUS_CHOICES = list(MEETING_MACHINE.labels.items())

#: States in which the meeting's details, agenda, minutes and actions can still be worked on.
WORKING_STATES = (PLANNED, RECORDED_AFTERWARDS)

#: The sensible bounds of a meeting's moment, defined once: a meeting is planned at most
#: this far ahead, and recorded afterwards at most this far back (never in the future).
PLANNING_HORIZON = timedelta(days=2 * 366)
RECORDING_WINDOW = timedelta(days=366)
#: The longest a meeting lasts.
LONGEST_MEETING = timedelta(hours=12)
