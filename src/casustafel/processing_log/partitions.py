"""Monthly partitions of the processing log and the log's own retention profile (ADR 0049).

The log table is partitioned by month (UTC) since migration 0013; rows outside the
prepared months land in the DEFAULT partition. :func:`ensure_partitions` creates the
partitions of the current month and the next ``months_ahead`` (the worker calls it once a
day); it never moves a row. :func:`partitions` lists them with their row counts and
whether they are past the retention period of :func:`load_profile`
(``data/log_retention_vN.json``, versioned data). Removing a partition past retention is a
deliberate operator step, never automatic.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg.errors import LockNotAvailable

from .models import ProcessingLogEntry

log = logging.getLogger(__name__)
DATA_DIR = Path(__file__).resolve().parent / "data"
TABLE = ProcessingLogEntry._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"
_MONTH = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


# ------------------------------------------------------------------ retention profile


@dataclass(frozen=True)
class LogRetentionProfile:
    """How long the log's rows are kept (one version of ``data/log_retention_vN.json``)."""

    version: int
    valid_from: date
    period_months: int
    article: str
    legal_ground: str
    to_be_confirmed: bool
    pending_amvb: tuple[dict, ...]
    default_reasoning: str
    legal_hold: str
    note: str

    def expires_on(self, month: date) -> date:
        """The first day on which the partition of ``month`` is past retention: the period
        counts from the end of the month (the day after its last day)."""
        return add_months(month.replace(day=1), self.period_months + 1)


def profile_versions() -> list[int]:
    return sorted(int(p.stem.rsplit("_v", 1)[1]) for p in DATA_DIR.glob("log_retention_v*.json"))


def load_profile(version: int | None = None) -> LogRetentionProfile:
    """The log's retention profile, the newest version unless ``version`` is given."""
    version = version or profile_versions()[-1]
    spec = json.loads((DATA_DIR / f"log_retention_v{version}.json").read_text(encoding="utf-8"))
    if spec.get("version") != version:
        raise ValueError(f"log_retention_v{version}.json draagt versie {spec.get('version')!r}.")
    period = spec.get("period_months")
    if not isinstance(period, int) or period < 1:
        raise ValueError("'period_months' is een positief geheel getal (maanden).")
    if spec.get("counted_from") != "end_of_month":
        raise ValueError("'counted_from' is 'end_of_month': de termijn loopt vanaf het einde van de maand.")
    for key in ("article", "legal_ground", "default_reasoning", "legal_hold", "note"):
        if not spec.get(key):
            raise ValueError(f"Het bewaarprofiel van het logboek mist {key!r}.")
    return LogRetentionProfile(
        version=version,
        valid_from=date.fromisoformat(spec["valid_from"]),
        period_months=period,
        article=spec["article"],
        legal_ground=spec["legal_ground"],
        to_be_confirmed=bool(spec.get("to_be_confirmed", False)),
        pending_amvb=tuple(spec.get("pending_amvb", [])),
        default_reasoning=spec["default_reasoning"],
        legal_hold=spec["legal_hold"],
        note=spec["note"],
    )


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month (``day`` is a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# ------------------------------------------------------------------ partitions


@dataclass(frozen=True)
class Partition:
    name: str
    #: First day of the month it holds (UTC); None for the DEFAULT partition.
    month: date | None
    rows: int
    #: ``rows`` is PostgreSQL's estimate (pg_class.reltuples), not a count.
    estimated: bool
    #: The first day it is past retention (None for DEFAULT: its rows have no common month).
    expires_on: date | None

    @property
    def is_default(self) -> bool:
        return self.month is None

    def is_expired(self, today: date) -> bool:
        return self.expires_on is not None and today >= self.expires_on


#: Creating a partition locks the log's parent table: never wait longer than this for it,
#: or every request that appends to the log would queue behind the wait.
LOCK_TIMEOUT = "2s"


def ensure_partitions(months_ahead: int = 3, *, lock_timeout: str = LOCK_TIMEOUT) -> list[tuple[str, str]]:
    """Create the partitions of the current month (UTC) and the next ``months_ahead``.

    Idempotent; one caller at a time (an advisory lock in the database function). Returns
    (partition, outcome) per month: ``created``, ``present`` or ``blocked`` — rows of that
    month already sit in the DEFAULT partition, and nothing is moved (ADR 0049). Returns
    ``[]`` when the log stayed locked longer than ``lock_timeout`` (a long transaction on
    it): nothing was created, try again later.
    Runs as the application role too: the function is SECURITY DEFINER of the schema owner.
    """
    if not 0 <= months_ahead <= 24:
        raise ValueError("maanden vooruit: 0 tot en met 24")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
            cursor.execute("SELECT partition_name, outcome FROM processing_log_ensure_partitions(%s)", [months_ahead])
            outcome = [(name, status) for name, status in cursor.fetchall()]
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
            return outcome
    except OperationalError as error:
        if not isinstance(error.__cause__, LockNotAvailable):
            raise
        log.warning("logboekpartities niet bijgewerkt: het logboek bleef langer dan %s vergrendeld", lock_timeout)
        return []


def ensure_months(first: date, last: date) -> list[tuple[str, str]]:
    """Create the partitions of every month from ``first`` to ``last`` (UTC), as the schema owner.

    For loading history (``demo --scale national``, a migration import): rows of past months
    then land in their own partitions instead of DEFAULT. Same outcomes and lock as
    :func:`ensure_partitions`; a month whose rows already sit in DEFAULT stays ``blocked``.
    """
    month, last = first.replace(day=1), last.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    result = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended('casustafel.processing_log.partitions', 0))")
        for month in months:
            cursor.execute(
                "SELECT processing_log_partition_name(%s), to_regclass(processing_log_partition_name(%s)) IS NOT NULL",
                [month, month],
            )
            name, present = cursor.fetchone()
            if present:
                result.append((name, "present"))
                continue
            cursor.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{DEFAULT_PARTITION}" WHERE "timestamp" >= %s AND "timestamp" < %s)',
                [_utc_midnight(month), _utc_midnight(add_months(month, 1))],
            )
            if cursor.fetchone()[0]:
                result.append((name, "blocked"))
                continue
            cursor.execute("SELECT processing_log_create_month_partition(%s)", [month])
            result.append((name, "created"))
    return result


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def partitions(*, exact: bool = False, profile: LogRetentionProfile | None = None) -> list[Partition]:
    """Every partition of the log, oldest month first, DEFAULT last.

    Row counts are PostgreSQL's estimates unless ``exact`` (a count per partition; slow on
    a national log) or the partition was never analysed; DEFAULT is always counted.
    """
    profile = profile or load_profile()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.reltuples FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        found = cursor.fetchall()
        result = []
        for name, estimate in found:
            match = _MONTH.match(name)
            month = date(int(match[1]), int(match[2]), 1) if match else None
            estimated = not exact and month is not None and estimate >= 0
            if estimated:
                rows = int(estimate)
            else:
                cursor.execute(f'SELECT count(*) FROM "{name}"')  # a name from the catalogue
                rows = cursor.fetchone()[0]
            result.append(
                Partition(
                    name=name,
                    month=month,
                    rows=rows,
                    estimated=estimated,
                    expires_on=profile.expires_on(month) if month else None,
                )
            )
    return sorted(result, key=lambda p: (p.month is None, p.month or date.min))


