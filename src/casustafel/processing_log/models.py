"""Processing log (logboek dataverwerkingen): every read and write of personal data.

One row per object per action, written in the same transaction as the change it
records (a failed write leaves no log row, a logged write cannot be lost). Shaped after
the Logboek Dataverwerkingen standard (Logius): trace and span id, status, timestamp and a
processing activity from the register (``ProcessingActivity``). Rows are append-only
(PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE) and hash-chained: ``row_hash``
= sha256(``prev_hash`` + canonical serialisation of the row), see ``chain.py`` and ADR 0008.

Who acted is not in the log row itself but in a linked audit record (``AuditRecord``,
verantwoordingsregel): one per ``record()`` call (span), with the user, organisation and
role at that moment. The row hash covers the audit record's content (ADR 0015).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import Role


class Action(models.TextChoices):
    READ = "read", _("Inzien")
    LIST = "list", _("Inzien in lijst")
    CREATE = "create", _("Vastleggen")
    UPDATE = "update", _("Wijzigen")
    TRANSITION = "transition", _("Statuswijziging")
    SEARCH = "search", _("Zoeken")
    #: Personal data leaves the system as a file (PDF, CSV, JSON export).
    EXPORT = "export", _("Exporteren")
    #: Personal data is provided to another table or organisation (verstrekking).
    SHARE = "share", _("Verstrekken")
    #: Personal data is destroyed at the end of its retention period.
    DESTROY = "destroy", _("Vernietigen")
    #: Existing records are taken over from a region's previous system (migration import, ADR 0046).
    #: Not a substantive processing for art. 9: the retention period keeps running from the
    #: record's own history in the source system, not from the day of the migration.
    IMPORT = "import", _("Overnemen uit vorig systeem")


class Purpose(models.TextChoices):
    """Codes of the processing activities (verwerkingsactiviteiten) in the register."""

    INTAKE = "intake", _("Registratie en voorbereiding van signalen")
    KNOWN_PERSON_CHECK = "known_person_check", _("Controle op bekende persoon")
    WEIGHING = "weighing", _("Integrale weging door de weegploeg")
    CASE_MANAGEMENT = "case_management", _("Uitvoering persoonsgerichte aanpak (casus)")
    PRIVACY_SUPERVISION = "privacy_supervision", _("Toezicht op de verwerking door de FG")
    RETENTION = "retention", _("Bewaren en vernietigen")
    #: Aggregated figures for the art. 18 annual report and other reports (issue 13); never a person.
    ACCOUNTABILITY = "accountability", _("Verantwoording (jaarverslag en rapportages)")


class LogUsePurpose(models.TextChoices):
    """The only purposes for which the processing log may be used (Wet PGA art. 14 lid 2)."""

    LAWFULNESS_CHECK = "lawfulness_check", _("Controle van de rechtmatigheid van de gegevensverwerking")
    INTERNAL_CONTROL = "internal_control", _("Interne controle")
    INTEGRITY_SECURITY = (
        "integrity_security",
        _("Waarborging van de integriteit en de beveiliging van de persoonsgegevens"),
    )
    COURT_PROCEEDINGS = "court_proceedings", _("Gerechtelijke procedure")


class Status(models.TextChoices):
    OK = "ok", _("Uitgevoerd")
    REFUSED = "refused", _("Geweigerd")


class ProcessingActivity(models.Model):
    """The register of processing activities (verwerkingsregister), versioned data.

    Seeded from ``data/processing_activities_vN.json`` by data migrations (``register.py``);
    a changed text is a new version, valid from its date: a new log row links to the
    version valid on its day, old rows keep pointing at the version they were written under.
    """

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("versie"))
    #: First day new log rows link to this version (None: since always, version 1).
    valid_from = models.DateField(_("geldig vanaf"), null=True, blank=True)
    name = models.CharField(_("naam"), max_length=200)
    purpose = models.TextField(_("doel"))
    legal_basis = models.TextField(_("grondslag"))
    #: Codes of the legal bases (governance ``LegalBasis.code``) the text names; empty in version 1.
    legal_basis_codes = models.JSONField(_("codes grondslagen"), default=list, blank=True)
    #: What the implementing AMvB must still settle (Wet PGA art. 12 lid 4, 16 lid 5): [{"article", "text"}].
    pending_amvb = models.JSONField(_("te bevestigen bij de AMvB"), default=list, blank=True)

    class Meta:
        verbose_name = _("verwerkingsactiviteit")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="processing_activity_unique_version")]

    def __str__(self):
        return self.name


class AuditRecord(models.Model):
    """Who acted (verantwoordingsregel): one per ``record()`` / ``record_refused()`` call.

    The log rows of that call (one per object) link to it. Append-only like the log;
    ``record_hash`` = sha256 of its canonical content, and every linked row's hash covers
    that content hash (``chain.py``), so a changed actor breaks the chain (ADR 0015).
    """

    #: The database role work grants the application role only SELECT/INSERT on such models.
    append_only = True

    timestamp = models.DateTimeField(_("tijdstip"))
    trace_id = models.CharField(_("trace-id"), max_length=32)
    span_id = models.CharField(_("span-id"), max_length=16, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("gebruiker")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("organisatie")
    )
    #: The user's role when acting (roles change; the log keeps the one that applied).
    role = models.CharField(_("rol"), max_length=30, blank=True)
    via_api = models.BooleanField(_("via API"), default=False)
    record_hash = models.CharField(_("hash"), max_length=64, default="")

    class Meta:
        verbose_name = _("verantwoordingsregel")
        verbose_name_plural = _("verantwoordingsregels")
        ordering = ["id"]

    def __str__(self):
        return f"{self.span_id}"

    @property
    def role_label(self) -> str:
        """The role's Dutch label (the code if the role no longer exists)."""

        return str(Role(self.role).label) if self.role in Role.values else self.role


