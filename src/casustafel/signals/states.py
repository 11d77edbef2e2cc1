"""Signal lifecycle, declared once (see DESIGN.md, 'The process')."""

from django.utils.translation import gettext_lazy as _

from casustafel.core.states import StateMachine

RECEIVED = "received"
IN_PREPARATION = "in_preparation"
IN_WEIGHING = "in_weighing"
INCLUDED = "included"
REFERRED = "referred"
NO_ACTION = "no_action"
MORE_INFORMATION = "more_information"

SIGNAL_MACHINE = StateMachine(
    name="signal",
    labels={
        RECEIVED: _("Ontvangen"),
        IN_PREPARATION: _("In voorbereiding"),
        IN_WEIGHING: _("In weging"),
        INCLUDED: _("Opgenomen in de PGA"),
        REFERRED: _("Doorverwezen"),
        NO_ACTION: _("Geen actie"),
        MORE_INFORMATION: _("Meer informatie nodig"),
    },
    transitions={
        RECEIVED: frozenset({IN_PREPARATION, IN_WEIGHING}),
        IN_PREPARATION: frozenset({IN_WEIGHING}),
        IN_WEIGHING: frozenset({INCLUDED, REFERRED, NO_ACTION, MORE_INFORMATION}),
        MORE_INFORMATION: frozenset({IN_WEIGHING}),
    },
    initial=RECEIVED,
    # "Meer informatie nodig" and the outcomes are the weegploeg's: only the decision moves
    # a signal out of the weighing or back into it (flow.services.record_decision).
    by_hand={RECEIVED: frozenset({IN_PREPARATION, IN_WEIGHING}), IN_PREPARATION: frozenset({IN_WEIGHING})},
    by_hand_refusals={MORE_INFORMATION: _("Dit signaal wacht op aanvullende informatie; lever die aan via de weging.")},
)

#: Outcome of a weighing decision → the state its signals take.
OPEN_STATES = (RECEIVED, IN_PREPARATION, IN_WEIGHING, MORE_INFORMATION)