def default_months() -> list[date]:
    """The months (UTC) of the rows that sit in the DEFAULT partition, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', \"timestamp\" AT TIME ZONE 'UTC')::date "
            f'FROM "{DEFAULT_PARTITION}" ORDER BY 1'
        )
        return [row[0] for row in cursor.fetchall()]


def today() -> date:
    return timezone.now().date()


# ------------------------------------------------------------------ the worker's daily call

_last_ensured: date | None = None


def ensure_partitions_daily(months_ahead: int = 3) -> list[tuple[str, str]] | None:
    """For the worker loop: :func:`ensure_partitions` on the first round of each day (UTC).

    Returns its outcome, or None when it already ran today. A month ``blocked`` by rows in
    the DEFAULT partition is logged as a warning, every day until the operator acts.
    """
    global _last_ensured
    day = today()
    if _last_ensured == day:
        return None
    outcome = ensure_partitions(months_ahead)
    if not outcome:
        return outcome  # the log was locked: try again on the next round
    _last_ensured = day
    for name, status in outcome:
        if status == "blocked":
            log.warning("logboekpartitie %s niet aangemaakt: rijen van die maand staan in %s", name, DEFAULT_PARTITION)
        elif status == "created":
            log.info("logboekpartitie %s aangemaakt", name)
    return outcome


# ------------------------------------------------------------------ casustafel log partitions

OUTCOMES = {"created": "aangemaakt", "present": "bestond al", "blocked": "NIET aangemaakt: rijen staan in DEFAULT"}


def describe_profile(profile: LogRetentionProfile) -> list[str]:
    lines = [
        f"Bewaarprofiel logboek, versie {profile.version} (geldig vanaf {profile.valid_from}, {profile.article}): "
        f"{profile.period_months} maanden na het einde van de maand"
        + (" — nog te bevestigen" if profile.to_be_confirmed else ""),
        f"  grondslag: {profile.legal_ground}",
        f"  standaard: {profile.default_reasoning}",
        f"  juridische blokkade: {profile.legal_hold}",
    ]
    lines += [f"  te bevestigen ({point['article']}): {point['text']}" for point in profile.pending_amvb]
    return lines


def run_command(args) -> int:
    """``casustafel log partitions [--ensure] [--exact]``: exit 1 when a month is blocked."""
    status = 0
    if args.ensure:
        outcomes = ensure_partitions(args.months_ahead)
        if not outcomes:
            print("Het logboek bleef vergrendeld: geen partities gemaakt, probeer het later opnieuw.")
            status = 1
        for name, outcome in outcomes:
            print(f"{name}: {OUTCOMES[outcome]}")
            status = status or int(outcome == "blocked")
    profile = load_profile()
    for line in describe_profile(profile):
        print(line)
    day = today()
    print()
    print(f"{'partitie':<48} {'maand':<8} {'rijen':>12}  {'verloopt op':<11}  status")
    for part in partitions(exact=args.exact, profile=profile):
        rows = f"{'≈' if part.estimated else ''}{part.rows}"
        if part.is_default:
            state = "standaard (rijen buiten de voorbereide maanden)" if part.rows else "standaard, leeg"
            print(f"{part.name:<48} {'-':<8} {rows:>12}  {'-':<11}  {state}")
            continue
        assert part.month is not None and part.expires_on is not None
        state = "bewaartermijn verstreken" if part.is_expired(day) else "binnen de bewaartermijn"
        print(f"{part.name:<48} {part.month:%Y-%m}  {rows:>12}  {part.expires_on}  {state}")
    months = default_months()
    if months:
        listed = ", ".join(f"{m:%Y-%m}" for m in months[:12]) + (" …" if len(months) > 12 else "")
        print(
            f"\nLet op: DEFAULT bevat rijen uit {len(months)} maand(en): {listed}. Niets wordt verplaatst (ADR 0049)."
        )
    return status
