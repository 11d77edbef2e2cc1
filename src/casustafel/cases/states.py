"""Case lifecycle, declared once (see DESIGN.md, 'The process')."""

from django.utils.translation import gettext_lazy as _

from casustafel.core.states import StateMachine

ACTIVE = "active"
SCALED_DOWN = "scaled_down"
CLOSED = "closed"
REOPENED = "reopened"

CASE_MACHINE = StateMachine(
    name="case",
    labels={ACTIVE: _("Actief"), SCALED_DOWN: _("Afgeschaald"), CLOSED: _("Afgesloten"), REOPENED: _("Heropend")},
    transitions={
        ACTIVE: frozenset({SCALED_DOWN, CLOSED}),
        SCALED_DOWN: frozenset({ACTIVE, CLOSED}),
        CLOSED: frozenset({REOPENED}),
        REOPENED: frozenset({SCALED_DOWN, CLOSED}),
    },
    initial=ACTIVE,
)

#: States in which the case is worked on by the table.
OPEN_STATES = (ACTIVE, REOPENED, SCALED_DOWN)
