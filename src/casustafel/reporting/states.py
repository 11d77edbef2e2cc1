"""The annual report's lifecycle (Wet PGA art. 18), declared once (see core/states.py).

A report is a *draft* (concept) while its figures follow the data; in the redaction step the
process director leaves out what would endanger the purposes of the casusoverleg (art. 18 lid 1)
and closes the step (*redacted*, geredigeerd) — or reopens it; the representative of the
casusoverleg then *publishes* it (art. 18 lid 2). A published report never changes.
"""

from django.utils.translation import gettext_lazy as _

from casustafel.core.states import StateMachine

DRAFT = "draft"
REDACTED = "redacted"
PUBLISHED = "published"

ANNUAL_REPORT_MACHINE = StateMachine(
    name="annual_report",
    labels={DRAFT: _("Concept"), REDACTED: _("Geredigeerd, klaar voor publicatie"), PUBLISHED: _("Gepubliceerd")},
    transitions={DRAFT: frozenset({REDACTED}), REDACTED: frozenset({DRAFT, PUBLISHED}), PUBLISHED: frozenset()},
    initial=DRAFT,
)

STATUS_CHOICES = list(ANNUAL_REPORT_MACHINE.labels.items())
