"""National-scale synthetic data: ``casustafel demo --scale national`` (issue 15 item 2, ADR 0050).

25 fictional regions with 340 gemeenten and every participant and third-party organisation,
about 2,000 users, ten years of signals, weighings, cases, plans and conferences, and a
processing log of at least 20 million entries. Going through the services would take hours,
so the rows are generated in memory (``history``) and written in bulk, in the order and with
the values the services would give them: states consistent with their transitions, unique
references shaped as ``core.references``, the region on every region table, the BSN encrypted
and indexed through the model's own methods, log rows with the activity valid on their day,
an audit record per span and the chain (``log``). Deterministic per seed and day.
"""

from __future__ import annotations

import importlib
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from casustafel.access import rls
from casustafel.accounts.models import Region
from casustafel.cases import models as cases
from casustafel.meetings import models as meetings
from casustafel.plans import models as plans
from casustafel.signals import models as signals
from casustafel.subjects import models as subjects
from casustafel.weighing import models as weighing

from . import accounts, history, log
from .plan import DEFAULT_SEED, REGION_PREFIX, Plan


class NationalDataExistsError(RuntimeError):
    """National demo data are already present: a second run would duplicate them."""


@dataclass
class Summary:
    regions: int
    gemeenten: int
    users: int
    rows: dict[str, int]
    log_entries: int
    seconds: float
    #: Seconds per stage (organisations and users, history, writing it, the log).
    stages: dict[str, float]


class Progress:
    """A progress bar on stderr: tqdm when installed, else one line rewritten in place."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled, self.label = total, 0, enabled, ""
        self.timings: dict[str, float] = {}
        self._stage_started = time.monotonic()
        self.started = self.shown = time.monotonic()
        self._bar = None
        if enabled:
            try:  # optional: used only when already installed (no dependency is added for it)
                tqdm = importlib.import_module("tqdm").tqdm
            except ImportError:
                pass
            else:
                self._bar = tqdm(total=total, file=sys.stderr, unit="stap")

    def stage(self, label: str) -> None:
        now = time.monotonic()
        if self.label:
            self.timings[self.label] = round(now - self._stage_started, 1)
        self.label, self._stage_started = label, now
        if self._bar is not None:
            self._bar.set_description(label)
        self(0)

    def __call__(self, steps: int) -> None:
        self.done += steps
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(steps)
            return
        moment = time.monotonic()
        if moment - self.shown < 0.5 and self.done < self.total:
            return
        self.shown = moment
        share = self.done / self.total if self.total else 1
        filled = int(30 * share)
        elapsed = time.monotonic() - self.started
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:5.1%} {elapsed:6.0f}s {self.label:<32}")
        sys.stderr.flush()

    def close(self) -> None:
        self.stage("")
        if self._bar is not None:
            self._bar.close()
        elif self.enabled:
            sys.stderr.write("\n")


@contextmanager
def historic_times():
    """Let the writes carry their historic moments: ``auto_now``/``auto_now_add`` fields would
    stamp every row with today. In this process only, for the duration of the run."""
    patched = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                patched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in patched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def national_data_exist() -> bool:
    return Region.objects.filter(code__startswith=REGION_PREFIX).exists()


def generate(
    *, seed: int = DEFAULT_SEED, fraction: float = 1.0, today: date | None = None, progress: bool = True
) -> Summary:
    """Generate the national data set; refuses (``NationalDataExistsError``) when it exists."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction moet tussen 0 en 1 liggen")
    if national_data_exist():
        raise NationalDataExistsError(
            "Er staan al landelijke demogegevens in deze database (regio's 'nat-…'); er is niets toegevoegd. "
            "Gebruik een lege database (bijvoorbeeld een eigen CASUSTAFEL_DATA_DIR)."
        )
    plan = Plan(seed=seed, fraction=fraction, today=today or timezone.localdate())
    started = time.monotonic()
    days = (plan.now.date() - plan.start.date()).days
    bar = Progress(total=plan.regions + 2 + days, enabled=progress)
    try:
        with historic_times():
            bar.stage("organisaties en gebruikers")
            regions = accounts.build(plan)
            with transaction.atomic():
                accounts.write(plan, regions)
            bar(1)
            region_ids = [d.region.pk for d in regions]
            with rls.regions(*region_ids):
                bar.stage("tien jaar geschiedenis")
                rows = history.build(plan, regions, bar)
                bar.stage("geschiedenis wegschrijven")
                counts = _write_rows(rows, bar)
                bar.stage("logboek (COPY)")
                users = [(u, d.region.pk) for d in regions for u in d.users]
                entries = log.write(plan, rows, users, bar)
                bar.stage("logboek verzegelen")
                log.seal_all()
    finally:
        bar.close()
    return Summary(
        regions=len(regions),
        gemeenten=sum(len(d.gemeenten) for d in regions),
        users=sum(len(d.users) for d in regions),
        rows=counts,
        log_entries=entries,
        seconds=time.monotonic() - started,
        stages=bar.timings,
    )


def _write_rows(rows: history.Rows, bar: Progress) -> dict[str, int]:
    """bulk_create in dependency order, one transaction per model."""
    order = [
        subjects.Subject,
        weighing.Weighing,
        signals.Signal,
        signals.SignalTransition,
        weighing.Contribution,
        weighing.CriterionAssessment,
        weighing.Decision,
        weighing.DecisionConfirmation,
        weighing.RegistrantNotice,
        cases.Case,
        cases.CaseTransition,
        cases.ThirdPartyAdmission,
        cases.ThirdPartyConfirmation,
        cases.CaseParticipant,
        plans.Plan,
        plans.Goal,
        plans.Intervention,
        plans.Contact,
        plans.Review,
        plans.GoalScore,
        plans.CheckIn,
        meetings.Meeting,
        meetings.Invitation,
        meetings.AgendaItem,
        meetings.Decision,
        meetings.MeetingAction,
    ]
    missing = set(rows.by_model) - set(order)
    assert not missing, f"no write order for {missing}"
    counts = {}
    for model in order:
        objects = rows.by_model.get(model, [])
        with transaction.atomic():
            model.objects.bulk_create(objects, batch_size=2000)
        counts[model._meta.label] = len(objects)
    bar(1)
    return counts
