"""The facts of the recognition-bias monitor and of the per-measure progress (issue 13 items 5
and 7; ADR 0042), registered with ``reporting.facts`` when the app is ready.

**Recognition.** The Inspectie (2024, seed 001) found that signals from newer forms of
extremism and signals about women are recognised less well. The monitor counts every signal
received in a quarter once per grouping — phenomenon, gender, age band at the signal date,
source type — against where it stands: included in the PGA, weighed and not included (referred
or no action), or not yet decided. Four facts over the same units, one per grouping; each
published through the protected cube, and their shared marginals kept consistent by
:func:`casustafel.insight.monitor.align`.

**Measures.** Every intervention started in a quarter, counted once by the catalogue measure
and the kind of organisation carrying it out (one dimension of the pairs the catalogue allows,
so the cube stays small), against its result: running, completed (ended on or after its
planned end) or stopped early (ended before it).

Rows carry codes only — never a name, a date of birth or a free text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import OrganisationKind
from casustafel.plans import loader
from casustafel.plans.models import Intervention
from casustafel.reporting.facts import Dimension, Fact, register
from casustafel.signals import states as signal_states
from casustafel.signals.models import Phenomenon, Signal, SourceType
from casustafel.subjects.models import Gender

SUBJECT_GEMEENTE = "subject__municipality_organisation__municipality_code"
UNKNOWN = "onbekend"

# ---------------------------------------------------------------- recognition

INCLUDED, NOT_INCLUDED, UNDECIDED = "opgenomen", "niet_opgenomen", "nog_geen_besluit"
OUTCOME = Dimension(
    "uitkomst",
    _("Uitkomst van de weging"),
    (
        (INCLUDED, _("Opgenomen in de PGA")),
        (NOT_INCLUDED, _("Gewogen, niet opgenomen")),
        (UNDECIDED, _("Nog geen besluit")),
    ),
)
_OUTCOME_OF_STATE = {
    signal_states.INCLUDED: INCLUDED,
    signal_states.REFERRED: NOT_INCLUDED,
    signal_states.NO_ACTION: NOT_INCLUDED,
}

PHENOMENON = Dimension("fenomeen", _("Fenomeen"), tuple(Phenomenon.choices))
GENDER = Dimension(
    "geslacht",
    _("Geslacht"),
    (
        (Gender.MALE.value, Gender.MALE.label),
        (Gender.FEMALE.value, Gender.FEMALE.label),
        (Gender.OTHER.value, Gender.OTHER.label),
        (UNKNOWN, _("Onbekend")),
    ),
)
#: Age bands at the signal date: (code, label, first age, last age or None).
AGE_BANDS = (
    ("tot_18", _("jonger dan 18"), 0, 17),
    ("18_22", _("18–22 jaar"), 18, 22),
    ("23_29", _("23–29 jaar"), 23, 29),
    ("30_44", _("30–44 jaar"), 30, 44),
    ("45_plus", _("45 jaar en ouder"), 45, None),
)
AGE = Dimension(
    "leeftijd",
    _("Leeftijd op de signaaldatum"),
    (*[(code, label) for code, label, _first, _last in AGE_BANDS], (UNKNOWN, _("Onbekend"))),
)
SOURCE = Dimension("soort_bron", _("Soort bron"), tuple(SourceType.choices))


def age_band(born: date | None, on: date) -> str:
    """The age band of a person born on ``born`` on the day ``on`` (``onbekend`` without a date)."""
    if born is None or born > on:
        return UNKNOWN
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for code, _label, first, last in AGE_BANDS:
        if age >= first and (last is None or age <= last):
            return code
    return UNKNOWN


def _gender(value: str) -> str:
    return value if value in (Gender.MALE, Gender.FEMALE, Gender.OTHER) else UNKNOWN


#: Within :func:`shared_rows`, the signal rows of a (region, start, end) read once for the four
#: groupings (the facts count the same signals).
_shared: ContextVar[dict | None] = ContextVar("insight_signal_rows", default=None)


@contextmanager
def shared_rows() -> Iterator[None]:
    """Read each region's signals once for all recognition facts computed inside the block."""
    token = _shared.set({}) if _shared.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _shared.reset(token)


def _signals(region, start: date, end: date) -> list[tuple]:
    """The signals received by the region's table in [start, end]: one query, codes and dates
    only — (gemeente, day, status, phenomenon, source type, gender, date of birth)."""
    cache = _shared.get()
    key = (region.pk, start, end)
    if cache is not None and key in cache:
        return cache[key]
    signals = Signal.objects.filter(region=region, registered_at__date__gte=start, registered_at__date__lte=end)
    fields = (SUBJECT_GEMEENTE, "registered_at", "status", "phenomenon", "source_type", "subject__gender")
    rows = [
        (gemeente, timezone.localdate(registered_at), status, phenomenon, source_type, gender, born)
        for gemeente, registered_at, status, phenomenon, source_type, gender, born in signals.values_list(
            *fields, "subject__date_of_birth"
        )
    ]
    if cache is not None:
        cache[key] = rows
    return rows


