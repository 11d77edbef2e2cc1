"""A search (zoekopdracht): which kinds of criteria were used, never their values (ADR 0035)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchRecord(models.Model):
    """One search by a user. The processing-log row of the search points at it, in the same
    span as one row per signal, weighing or case shown; the terms themselves (a name, a BSN,
    a reference) are not stored anywhere. Append-only like the log."""

    #: The database role work grants the application role only SELECT/INSERT on such models.
    append_only = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    timestamp = models.DateTimeField(_("tijdstip"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("gebruiker")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("organisatie")
    )
    #: Kinds of criteria used ("reference", "bsn", "name", "date_of_birth"), not their values.
    criteria = models.JSONField(_("zoekvelden"), default=list, blank=True)
    result_count = models.PositiveIntegerField(_("aantal resultaten"), default=0)

    class Meta:
        verbose_name = _("zoekopdracht")
        verbose_name_plural = _("zoekopdrachten")
        ordering = ["-timestamp"]

    def __str__(self):
        return ", ".join(self.criteria)
