"""Rendering published figures: CSV, server-side SVG charts (Matplotlib), tagged PDF (WeasyPrint).

Everything here draws only from :class:`~casustafel.reporting.suppression.Published` cells: a
suppressed cell is written as "< 5" or "×" and never drawn as a bar or point (Wet PGA art. 18:
the report is published on the internet; AVG art. 5 lid 1 c).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Sequence
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from django.utils.safestring import mark_safe

from casustafel.reporting.cube import Table
from casustafel.reporting.periods import Quarter
from casustafel.reporting.suppression import TOTAL, Published

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class _SvgStyleNoise(logging.Filter):
    """WeasyPrint reads the presentation attributes of inline SVG charts as CSS and warns about
    every ``fill``/``stroke`` ("Ignored ... unknown property"); the chart is drawn regardless."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.getMessage().startswith("Ignored `") and "unknown property" in record.getMessage())


logging.getLogger("weasyprint").addFilter(_SvgStyleNoise())

#: The NL Design System-like palette of the charts (sufficient contrast on white).
COLOURS = ("#154273", "#8fcae7", "#01689b", "#e17000", "#39870c", "#42145f", "#a90061", "#673327")


def table_csv(sections: Sequence[tuple[str, Table]]) -> str:
    """One CSV document of titled tables (suppressed cells as "< 5" / "×")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for number, (title, table) in enumerate(sections):
        if number:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow([table.row_header, *table.columns])
        for label, cells in table.rows:
            writer.writerow([label, *[cell.display for cell in cells]])
    return out.getvalue()


#: The family of the charts' text and of the report's CSS (report.css): text stays text in the
#: SVG (``svg.fonttype`` "none"), so the browser and WeasyPrint draw it with this installed font.
FONT_FAMILY = "DejaVu Sans"
#: Matplotlib settings of every chart, applied once per process (only this module draws).
RC_PARAMS = {
    "svg.fonttype": "none",  # text as <text>: smaller, selectable, read by assistive technology
    "svg.hashsalt": "casustafel",  # deterministic ids: the same figures give the same markup
    "font.family": FONT_FAMILY,
    "font.size": 10,
}
_INCH = 72.0  # points


@cache
def _matplotlib() -> Any:
    """Matplotlib, loaded only when a chart is drawn, with :data:`RC_PARAMS` applied once."""
    import matplotlib  # noqa: PLC0415 - Matplotlib loads only for a chart

    matplotlib.rcParams.update(RC_PARAMS)
    return matplotlib


def _text_width(text: str, size: float) -> float:
    """The width in points of ``text`` in :data:`FONT_FAMILY` at ``size`` (no drawing pass)."""
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415
    from matplotlib.textpath import text_to_path  # noqa: PLC0415

    return text_to_path.get_text_width_height_descent(text, FontProperties(family=FONT_FAMILY, size=size), False)[0]


def _figure(
    width: float, height: float, *, left: float, bottom: float, top: float = 0.4, right: float = 0.25
) -> Figure:
    """A Matplotlib figure of its own (no pyplot state, no GUI backend) with fixed margins in
    inches: saved without ``bbox_inches="tight"``, which draws every chart twice."""
    _matplotlib()
    from matplotlib.figure import Figure  # noqa: PLC0415 - Matplotlib loads only for a chart

    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)
    return figure


def _presentation_attributes(match: re.Match[str]) -> str:
    """``style="fill: #fff; font-size: 8px"`` → ``fill="#fff" font-size="8px"``: SVG presentation
    attributes render under the application's CSP (no inline style) and in WeasyPrint alike."""
    pairs = [item.split(":", 1) for item in match.group(1).split(";") if ":" in item]
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in pairs)


def _svg(figure: Figure, *, title: str, description: str) -> str:
    """The SVG markup of ``figure`` with an accessible name (<title>) and description (<desc>);
    no <style> element and no style attribute (the page's CSP allows neither)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Title": title})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE: the markup is embedded
    svg = re.sub(r"\s*<style\b[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    svg = re.sub(r'style="([^"]*)"', _presentation_attributes, svg)
    svg = re.sub(
        r"<svg\b",
        '<svg role="img" aria-labelledby="chart-title chart-desc" stroke-linejoin="round" stroke-linecap="butt"',
        svg,
        count=1,
    )
    head_end = svg.index(">") + 1
    accessible = f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(description)}</desc>'
    return svg[:head_end] + accessible + svg[head_end:]


def _describe(labels: Sequence[str], cells: Sequence[Published]) -> str:
    return "; ".join(f"{label}: {cell.display}" for label, cell in zip(labels, cells, strict=True))


def bar_chart_svg(table: Table, *, title: str) -> str:
    """Bars of the table's rows (TOTAL row and column left out), one series per column; only
    shown values are drawn, a suppressed bar is absent and labelled "< 5" / "×"."""
    rows = [
        (label, cells)
        for (label, cells), code in zip(table.rows, table.row_codes or [""] * len(table.rows), strict=True)
        if code != TOTAL
    ]
    column_indices = [i for i, code in enumerate(table.column_codes or [""] * len(table.columns)) if code != TOTAL]
    if not column_indices:
        column_indices = [len(table.columns) - 1]
    longest = max([_text_width(label, 10) for label, _cells in rows] + [0])
    figure = _figure(
        7.5, 0.45 * max(len(rows), 2) * max(1, len(column_indices) ** 0.5) + 1.2, left=longest / _INCH + 0.2, bottom=0.4
    )
    axes = figure.subplots()
    height = 0.8 / len(column_indices)
    peak = max([cell.value or 0 for _label, cells in rows for cell in cells if cell.shown] + [1])
    for series, column in enumerate(column_indices):
        positions = [i + series * height for i in range(len(rows))]
        shown = [
            (position, cells[column].value)
            for position, (_l, cells) in zip(positions, rows, strict=True)
            if cells[column].shown
        ]
        axes.barh(
            [position for position, _value in shown],
            [value for _position, value in shown],
            height=height,
            color=COLOURS[series % len(COLOURS)],
            label=table.columns[column],
        )
        for position, (_label, cells) in zip(positions, rows, strict=True):
            cell = cells[column]  # a suppressed cell is no bar, only its mark at the axis
            axes.text((cell.value or 0) + peak * 0.01, position, cell.display, va="center", fontsize=8)
    axes.set_yticks([i + height * (len(column_indices) - 1) / 2 for i in range(len(rows))])
    axes.set_yticklabels([label for label, _cells in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, peak * 1.15)
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    if len(column_indices) > 1:
        axes.legend(fontsize=8, frameon=False)
    description = "; ".join(
        f"{table.columns[column]} — " + _describe([label for label, _c in rows], [cells[column] for _l, cells in rows])
        for column in column_indices
    )
    return _svg(figure, title=title, description=description)


def line_chart_svg(series: Sequence[tuple[str, Sequence[tuple[Quarter, Published]]]], *, title: str) -> str:
    """Lines over quarters, one per (name, [(quarter, cell)]); a suppressed point is a gap,
    marked "< 5" / "×" on the axis."""
    quarters = [quarter.label for quarter, _cell in series[0][1]] if series else []
    rotated = len(quarters) > 6
    # The quarter labels under the axis: rotated 45° when there are many (their height is then
    # about 0.7 of their width).
    tick_height = max([_text_width(label, 8) * 0.72 for label in quarters] + [0]) / _INCH if rotated else 0.15
    figure = _figure(7.5, 3.6, left=0.5, bottom=tick_height + 0.3)
    axes = figure.subplots()
    descriptions = []
    labels: list[str] = []
    for number, (name, points) in enumerate(series):
        labels = [quarter.label for quarter, _cell in points]
        values = [cell.value if cell.shown else math.nan for _quarter, cell in points]
        colour = COLOURS[number % len(COLOURS)]
        axes.plot(range(len(points)), values, marker="o", color=colour, label=name)
        for x, (_quarter, cell) in enumerate(points):
            if not cell.shown:
                axes.annotate(
                    cell.display,
                    (x, 0),
                    xytext=(0, 4 + 10 * number),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                    color=colour,
                )
        descriptions.append(f"{name} — " + _describe(labels, [cell for _q, cell in points]))
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=45 if rotated else 0, fontsize=8, ha="right" if rotated else "center")
    axes.set_ylim(bottom=0)
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(fontsize=8, frameon=False)
    return _svg(figure, title=title, description="; ".join(descriptions))


def pdf_from_html(html: str, *, base_url: str | None = None) -> bytes:
    """A tagged, accessible PDF (PDF/UA-1) of a standalone HTML document: its language from
    ``<html lang>``, its title from ``<title>``."""
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint (and Pango) load only for a PDF

    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")


def svg_markup(svg: str) -> Any:
    """Chart markup safe to embed in a template (generated here, never user input)."""
    return mark_safe(svg)  # produced by Matplotlib from numbers and escaped labels