def _recognition_rows(group: str):
    def rows(region, start: date, end: date) -> Iterator[tuple]:
        for gemeente, day, status, phenomenon, source_type, gender, born in _signals(region, start, end):
            code = {
                "fenomeen": phenomenon,
                "geslacht": _gender(gender),
                "leeftijd": age_band(born, day),
                "soort_bron": source_type,
            }[group]
            yield gemeente, day, code, _OUTCOME_OF_STATE.get(status, UNDECIDED)

    rows.__name__ = f"recognition_rows_{group}"
    return rows


#: The recognition facts, one per grouping (dimension 0), against the outcome (dimension 1).
RECOGNITION = {
    dimension.code: register(
        Fact(
            name=f"insight_recognition_{dimension.code}",
            label=_("Signalen naar %(grouping)s en uitkomst") % {"grouping": dimension.label},
            dims=(dimension, OUTCOME),
            rows=_recognition_rows(dimension.code),
            description=_(
                "Signalen die in de periode binnenkwamen, eenmaal geteld, naar waar ze nu staan: opgenomen in "
                "de PGA, gewogen en niet opgenomen (doorverwezen of geen actie), of nog zonder besluit."
            ),
        )
    )
    for dimension in (PHENOMENON, GENDER, AGE, SOURCE)
}

# ---------------------------------------------------------------- measures

RUNNING, COMPLETED, STOPPED = "lopend", "afgerond", "voortijdig_beeindigd"
RESULT = Dimension(
    "resultaat",
    _("Resultaat"),
    (
        (RUNNING, _("Loopt nog")),
        (COMPLETED, _("Afgerond (op of na de geplande einddatum)")),
        (STOPPED, _("Voortijdig beëindigd")),
    ),
)
#: Interventions of a measure (or kind) outside the catalogue files shipped with the application.
OTHER = "overig"
SEPARATOR = "@"


def _catalogue_pairs() -> list[tuple[str, str, str]]:
    """(measure code, measure name, organisation kind) for every pair the shipped catalogue
    versions allow, first version first (versioned data, read without the database)."""
    pairs: dict[tuple[str, str], str] = {}
    for path in sorted(loader.DATA_DIR.glob("catalogue_v*.json")):
        for entry in loader.read_spec(path)["entries"]:
            for kind in entry["organisation_kinds"]:
                pairs.setdefault((entry["code"], kind), entry["name"])
    return [(code, name, kind) for (code, kind), name in pairs.items()]


PAIRS = _catalogue_pairs()
MEASURE_BY_ORGANISATION = Dimension(
    "maatregel_organisatie",
    _("Maatregel en soort uitvoerende organisatie"),
    (
        *[
            (f"{code}{SEPARATOR}{kind}", f"{name} — {OrganisationKind(kind).label}")
            for code, name, kind in PAIRS
            if kind in OrganisationKind.values
        ],
        (OTHER, _("Overige maatregelen")),
    ),
)
_PAIR_CODES = frozenset(MEASURE_BY_ORGANISATION.codes)


def result_of(ended_on: date | None, planned_end: date) -> str:
    if ended_on is None:
        return RUNNING
    return COMPLETED if ended_on >= planned_end else STOPPED


def _measure_rows(region, start: date, end: date) -> Iterator[tuple]:
    """Interventions started in [start, end] in the region's cases: one query."""
    interventions = Intervention.objects.filter(
        plan__case__region=region, starts_on__gte=start, starts_on__lte=end
    ).values_list(
        "plan__case__subject__municipality_organisation__municipality_code", "starts_on", "entry__code",
        "organisation__kind", "ended_on", "planned_end",
    )  # fmt: skip
    for gemeente, starts_on, code, kind, ended_on, planned_end in interventions:
        pair = f"{code}{SEPARATOR}{kind}"
        yield gemeente, starts_on, pair if pair in _PAIR_CODES else OTHER, result_of(ended_on, planned_end)


MEASURES = register(
    Fact(
        name="insight_measures",
        label=_("Interventies naar maatregel, uitvoerende organisatie en resultaat"),
        dims=(MEASURE_BY_ORGANISATION, RESULT),
        rows=_measure_rows,
        description=_(
            "Interventies die in de periode begonnen, eenmaal geteld, naar de maatregel uit de catalogus en de "
            "soort organisatie die haar uitvoert, en naar het resultaat nu."
        ),
    )
)
