"""The import file: reading CSV and JSON, and checking each row (docs/import-format.md, ADR 0046).

Nothing here touches the database: a row becomes a :class:`Row` (clean values) or a list of
:class:`Problem` (row number, external id, column, Dutch reason — never a value from the
file, so the report holds no personal data beyond the row number and the external id).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.cases.models import ClosureReason
from casustafel.governance.models import DataCategory
from casustafel.signals.models import Phenomenon, SourceType
from casustafel.subjects.models import Gender
from casustafel.subjects.validators import EARLIEST_BIRTH_DATE, validate_bsn

#: Columns every file must have (a JSON item may leave an optional key out).
REQUIRED_COLUMNS = (
    "extern_kenmerk",
    "soort",
    "status",
    "ontvangen_op",
    "soort_bron",
    "fenomeen",
    "voornamen",
    "achternaam",
    "geboortedatum",
    "geslacht",
    "gemeente",
)
OPTIONAL_COLUMNS = (
    "geopend_op",
    "afgesloten_op",
    "reden_afsluiting",
    "omschrijving",
    "bsn",
    "categorieen",
    "grondslag",
    "casusregisseur",
    "organisatie",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

SIGNAL, CASE = "signaal", "casus"
#: Status in the file → the signal's state (signals.states) or the case's (cases.states).
SIGNAL_STATUSES = {"ontvangen": "received", "doorverwezen": "referred", "geen_actie": "no_action"}
CASE_STATUSES = {"actief": "active", "afgeschaald": "scaled_down", "afgesloten": "closed"}
#: Statuses that end the record: they need ``afgesloten_op``.
FINAL_STATUSES = {"doorverwezen", "geen_actie", "afgesloten"}

#: Art. 4 letters a–h → the category code (``DataCategory``).
CATEGORY_LETTERS = dict(zip("abcdefgh", DataCategory.values, strict=True))

MAX_FIELD = 10000
NAME_MAX = 200

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the file, row 0) cannot be imported."""

    row: int
    external_id: str
    column: str
    reason: str


@dataclass
class Row:
    number: int
    external_id: str
    kind: str
    status: str
    received_on: date
    opened_on: date | None
    closed_on: date | None
    closure_reason: str
    source_type: str
    phenomenon: str
    facts: str
    given_names: str
    family_name: str
    date_of_birth: date
    bsn: str
    gender: str
    municipality: str
    categories: list[str] = field(default_factory=list)
    legal_basis: str = ""
    case_director: str = ""
    organisation: str = ""


