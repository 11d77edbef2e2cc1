"""Plans of action (plan van aanpak): goals per life domain, interventions from a versioned
catalogue, delivery (contact log), interference acknowledgements, reviews and check-ins."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casustafel.core.concurrency import Versioned

DEFAULT_DRIFT_DAYS = 30
DEFAULT_REVIEW_INTERVAL_DAYS = 90
DEFAULT_CHECKIN_MONTHS = (6, 12)


def drift_days() -> int:
    return int(getattr(settings, "PLANS_DRIFT_DAYS", DEFAULT_DRIFT_DAYS))


def review_interval_days() -> int:
    return int(getattr(settings, "PLANS_REVIEW_INTERVAL_DAYS", DEFAULT_REVIEW_INTERVAL_DAYS))


class LifeDomain(models.TextChoices):
    IDEOLOGY = "ideologie_netwerk", _("Ideologie en netwerk")
    ONLINE = "online_gedrag", _("Online gedrag")
    HOUSING = "huisvesting", _("Huisvesting")
    INCOME = "inkomen_schulden", _("Inkomen en schulden")
    WORK = "werk_onderwijs", _("Werk en onderwijs")
    HEALTH = "gezondheid", _("Psychische en lichamelijke gezondheid")
    FAMILY = "gezin_relaties", _("Gezin en relaties")
    DAILY = "dagelijks_functioneren", _("Dagelijks functioneren")
    JUSTICE = "justitie", _("Justitie")


class Score(models.IntegerChoices):
    VERY_BAD = 1, _("1 — Zorgelijk")
    BAD = 2, _("2 — Onvoldoende")
    MIXED = 3, _("3 — Wisselend")
    GOOD = 4, _("4 — Voldoende")
    REACHED = 5, _("5 — Doel bereikt")


class Instrument(models.TextChoices):
    VERA_2R = "vera_2r", _("VERA-2R")
    IR46 = "ir46", _("IR46")
    ERG22 = "erg22", _("ERG22+")
    OTHER = "anders", _("Ander instrument")


class CatalogueVersion(models.Model):
    version = models.PositiveIntegerField(_("versie"), unique=True)
    source = models.TextField(_("bron"), blank=True)
    note = models.TextField(_("toelichting"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]


class CatalogueEntry(models.Model):
    """One measure or intervention of a catalogue version (legal rules as data)."""

    catalogue = models.ForeignKey(CatalogueVersion, on_delete=models.PROTECT, related_name="entries")
    code = models.SlugField(_("code"), max_length=60)
    group = models.CharField(_("groep"), max_length=40)
    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("omschrijving"))
    organisation_kinds = models.JSONField(_("bevoegde soorten organisaties"), default=list)
    legal_basis = models.TextField(_("grondslag"))
    enforced = models.BooleanField(_("gedwongen"), default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["group", "name"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="catalogue_entry_unique")]

    def __str__(self):
        return self.name


class InterferenceRule(models.Model):
    """Two groups of measures that work against each other when combined in one plan."""

    catalogue = models.ForeignKey(CatalogueVersion, on_delete=models.PROTECT, related_name="rules")
    code = models.SlugField(max_length=60)
    measures_a = models.JSONField(default=list)
    measures_b = models.JSONField(default=list)
    explanation = models.TextField(_("toelichting"))
    coordination = models.TextField(_("afstemming"))
    owner_kind = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="interference_rule_unique")]


class Plan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="plan")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    next_review_due = models.DateField(_("volgende evaluatie"), db_index=True)

    subject_id = property(lambda self: self.case.subject_id)
    region_id = property(lambda self: self.case.region_id)


class _PlanPart(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject_id = property(lambda self: self.plan.case.subject_id)

    class Meta:
        abstract = True


class Goal(Versioned, _PlanPart):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("leefgebied"), max_length=30, choices=LifeDomain.choices)
    description = models.TextField(_("doel"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    #: The last edit (issue 12 item 7): when and by whom; every edit is in the processing log.
    updated_at = models.DateTimeField(_("gewijzigd op"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["domain", "created_at"]


class Intervention(Versioned, _PlanPart):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="interventions")
    entry = models.ForeignKey(
        CatalogueEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("maatregel of interventie")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("uitvoerende organisatie")
    )
    legal_basis = models.TextField(_("grondslag"))
    enforced = models.BooleanField(_("gedwongen"))
    starts_on = models.DateField(_("start"))
    planned_end = models.DateField(_("geplande einddatum"))
    planned_sessions = models.PositiveIntegerField(_("geplande contacten"), default=0)
    ended_on = models.DateField(_("beëindigd op"), null=True, blank=True)
    end_note = models.TextField(max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    #: The last edit of its period or sessions (issue 12 item 7); every edit is in the processing log.
    updated_at = models.DateTimeField(_("gewijzigd op"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["starts_on", "created_at"]


class Contact(_PlanPart):
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField(_("datum"))
    held = models.BooleanField(_("gehouden"))
    note = models.TextField(_("notitie"), max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject_id = property(lambda self: self.intervention.plan.case.subject_id)

    class Meta:
        ordering = ["date"]


class Acknowledgement(_PlanPart):
    """The case director saw the conflict of ``rule`` in the plan and accepts it, with a reason."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="acknowledgements")
    rule = models.ForeignKey(InterferenceRule, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reden"), max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)


class CoordinationTask(_PlanPart):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="coordination_tasks")
    rule = models.ForeignKey(InterferenceRule, on_delete=models.PROTECT, related_name="+", null=True)
    description = models.TextField(_("afstemmingsactie"), max_length=2000)
    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("eigenaar")
    )
    due_on = models.DateField(_("uiterlijk"))
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Completion: who marked it done, when, and what was agreed (required).
    done_at = models.DateTimeField(_("afgerond op"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    outcome = models.TextField(_("wat is afgesproken"), max_length=2000, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]


class Review(_PlanPart):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField(_("datum evaluatie"))
    narrative = models.TextField(_("toelichting"), max_length=10000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A structured professional judgement, recorded without the instrument's (licensed) item texts.
    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices, blank=True)
    assessor = models.CharField(_("beoordelaar"), max_length=200, blank=True)
    assessed_on = models.DateField(_("datum beoordeling"), null=True, blank=True)
    conclusion = models.TextField(_("conclusie"), max_length=4000, blank=True)
    scenarios = models.TextField(_("scenario's"), max_length=4000, blank=True)

    class Meta:
        ordering = ["held_on", "created_at"]


class GoalScore(_PlanPart):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), choices=Score.choices)
    subject_id = property(lambda self: self.review.plan.case.subject_id)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "goal"], name="goal_score_unique")]


DEFAULT_CHECKIN_WINDOW_DAYS = 30


def checkin_window_days() -> int:
    """How many days before its due date a check-in may already be recorded (default 30)."""
    return int(getattr(settings, "PLANS_CHECKIN_WINDOW_DAYS", DEFAULT_CHECKIN_WINDOW_DAYS))


class CheckIn(models.Model):
    """A post-closure check-in, scheduled when the case closes (default 6 and 12 months).

    Recorded once (``done_on`` set) by the case director or a participating process
    director: held on which date, with which organisation, new concerns yes/no, a note.
    It opens ``checkin_window_days()`` before ``due_on`` (a conversation a few weeks early
    is still the 6- or 12-month check-in); earlier it is refused.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="checkins")
    due_on = models.DateField(_("gepland op"))
    months = models.PositiveSmallIntegerField()
    done_on = models.DateField(_("gehouden op"), null=True, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("met organisatie"),
    )
    new_concerns = models.BooleanField(_("nieuwe zorgen"), null=True, blank=True)
    note = models.TextField(_("notitie"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    subject_id = property(lambda self: self.case.subject_id)

    class Meta:
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["case", "due_on"], name="checkin_unique")]
