"""The life of a policy signal, declared once: raised → in behandeling → beantwoord / gesloten."""

from casustafel.core.states import StateMachine

from .models import State

POLICY_SIGNAL_MACHINE = StateMachine(
    name="policy_signal",
    labels=dict(State.choices),
    transitions={
        State.RAISED: frozenset({State.IN_PROGRESS, State.ANSWERED, State.CLOSED}),
        State.IN_PROGRESS: frozenset({State.ANSWERED, State.CLOSED}),
        State.ANSWERED: frozenset({State.CLOSED}),
    },
    initial=State.RAISED,
)

#: The states in which the region still owes a response.
OPEN_STATES = (State.RAISED, State.IN_PROGRESS)