class ProcessingLogEntry(models.Model):
    #: The database role work grants the application role only SELECT/INSERT on such models.
    append_only = True

    #: Set in Python (not auto_now_add) so the row hash covers it.
    timestamp = models.DateTimeField(_("tijdstip"), db_index=True)
    trace_id = models.CharField(_("trace-id"), max_length=32, db_index=True)
    #: New per ``record()`` call: the operation within the trace.
    span_id = models.CharField(_("span-id"), max_length=16, default="")
    #: Who acted (user, organisation, role, via API): one audit record per span.
    audit_record = models.ForeignKey(
        AuditRecord, on_delete=models.PROTECT, related_name="entries", verbose_name=_("verantwoordingsregel")
    )
    action = models.CharField(_("handeling"), max_length=20, choices=Action.choices)
    #: The code of the processing activity (kept next to ``activity`` for compatibility).
    purpose = models.CharField(_("verwerkingsactiviteit"), max_length=40, choices=Purpose.choices)
    activity = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("verwerkingsactiviteit (register)"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OK)
    object_type = models.CharField(_("soort object"), max_length=40)
    object_id = models.UUIDField(_("object"))
    #: Pseudonymous id of the data subject (the Subject's UUID), never a BSN or name.
    data_subject_id = models.UUIDField(_("betrokkene (pseudoniem)"), null=True, db_index=True)
    prev_hash = models.CharField(_("vorige hash"), max_length=64, default="")
    row_hash = models.CharField(_("hash"), max_length=64, default="")

    class Meta:
        verbose_name = _("logregel dataverwerking")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The FG's history of a data subject asks "data_subject_id IN (...) OR object_id IN (...)":
            # with an index on each side PostgreSQL answers it with a BitmapOr per partition instead
            # of scanning the log (BENCHMARKS.md 12.8).
            models.Index(fields=["object_id"], name="processing_log_object_id"),
        ]

    # Read-only conveniences through the link (select_related("audit_record__user", ...)).
    @property
    def user(self):
        return self.audit_record.user

    @property
    def organisation(self):
        return self.audit_record.organisation

    @property
    def via_api(self) -> bool:
        return self.audit_record.via_api


class LogConsultation(models.Model):
    """One consultation (raadpleging) of the processing log, with its purpose (Wet PGA art. 14 lid 2).

    The log row that records the consultation points at it (action ``search``, activity
    ``privacy_supervision``), in the same span as the rows of the persons, cases or signals
    it looked up. It keeps which criteria were used, never their values (no BSN, no
    reference). Append-only like the log.
    """

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
    purpose = models.CharField(_("doel van de raadpleging"), max_length=30, choices=LogUsePurpose.choices)
    date_from = models.DateField(_("vanaf"), null=True, blank=True)
    date_to = models.DateField(_("tot en met"), null=True, blank=True)
    #: Names of the criteria used ("bsn", "case_reference", "signal_reference"), not their values.
    criteria = models.JSONField(_("zoekvelden"), default=list, blank=True)

    class Meta:
        verbose_name = _("raadpleging van het logboek")
        verbose_name_plural = _("raadplegingen van het logboek")
        ordering = ["-timestamp"]

    def __str__(self):
        return str(self.get_purpose_display())


class LogLeaf(models.Model):
    """A log row sealed into the Merkle tree (chain version 3, ADR 0048): leaf ``leaf_index``.

    Written by the sequencer only, in the transaction of the tree head that first covers
    it. ``entry_id`` is a plain indexed number, no database foreign key: the log table is
    partitioned by month (ADR 0049). ``leaf_hash`` = SHA-256(0x00 || canonical v3 bytes).
    """

    #: The database role work grants the application role only SELECT/INSERT on such models.
    append_only = True

    leaf_index = models.BigIntegerField(_("bladnummer"), unique=True)
    entry_id = models.BigIntegerField(_("logregel"), unique=True)
    leaf_hash = models.BinaryField(_("bladhash"), max_length=32)

    class Meta:
        verbose_name = _("blad van de logboekboom")
        verbose_name_plural = _("bladen van de logboekboom")
        ordering = ["leaf_index"]


class MerkleNode(models.Model):
    """A complete subtree of the log's Merkle tree: leaves ``[index·2^level, (index+1)·2^level)``.

    Stored from level ``sequencer.STORED_LEVEL`` up (subtrees of 256 leaves and larger), as
    they complete, so a proof reads a few hundred leaf hashes and O(log n) nodes.
    """

    append_only = True

    level = models.PositiveSmallIntegerField(_("niveau"))
    index = models.BigIntegerField(_("positie"))
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("knoop van de logboekboom")
        verbose_name_plural = _("knopen van de logboekboom")
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="merkle_node_unique_position")]


class TreeHead(models.Model):
    """A signed tree head (boomkop): the first ``tree_size`` leaves have root ``root_hash``.

    ``signature`` is Ed25519 over ``signing.head_text`` by the sequencer's key (``key_id``);
    empty for the head the conversion migration wrote, which the first sequencer run
    covers by a signed head of the same size. Exported as JSON lines (ADR 0048).
    """

    append_only = True

    tree_size = models.BigIntegerField(_("aantal bladen"))
    root_hash = models.CharField(_("wortelhash"), max_length=64)
    timestamp = models.DateTimeField(_("tijdstip"))
    signature = models.CharField(_("ondertekening"), max_length=100, blank=True, default="")
    key_id = models.CharField(_("sleutel"), max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("boomkop van het logboek")
        verbose_name_plural = _("boomkoppen van het logboek")
        ordering = ["id"]
