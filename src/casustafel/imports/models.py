"""What was imported from which system: the idempotency key of a migration import (ADR 0046).

One row per imported signal or case: the source system's external id, the record it became,
the art. 4 categories it carries and the destruction date the retention rules gave it. A
re-run of the same file finds its rows here and creates nothing. The row belongs to the
person (foreign key), so a destruction run removes it with them.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.governance.models import DataCategory


class ImportedKind(models.TextChoices):
    SIGNAL = "signaal", _("Signaal")
    CASE = "casus", _("Casus")


class ImportedItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    #: The source system's name as given on the command line (``--system``).
    system = models.CharField(_("bronsysteem"), max_length=100)
    external_id = models.CharField(_("extern kenmerk"), max_length=100)
    kind = models.CharField(_("soort"), max_length=10, choices=ImportedKind.choices)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    signal = models.ForeignKey("signals.Signal", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    #: Casustafel's reference of the record it became (no personal data).
    reference = models.CharField(_("kenmerk"), max_length=20)
    #: Wet PGA art. 4: the categories (a–h) of personal data the imported record holds.
    data_categories = ArrayField(models.CharField(max_length=30, choices=DataCategory.choices), default=list)
    #: From the retention rules at import (art. 9); empty while the case is still open.
    destruction_date = models.DateField(_("vernietigen uiterlijk"), null=True, blank=True)
    schedule_version = models.PositiveIntegerField(_("versie bewaarschema"), null=True, blank=True)
    #: All items of one run of one file share it.
    batch = models.UUIDField(_("importrun"), db_index=True)
    source_row = models.PositiveIntegerField(_("rij in het bestand"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("geïmporteerd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("geïmporteerd gegeven")
        verbose_name_plural = _("geïmporteerde gegevens")
        ordering = ["imported_at", "source_row"]
        constraints = [
            models.UniqueConstraint(fields=["region", "system", "external_id"], name="imported_item_unique_source")
        ]

    def __str__(self):
        return self.reference

    @property
    def provenance(self) -> str:
        """Herkomst, as the processing log's reader sees it."""
        return _("geïmporteerd uit %(system)s") % {"system": self.system}
