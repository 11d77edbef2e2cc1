"""The case journal (casusjournaal): updates by the participants of a case, each with its
provenance — legal basis, classification, visibility, art. 4 category, author and organisation,
time — as every contribution carries (``weighing.Contribution``). Entries are immutable: a
correction is a new entry that refers to the one it corrects (Wet PGA art. 10)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casustafel.access.policy import Visibility
from casustafel.governance.models import Classification, DataCategory

TEXT_LIMIT = 4000


class EntryKind(models.TextChoices):
    UPDATE = "update", _("Update")
    CORRECTION = "correction", _("Correctie")


class JournalEntry(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="journal_entries")
    kind = models.CharField(_("soort"), max_length=20, choices=EntryKind.choices, default=EntryKind.UPDATE)
    text = models.TextField(_("update"), max_length=TEXT_LIMIT)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
        verbose_name=_("corrigeert"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Provenance (herkomst): the providing organisation, its legal basis, classification and who may see it.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    legal_basis = models.ForeignKey(
        "governance.LegalBasis", on_delete=models.PROTECT, related_name="+", verbose_name=_("grondslag")
    )
    classification = models.CharField(_("classificatie"), max_length=20, choices=Classification.choices)
    visibility = models.CharField(_("zichtbaar voor"), max_length=20, choices=Visibility.choices)
    data_category = models.CharField(
        _("categorie (art. 4)"), max_length=30, choices=DataCategory.choices, default=DataCategory.PLAN_OF_ACTION
    )
    created_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now, db_index=True)

    subject_id = property(lambda self: self.case.subject_id)
    region_id = property(lambda self: self.case.region_id)

    class Meta:
        verbose_name = _("journaalnotitie")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "-created_at"], name="journal_case_created")]

    def save(self, *args, **kwargs):
        # Immutable: a correction is a new entry (``corrects``), never an edit.
        if not self._state.adding:
            raise ValueError("A journal entry is immutable; record a correction instead.")
        super().save(*args, **kwargs)
