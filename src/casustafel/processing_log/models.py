"""Processing log (logboek dataverwerkingen): every read and write of personal data.

One row per object per action, written in the same transaction as the change it
records (a failed write leaves no log row, a logged write cannot be lost). Rows are
never updated or deleted by the application; making that tamper-evident (hash chain,
database grants) is the governance issue's work and builds on this one path.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    READ = "read", _("Inzien")
    LIST = "list", _("Inzien in lijst")
    CREATE = "create", _("Vastleggen")
    UPDATE = "update", _("Wijzigen")
    TRANSITION = "transition", _("Statuswijziging")
    SEARCH = "search", _("Zoeken")


class Purpose(models.TextChoices):
    """Processing activities (verwerkingsactiviteiten) with their purpose."""

    INTAKE = "intake", _("Registratie en voorbereiding van signalen")
    KNOWN_PERSON_CHECK = "known_person_check", _("Controle op bekende persoon")
    WEIGHING = "weighing", _("Integrale weging door de weegploeg")
    CASE_MANAGEMENT = "case_management", _("Uitvoering persoonsgerichte aanpak (casus)")


class ProcessingLogEntry(models.Model):
    timestamp = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)
    trace_id = models.CharField(_("trace-id"), max_length=32, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", null=True)
    action = models.CharField(_("handeling"), max_length=20, choices=Action.choices)
    purpose = models.CharField(_("verwerkingsactiviteit"), max_length=40, choices=Purpose.choices)
    object_type = models.CharField(_("soort object"), max_length=40)
    object_id = models.UUIDField(_("object"))
    #: Pseudonymous id of the data subject (the Subject's UUID), never a BSN or name.
    data_subject_id = models.UUIDField(_("betrokkene (pseudoniem)"), null=True, db_index=True)
    via_api = models.BooleanField(_("via API"), default=False)

    class Meta:
        verbose_name = _("logregel dataverwerking")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
