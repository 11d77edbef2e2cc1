"""Aggregate files imported on a national instance (issue 13 item 8, ADR 0043).

Only suppressed aggregates — displays and values of shown cells, markers of suppressed ones —
of one region and one calendar year, as signed by the region: no personal data."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportedAggregate(models.Model):
    region_code = models.CharField(_("regiocode"), max_length=40)
    region_name = models.CharField(_("regio"), max_length=200)
    year = models.PositiveIntegerField(_("jaar"))
    format_version = models.PositiveIntegerField(_("formaatversie"))
    key_id = models.CharField(_("sleutel"), max_length=32)
    sha256 = models.CharField(_("sha256 van het bestand"), max_length=64)
    #: The whole file as received (signature included), so it can be verified again later.
    document = models.JSONField(_("bestand"))
    imported_at = models.DateTimeField(_("ingelezen op"), default=timezone.now)

    class Meta:
        verbose_name = _("ingelezen regionaal aggregaat")
        ordering = ["year", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="national_one_file_per_region_year")
        ]

    def __str__(self):
        return f"{self.region_code} {self.year}"
