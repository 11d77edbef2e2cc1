from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelineConfig(AppConfig):
    """The timeline of a case and of a person (issue 12 item 6): an interface over the
    domain apps' policy-scoped selectors; it stores nothing of its own (ADR 0034)."""

    name = "casustafel.timeline"
    verbose_name = _("Tijdlijn")
