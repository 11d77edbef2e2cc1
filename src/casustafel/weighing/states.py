"""Weighing lifecycle, declared once (see DESIGN.md, 'The process').

A weighing is open while the weegploeg contributes; the decision "meer informatie nodig"
puts it on hold until its deadline or until a new signal joins (which reopens it); every
other decision closes it. Only the weighing's own services move it.
"""

from django.utils.translation import gettext_lazy as _

from casustafel.core.states import StateMachine

OPEN = "open"
AWAITING_INFORMATION = "awaiting_information"
#: A decision was proposed; the three core parties confirm it (art. 5 lid 3 Wet PGA).
DECISION_PROPOSED = "decision_proposed"
DECIDED = "decided"

WEIGHING_MACHINE = StateMachine(
    name="weighing",
    labels={
        OPEN: _("Open"),
        AWAITING_INFORMATION: _("Wacht op informatie"),
        DECISION_PROPOSED: _("Besluit voorgesteld"),
        DECIDED: _("Besloten"),
    },
    transitions={
        OPEN: frozenset({DECISION_PROPOSED}),
        AWAITING_INFORMATION: frozenset({OPEN, DECISION_PROPOSED}),
        # Confirmed by all three: the decision's outcome; rejected or lapsed: open again.
        DECISION_PROPOSED: frozenset({OPEN, AWAITING_INFORMATION, DECIDED}),
    },
    initial=OPEN,
)

#: States in which the weegploeg still works on the weighing.
OPEN_STATES = (OPEN, AWAITING_INFORMATION, DECISION_PROPOSED)
