"""Accountability and insight (verantwoording): figures about the approach, never about a person.

Wet PGA art. 18 (the yearly public report per casusoverleg) and art. 24 (the evaluation) need
figures; every published figure passes small-number suppression (``suppression``) first.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "casustafel.reporting"
    label = "reporting"
    verbose_name = _("Verantwoording en inzicht")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The reporting app's own facts register themselves on import (reporting.facts.register);
        # insight and policy_signals import theirs in their own AppConfig.ready.
        from casustafel.reporting.annual import facts as annual_facts  # noqa: F401
        from casustafel.reporting.council import facts as council_facts  # noqa: F401
