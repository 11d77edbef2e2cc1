"""Insight (inzicht): management information per role, the recognition-bias monitor and the
progress per catalogue measure (issue 13 items 1, 5, 7; ADR 0042).

Above the domain apps, like ``work`` and ``search``: it reads their data through their
selectors and the access policy, and publishes aggregates only through ``reporting``'s
small-number suppression. Its facts are registered when the app is ready.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "casustafel.insight"
    label = "insight"
    verbose_name = _("Inzicht")

    def ready(self) -> None:
        from . import facts  # noqa: F401  (registers the insight facts with reporting.facts)
