"""Accountability and insight (verantwoording): figures about the approach, never about a person.

Wet PGA art. 18 (the yearly public report per casusoverleg) and art. 24 (the evaluation) need
figures; every published figure passes small-number suppression (``suppression``) first.
"""

import importlib
import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The modules that register the reporting app's own facts (``reporting.facts.register``).
#: Guarded while they are being written (issue 13): a module that does not exist yet is skipped.
FACT_MODULES = ("casustafel.reporting.annual.facts", "casustafel.reporting.council.facts")


class ReportingConfig(AppConfig):
    name = "casustafel.reporting"
    label = "reporting"
    verbose_name = _("Verantwoording en inzicht")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        for module in FACT_MODULES:
            if importlib.util.find_spec(module) is not None:
                importlib.import_module(module)