@dataclass
class ParsedFile:
    encoding: str = ""
    rows: list[tuple[int, dict]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------- reading


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in.

    A strict order rather than a guess (ADR 0046): UTF-8 with BOM, UTF-8, then Windows-1252
    (what Excel writes on Dutch Windows; a superset of Latin-1's printable characters), then
    Latin-1 for the five bytes cp1252 leaves undefined. UTF-8 is tried strictly, so a Latin-1
    file is never read as UTF-8 with replacement characters, and a UTF-8 file is never
    misread as cp1252 (valid UTF-8 with multi-byte sequences is vanishingly rare in cp1252 text).
    Raises ``ValueError`` for text in another encoding (UTF-16, binary).
    """
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM) :].decode("utf-8"), "UTF-8 met BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ValueError("utf-16")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _file_problem(reason: str) -> Problem:
    return Problem(0, "", "", reason)


def read_file(data: bytes, *, name: str = "") -> ParsedFile:
    """Rows (numbered as the user sees them: CSV line number, JSON item number) or file problems."""
    if not data.strip(UTF8_BOM + b" \r\n\t"):
        return ParsedFile(problems=[_file_problem(_("Het bestand is leeg."))])
    if name.lower().endswith(".json") or data.lstrip(UTF8_BOM + b" \r\n\t")[:1] in (b"[", b"{"):
        return _read_json(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> ParsedFile:
    try:
        text, encoding = decode(data)
    except (ValueError, UnicodeDecodeError):
        return ParsedFile(
            problems=[
                _file_problem(
                    _(
                        "Het bestand is geen tekst in UTF-8 of Latin-1/Windows-1252 (bijvoorbeeld UTF-16); "
                        "sla het op als UTF-8."
                    )
                )
            ]
        )
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, restval=None)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    parsed = ParsedFile(encoding=encoding)
    parsed.problems.extend(_column_problems(header))
    if parsed.problems:
        return parsed
    try:
        for record in reader:
            line = reader.line_num
            if None in record:
                parsed.problems.append(
                    Problem(
                        line,
                        external_id_of(record.get("extern_kenmerk")),
                        "",
                        _("Deze rij heeft meer velden dan de kopregel."),
                    )
                )
                continue
            if all(v in (None, "") for v in record.values()):
                continue  # an empty line
            if any(v is None for v in record.values()):
                parsed.problems.append(
                    Problem(
                        line,
                        external_id_of(record.get("extern_kenmerk")),
                        "",
                        _("Deze rij heeft minder velden dan de kopregel."),
                    )
                )
                continue
            parsed.rows.append((line, record))
    except csv.Error:
        parsed.problems.append(
            _file_problem(_("Het CSV-bestand is onleesbaar (bijvoorbeeld een aanhalingsteken niet gesloten)."))
        )
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(_file_problem(_("Het bestand heeft een kopregel maar geen rijen.")))
    return parsed


def _read_json(data: bytes) -> ParsedFile:
    parsed = ParsedFile(encoding="UTF-8")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        parsed.problems.append(_file_problem(_("Een JSON-bestand moet in UTF-8 zijn opgeslagen.")))
        return parsed
    except json.JSONDecodeError:
        parsed.problems.append(_file_problem(_("Het bestand is geen geldige JSON.")))
        return parsed
    items = document.get("items") if isinstance(document, dict) else document
    if not isinstance(items, list):
        parsed.problems.append(_file_problem(_("Verwacht een lijst ‘items’ met één object per signaal of casus.")))
        return parsed
    if not items:
        parsed.problems.append(_file_problem(_("Het bestand bevat geen items.")))
        return parsed
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            parsed.problems.append(Problem(number, "", "", _("Dit item is geen object.")))
            continue
        keys = {str(k).strip().lower() for k in item}
        missing = [c for c in REQUIRED_COLUMNS if c not in keys]
        if missing:
            for column in missing:
                parsed.problems.append(
                    Problem(
                        number, external_id_of(item.get("extern_kenmerk")), column, _("Dit verplichte veld ontbreekt.")
                    )
                )
            continue
        record = {}
        for key, value in item.items():
            key = str(key).strip().lower()
            if key == "categorieen" and isinstance(value, list):
                value = ",".join(str(v) for v in value)
            record[key] = "" if value is None else str(value)
        parsed.rows.append((number, record))
    return parsed


def _column_problems(header: list[str]) -> list[Problem]:
    problems = [
        _file_problem(_("De kolom ‘%(column)s’ ontbreekt.") % {"column": c})
        for c in REQUIRED_COLUMNS
        if c not in header
    ]
    seen = set()
    for column in header:
        if column in seen:
            problems.append(
                _file_problem(_("De kolom ‘%(column)s’ staat twee keer in de kopregel.") % {"column": column})
            )
        seen.add(column)
    return problems


def external_id_of(value) -> str:
    """The external id as it may appear in the report (never another value of the row)."""
    return str(value or "").strip()[:100]


# ---------------------------------------------------------------- checking a row


def _choices(enum) -> dict[str, str]:
    """Accept the stored code or the Dutch label, case-insensitively."""
    found = {}
    for value, label in enum.choices:
        found[str(value).lower()] = value
        found[str(label).lower()] = value
    return found


def parse_date(value: str) -> date | None:
    """ISO (JJJJ-MM-DD) or Dutch (DD-MM-JJJJ, DD/MM/JJJJ); ``None`` when neither."""
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


_SPLIT = re.compile(r"[\s,|;]+")


def check_row(number: int, record: dict) -> Row | list[Problem]:
    """A clean :class:`Row`, or every problem of the row (all at once, not the first only)."""
    external_id = external_id_of(record.get("extern_kenmerk"))
    problems: list[Problem] = []

    def problem(column: str, reason: str) -> None:
        problems.append(Problem(number, external_id, column, reason))

    def text(column: str, *, required: bool = False, limit: int = NAME_MAX) -> str:
        value = (record.get(column) or "").strip()
        if required and not value:
            problem(column, _("Dit veld is verplicht."))
        elif len(value) > limit:
            problem(column, _("Te lang: ten hoogste %(limit)s tekens.") % {"limit": limit})
        return value

    def a_date(column: str, *, required: bool = False) -> date | None:
        value = (record.get(column) or "").strip()
        if not value:
            if required:
                problem(column, _("Dit veld is verplicht."))
            return None
        parsed = parse_date(value)
        if parsed is None:
            problem(column, _("Geen geldige datum (JJJJ-MM-DD of DD-MM-JJJJ)."))
        elif parsed > timezone.localdate():
            problem(column, _("Deze datum ligt in de toekomst."))
            return None
        return parsed

    def code(column: str, enum, *, required: bool = True) -> str:
        value = (record.get(column) or "").strip()
        if not value:
            if required:
                problem(column, _("Dit veld is verplicht."))
            return ""
        found = _choices(enum).get(value.lower())
        if found is None:
            problem(column, _("Onbekende code; zie docs/import-format.md voor de toegestane codes."))
            return ""
        return found

    if not external_id:
        problem("extern_kenmerk", _("Dit veld is verplicht."))
    elif len(str(record.get("extern_kenmerk")).strip()) > 100:
        problem("extern_kenmerk", _("Te lang: ten hoogste %(limit)s tekens.") % {"limit": 100})
    kind = (record.get("soort") or "").strip().lower()
    if kind not in (SIGNAL, CASE):
        problem("soort", _("Kies ‘signaal’ of ‘casus’."))
    status = (record.get("status") or "").strip().lower()
    statuses = CASE_STATUSES if kind == CASE else SIGNAL_STATUSES
    if kind in (SIGNAL, CASE) and status not in statuses:
        problem(
            "status",
            _("Onbekende status voor een %(kind)s; toegestaan: %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(statuses)},
        )
    received = a_date("ontvangen_op", required=True)
    opened = a_date("geopend_op", required=kind == CASE)
    closed = a_date("afgesloten_op", required=status in FINAL_STATUSES)
    if status and status not in FINAL_STATUSES and (record.get("afgesloten_op") or "").strip():
        problem(
            "afgesloten_op", _("Alleen bij een afgesloten casus of een doorverwezen signaal of signaal zonder actie.")
        )
    if kind == SIGNAL and (record.get("geopend_op") or "").strip():
        problem("geopend_op", _("Alleen bij een casus."))
    closure_reason = code("reden_afsluiting", ClosureReason, required=kind == CASE and status == "afgesloten")
    if closure_reason and not (kind == CASE and status == "afgesloten"):
        problem("reden_afsluiting", _("Alleen bij een afgesloten casus."))
    if received and opened and opened < received:
        problem("geopend_op", _("Een casus kan niet geopend zijn vóór het signaal ontving."))
    start = opened or received
    if start and closed and closed < start:
        problem("afgesloten_op", _("Deze datum ligt vóór de opening of ontvangst."))
    source_type = code("soort_bron", SourceType)
    phenomenon = code("fenomeen", Phenomenon)
    facts = text("omschrijving", limit=MAX_FIELD)
    given_names = text("voornamen", required=True)
    family_name = text("achternaam", required=True)
    date_of_birth = a_date("geboortedatum", required=True)
    if date_of_birth and date_of_birth < EARLIEST_BIRTH_DATE:
        problem("geboortedatum", _("Een geboortedatum vóór 1900 is niet aannemelijk."))
    if date_of_birth and received and date_of_birth > received:
        problem("geboortedatum", _("De geboortedatum ligt na de ontvangst van het signaal."))
    bsn = (record.get("bsn") or "").strip().replace(" ", "").replace(".", "")
    if bsn:
        if bsn.isdigit() and len(bsn) == 8:
            bsn = "0" + bsn  # an export that stored the BSN as a number lost its leading zero
        try:
            validate_bsn(bsn)
        except ValidationError:
            problem("bsn", _("Geen geldig burgerservicenummer (9 cijfers die aan de elfproef voldoen)."))
    gender = code("geslacht", Gender)
    municipality = text("gemeente", required=True, limit=100)
    categories: list[str] = []
    for token in _SPLIT.split((record.get("categorieen") or "").strip().lower()):
        if not token:
            continue
        category = CATEGORY_LETTERS.get(token.rstrip(".")) or (token if token in DataCategory.values else None)
        if category is None:
            problem("categorieen", _("Onbekende categorie; gebruik de letters a–h van art. 4 Wet PGA."))
        elif category not in categories:
            categories.append(category)
    legal_basis = text("grondslag", limit=100)
    case_director = text("casusregisseur", limit=150)
    if case_director and kind == SIGNAL:
        problem("casusregisseur", _("Alleen bij een casus."))
    organisation = text("organisatie")
    if problems:
        return problems
    assert received is not None and date_of_birth is not None
    return Row(
        number=number,
        external_id=external_id,
        kind=kind,
        status=statuses[status],
        received_on=received,
        opened_on=opened,
        closed_on=closed,
        closure_reason=closure_reason,
        source_type=source_type,
        phenomenon=phenomenon,
        facts=facts,
        given_names=given_names,
        family_name=family_name,
        date_of_birth=date_of_birth,
        bsn=bsn,
        gender=gender,
        municipality=municipality,
        categories=categories,
        legal_basis=legal_basis,
        case_director=case_director,
        organisation=organisation,
    )


def data_categories(row: Row) -> list[str]:
    """Art. 4 categories the imported record holds: what it is made of, plus what the file declares."""
    found = [DataCategory.IDENTIFYING]
    if row.bsn:
        found.append(DataCategory.BSN)
    found += [DataCategory.SIGNALS, DataCategory.REGISTERING_PARTICIPANT]
    if row.kind == CASE:
        found.append(DataCategory.PLAN_OF_ACTION)
    return [str(c) for c in DataCategory.values if c in found or c in row.categories]


#: The art. 4 category a signal's content is filed under (its visibility follows it): a
#: declared f, g or h wins over c, the narrowest first.
CONTENT_CATEGORIES = (DataCategory.SOCIAL_RELATIONS, DataCategory.JUDICIAL_DATA, DataCategory.POLICE_DATA)


def content_category(row: Row) -> str:
    for category in CONTENT_CATEGORIES:
        if category in row.categories:
            return str(category)
    return str(DataCategory.SIGNALS)
