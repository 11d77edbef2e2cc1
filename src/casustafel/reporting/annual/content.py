"""The content of an annual report (Wet PGA art. 18) as its reader sees it: a plain dict of
displayed strings — the same structure for a draft (computed from the data) and for the frozen
snapshot of a published report, so the page, the publication-ready HTML, the PDF and the CSV are
rendered by one path from one structure.

Figures come from the reporting core: per table and calendar year the protected cube
(``reporting.cube.figures``), for a joint report the tables' figures combined
(``reporting.cube.combine``: a sum only where every component is shown). A left-out part (art. 18
lid 1) is not computed at all: only its reason is in the content.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import rls
from casustafel.accounts.models import Region
from casustafel.reporting import cube
from casustafel.reporting.facts import get as get_fact
from casustafel.reporting.models import REDACTION_GROUND
from casustafel.reporting.periods import Period
from casustafel.reporting.scope import Scope

from .sections import SECTIONS

if TYPE_CHECKING:
    from casustafel.reporting.models import AnnualReport

#: The version of the content structure kept in a published snapshot.
CONTENT_FORMAT = 1


def report_title(year: int, region_names: list[str]) -> str:
    if len(region_names) > 1:
        return _("Gezamenlijk jaarverslag %(year)s van de casusoverleggen %(names)s") % {
            "year": year,
            "names": ", ".join(region_names),
        }
    return _("Jaarverslag %(year)s van het casusoverleg %(name)s") % {
        "year": year,
        "name": region_names[0] if region_names else "",
    }


def _redaction(redaction) -> dict[str, str]:
    return {"reason": redaction.reason, "ground": REDACTION_GROUND}


def _table(figures_list: list, row_dim: int, col_dim: int | None, caption: str) -> dict[str, Any]:
    figures = figures_list[0] if len(figures_list) == 1 else cube.combine(figures_list)
    table = figures.table(row_dim=row_dim, col_dim=col_dim, caption=caption)
    grid = [[cell.display for cell in cells] for _label, cells in table.rows]
    # A row or column of zeros only (e.g. a kind of organisation that contributed nothing) is left
    # out of the display: zeros reveal nothing and would bury what counts; the totals always stay.
    last_row, last_column = len(grid) - 1, len(table.columns) - 1
    rows = [i for i, values in enumerate(grid) if i == last_row or any(v != "0" for v in values)]
    columns = [
        j for j in range(len(table.columns)) if j == last_column or any(grid[i][j] != "0" for i in range(last_row))
    ]
    return {
        "row_header": str(table.row_header),
        "columns": [str(table.columns[j]) for j in columns],
        "rows": [[str(table.rows[i][0]), [grid[i][j] for j in columns]] for i in rows],
    }


def build_content(report: AnnualReport) -> dict[str, Any]:
    """The report as published now: the tables of the joined tables, left-out parts as their reason."""
    return compose(
        year=report.year,
        regions=list(Region.objects.filter(pk__in=report.joined_region_ids).order_by("name")),
        redactions={r.target: r for r in report.redactions.all()},
    )


def compose(*, year: int, regions: list[Region], redactions: dict[str, Any]) -> dict[str, Any]:
    """The content of a report of ``regions`` over calendar ``year``; ``redactions`` maps a section's
    or table's target to what has a ``reason`` (a :class:`Redaction`)."""
    period = Period.year(year)
    sections = []
    with rls.regions(*[r.pk for r in regions]), cube.report_context():
        for section in SECTIONS:
            entry: dict[str, Any] = {
                "code": section.code,
                "title": str(section.title),
                "articles": str(section.articles),
                "intro": str(section.intro),
                "redaction": _redaction(redactions[section.target]) if section.target in redactions else None,
                "tables": [],
            }
            if entry["redaction"] is None:
                for spec in section.tables:
                    fact = get_fact(spec.fact)
                    table: dict[str, Any] = {"fact": spec.fact, "title": str(fact.label)}
                    if spec.target in redactions:
                        table["redaction"] = _redaction(redactions[spec.target])
                    else:
                        table["redaction"] = None
                        per_region = [cube.figures(fact, Scope.region(region), period) for region in regions]
                        table.update(_table(per_region, spec.row_dim, spec.col_dim, table["title"]))
                    entry["tables"].append(table)
            sections.append(entry)
    names = [r.name for r in regions]
    return {
        "format": CONTENT_FORMAT,
        "year": year,
        "title": report_title(year, names),
        "regions": names,
        "joint": len(names) > 1,
        "period": str(period.label),
        "generated_on": timezone.localdate().isoformat(),
        "sections": sections,
    }


def document_html(content: dict[str, Any]) -> str:
    """The standalone, publication-ready page (no application frame; art. 18 lid 2): also the PDF's source."""
    return render_to_string("reporting/annual/annual_document.html", {"content": content})


def content_csv(content: dict[str, Any]) -> str:
    """The figures as CSV (one line per cell, as displayed: "< 5" and "×" stay), with a line per
    left-out part naming art. 18 lid 1 and its reason."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("hoofdstuk"), _("tabel"), _("rij"), _("kolom"), _("waarde")])
    left_out = _("weggelaten op grond van %(ground)s Wet PGA: %(reason)s")
    for section in content["sections"]:
        if section["redaction"]:
            writer.writerow([section["title"], "", "", "", left_out % section["redaction"]])
            continue
        for table in section["tables"]:
            if table["redaction"]:
                writer.writerow([section["title"], table["title"], "", "", left_out % table["redaction"]])
                continue
            columns = table["columns"] or [_("aantal")]
            for label, cells in table["rows"]:
                for column, value in zip(columns, cells, strict=False):
                    writer.writerow([section["title"], table["title"], label, column, value])
    return out.getvalue()
