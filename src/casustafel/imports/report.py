"""The import report: one line per problem and per imported item (docs/import-format.md).

It names rows by number and external id only — never a name, date of birth, BSN or any
other value from the file — so it can be passed around while a region cleans its export.
"""

from __future__ import annotations

import csv
import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .services import ImportResult

HEADER = ("rij", "extern_kenmerk", "kolom", "uitkomst", "toelichting")


def report_csv(result: ImportResult) -> str:
    """Semicolon-separated (as Dutch spreadsheets expect), UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    for problem in result.problems:
        writer.writerow((problem.row or "", _neutral(problem.external_id), problem.column, _("fout"), problem.reason))
    for item in result.imported:
        if item.existing:
            outcome = _("al geïmporteerd")
        elif result.committed:
            outcome = _("geïmporteerd")
        else:
            outcome = (
                _("zou worden geïmporteerd") if not result.problems else _("niet geïmporteerd (bestand afgekeurd)")
            )
        until = (
            _("kenmerk %(reference)s; vernietigen uiterlijk %(date)s (bewaarschema versie %(version)s)")
            % {
                "reference": item.reference,
                "date": date_format(item.destruction_date, "d-m-Y"),
                "version": item.schedule_version,
            }
            if item.destruction_date
            else _("kenmerk %(reference)s; casus loopt nog, bewaartermijn begint bij afsluiting")
            % {"reference": item.reference}
        )
        writer.writerow((item.row, _neutral(item.external_id), "", outcome, until))
    return out.getvalue()


def _neutral(value: str) -> str:
    """A spreadsheet must not read an external id as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def summary(result: ImportResult) -> str:
    rows = _("%(rows)s rijen gelezen") % {"rows": result.rows}
    if result.encoding:
        rows += f" ({result.encoding})"
    parts = [rows]
    if result.committed:
        parts.append(_("%(n)s geïmporteerd") % {"n": len(result.created)})
    elif result.dry_run and not result.problems:
        parts.append(_("%(n)s zouden worden geïmporteerd") % {"n": len(result.created)})
    parts.append(_("%(n)s al eerder geïmporteerd") % {"n": len(result.skipped)})
    parts.append(_("%(n)s fouten") % {"n": len(result.problems)})
    text = ", ".join(parts) + "."
    if result.problems:
        text += " " + _("Er is niets geïmporteerd: los de fouten in het verslag op en importeer het bestand opnieuw.")
    elif result.dry_run:
        text += " " + _("Proefimport: er is niets vastgelegd.")
    return text
