"""Weighing lifecycle, declared once (see DESIGN.md, 'The process').

A weighing is open while the weegploeg contributes; the decision "meer informatie nodig"
puts it on hold until its deadline or until a new signal joins (which reopens it); every
other decision closes it. Only the weighing's own services move it.
"""

from django.utils.translation import gettext_lazy as _

from casustafel.core.states import StateMachine

OPEN = "open"
AWAITING_INFORMATION = "awaiting_information"
DECIDED = "decided"

WEIGHING_MACHINE = StateMachine(
    name="weighing",
    labels={OPEN: _("Open"), AWAITING_INFORMATION: _("Wacht op informatie"), DECIDED: _("Besloten")},
    transitions={
        OPEN: frozenset({AWAITING_INFORMATION, DECIDED}),
        AWAITING_INFORMATION: frozenset({OPEN, AWAITING_INFORMATION, DECIDED}),
    },
    initial=OPEN,
)

#: States in which the weegploeg still works on the weighing.
OPEN_STATES = (OPEN, AWAITING_INFORMATION)
