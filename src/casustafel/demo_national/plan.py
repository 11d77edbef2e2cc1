"""Deterministic shape of the national data set: counts, names, times and identifiers.

Everything random comes from ``random.Random`` seeded with the run's seed and a domain name
(``Stream``), so one domain's choices never shift another's and the same seed on the same
day gives the same references, counts and ids. Nothing here touches the database.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from casustafel.demo import GIVEN as DEMO_GIVEN

DEFAULT_SEED = 2026
#: The regions' codes start with this prefix: how a run recognises national data already there.
REGION_PREFIX = "nat-"
YEARS = 10

#: Full-scale counts (issue 15 item 2); ``--fraction`` scales the per-region volumes.
REGIONS = 25
GEMEENTEN = 340
SIGNALS = 60_000
LOG_ENTRIES = 20_000_000

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # core.references: no 0/O, 1/I

_REGION_NAMES = (
    "Aalsterland",
    "Beekdal",
    "Brakenveld",
    "Dijkmeer",
    "Duinrand",
    "Eemgouw",
    "Hoeksterwaard",
    "Kempenzoom",
    "Kleigronden",
    "Lingeland",
    "Maasdelta",
    "Meerstreek",
    "Noorderkust",
    "Oostergo",
    "Peelrand",
    "Rivierenhoek",
    "Schelderand",
    "Stroomdal",
    "Twentezoom",
    "Veenkoloniën",
    "Veluwezoom",
    "Waddenrand",
    "Westerhaven",
    "Zandplaten",
    "Zuiderlaan",
)
_PREFIXES = (
    "Aal",
    "Beek",
    "Bram",
    "Dal",
    "Eik",
    "Gor",
    "Hol",
    "Kor",
    "Lin",
    "Mer",
    "Nieu",
    "Oost",
    "Ros",
    "Schar",
    "Ter",
    "Ulf",
    "Var",
    "Wes",
    "Zand",
    "Hoog",
    "Laag",
    "Berg",
    "Wold",
    "Broek",
)
_SUFFIXES = (
    "dam",
    "dorp",
    "veen",
    "horst",
    "wijk",
    "haven",
    "loo",
    "meer",
    "burg",
    "rode",
    "sum",
    "zijl",
    "kerk",
    "ven",
    "woude",
)
#: The regional demo's given names (``casustafel.demo.GIVEN``) and a few more.
GIVEN = (*DEMO_GIVEN, "Finn", "Julia", "Levi", "Zoë")
FAMILY = (
    "de Vries-Testpersoon",
    "Jansen-Fictief",
    "van Dijk-Demo",
    "Bakker-Voorbeeld",
    "Visser-Proef",
    "Smit-Oefen",
    "Meijer-Demo",
    "de Boer-Fictief",
    "Mulder-Test",
    "de Groot-Voorbeeld",
    "Bos-Synthetisch",
    "Vos-Fictief",
    "Peters-Demo",
    "Hendriks-Proef",
)


@dataclass(frozen=True)
class Plan:
    """The counts of one run: the full national set times ``fraction`` (regions and gemeenten
    stay whole down to a minimum, so even a tiny run has every kind of organisation)."""

    seed: int
    fraction: float
    today: date

    @property
    def regions(self) -> int:
        return max(2, min(REGIONS, round(REGIONS * min(1.0, self.fraction * 50))))

    @property
    def gemeenten(self) -> int:
        return max(self.regions * 2, round(GEMEENTEN * self.regions / REGIONS))

    @property
    def signals(self) -> int:
        return max(40, round(SIGNALS * self.fraction))

    @property
    def log_entries(self) -> int:
        return max(2_000, round(LOG_ENTRIES * self.fraction))

    @property
    def start(self) -> datetime:
        """Ten years back from the start of today (UTC): the history's first moment."""
        return datetime.combine(self.today - timedelta(days=round(365.25 * YEARS)), time(0), tzinfo=UTC)

    @property
    def now(self) -> datetime:
        """The history's last moment: the start of today (UTC), so a run is deterministic per day."""
        return datetime.combine(self.today, time(0), tzinfo=UTC)

    def stream(self, domain: str) -> Stream:
        return Stream(f"casustafel-national-{self.seed}-{domain}")


class Stream(random.Random):
    """A seeded random stream with the helpers the writers need."""

    def __init__(self, seed_text: str):
        super().__init__(seed_text)
        self._references: set[str] = set()

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.getrandbits(128), version=4)

    def hex(self, chars: int) -> str:
        return f"{self.getrandbits(chars * 4):0{chars}x}"

    def reference(self, prefix: str, year: int, taken: set[str]) -> str:
        """A reference shaped like ``core.references.new_reference`` (``SIG-2019-7K3Q9X``), unique in ``taken``."""
        while True:
            value = f"{prefix}-{year}-{''.join(self.choice(_ALPHABET) for _ in range(6))}"
            if value not in taken:
                taken.add(value)
                return value

    def ramp(self, start: datetime, end: datetime) -> datetime:
        """A moment in [start, end) with a density rising over time (adoption of the tables)."""
        x = self.random() if self.random() < 0.35 else max(self.random(), self.random())
        return start + (end - start) * x

    def office_time(self, day: date) -> datetime:
        """A moment on ``day`` within office hours (08:00–18:00 local, written in UTC)."""
        seconds = self.randint(7 * 3600, 17 * 3600)
        return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(
            seconds=seconds, microseconds=self.randrange(10**6)
        )

    def after(self, moment: datetime, low_days: float, high_days: float) -> datetime:
        return moment + timedelta(days=self.uniform(low_days, high_days))

    def bsn(self) -> str:
        """A nine-digit number that passes the elfproef (synthetic, like every name here)."""
        while True:
            digits = [self.randint(0, 9) for _ in range(8)]
            total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
            last = total % 11
            if last < 10 and any(digits):
                return "".join(map(str, digits)) + str(last)


def region_names(count: int) -> list[tuple[str, str]]:
    """(code, name) of ``count`` fictional regions."""
    return [
        (f"{REGION_PREFIX}{i + 1:02d}-{_slug(name)}", f"Regio {name} (fictief, landelijke demo)")
        for i, name in enumerate(_REGION_NAMES[:count])
    ]


def gemeente_names(count: int, stream: Stream) -> list[str]:
    """``count`` distinct fictional gemeente names."""
    names = [p + s for p in _PREFIXES for s in _SUFFIXES]
    stream.shuffle(names)
    return [n.capitalize() for n in names[:count]]


def spread(total: int, parts: int) -> list[int]:
    """``total`` split as evenly as possible over ``parts``."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _slug(name: str) -> str:
    return name.lower().replace("ë", "e")
