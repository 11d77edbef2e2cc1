"""The destruction report of one run as PDF (ReportLab), next to ``services.report_csv``.

Shows what the CSV shows and nothing more: the run, who approved it and when, the
schedule versions applied, one line per record (kind, reference, dates, minor, result),
totals and what was kept. Never a name, BSN, date of birth or free text of a person:
the run's items hold none (references, dates and a pseudonymous id only) and this
module reads nothing else about the person.
"""

from __future__ import annotations

from collections import Counter
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import TO_BE_CONFIRMED_LABEL, DestructionItem, DestructionRun


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _day(value) -> str:
    return date_format(value, "d-m-Y") if value else "—"


def _moment(value) -> str:
    return date_format(timezone.localtime(value), "d-m-Y H:i") if value else "—"


def _table(rows, widths, style) -> Table:
    body = [[_p(cell, style) for cell in row] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def render_report_pdf(run: DestructionRun) -> bytes:
    """The destruction report of ``run`` as a PDF document."""
    styles = getSampleStyleSheet()
    body, title, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    items = list(run.items.select_related("schedule__region").order_by("kind", "reference"))
    report = run.report or {}

    story = [
        _p(_("Vernietigingsverslag %(reference)s") % {"reference": run.reference}, title),
        _p(
            _(
                "Vertrouwelijk. Dit verslag noemt gegevens alleen bij kenmerk en datum; namen, BSN, geboortedata "
                "en vrije tekst van de betrokkenen staan er niet in."
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        _p(_("Vernietigingsronde"), h2),
        _table(
            [
                [_("Gegeven"), _("Waarde")],
                [_("Kenmerk"), run.reference],
                [_("Regio"), f"{run.region.name} ({run.region.code})"],
                [_("Status"), run.get_status_display()],
                [_("Peildatum"), _day(run.run_date)],
                [_("Voorgesteld op"), _moment(run.proposed_at)],
                [_("Goedgekeurd door"), run.approved_by.username if run.approved_by else "—"],
                [_("Goedgekeurd op"), _moment(run.approved_at)],
                [_("Uitgevoerd op"), _moment(run.executed_at)],
            ],
            [55 * mm, 115 * mm],
            body,
        ),
    ]

    schedules = {item.schedule_id: item.schedule for item in items}
    story.append(_p(_("Toegepaste bewaarschema's"), h2))
    if schedules:
        rows = [
            [
                _("Aanleiding"),
                _("Geldt voor"),
                _("Versie"),
                _("Termijn (dagen)"),
                _("Minderjarigen (dagen)"),
                _("Regel"),
                _("Status"),
            ]
        ]
        for s in sorted(schedules.values(), key=lambda s: (s.trigger, s.version)):
            rows.append(
                [
                    s.get_trigger_display(),
                    s.region.name if s.region else _("Landelijk"),
                    f"v{s.version}",
                    s.period_days,
                    s.minor_period_days,
                    s.get_basis_display(),
                    str(TO_BE_CONFIRMED_LABEL) if s.to_be_confirmed else _("Bevestigd"),
                ]
            )
        story.append(_table(rows, [30 * mm, 22 * mm, 12 * mm, 20 * mm, 24 * mm, 34 * mm, 28 * mm], small))
    else:
        story.append(_p(_("Geen (de ronde bevat geen gegevens)."), body))

    story.append(_p(_("Gegevens in deze ronde"), h2))
    if items:
        rows = [
            [
                _("Soort"),
                _("Kenmerk"),
                _("Aanleiding"),
                _("Datum aanleiding"),
                _("Vernietigingsdatum"),
                _("Minderjarig"),
                _("Resultaat"),
            ]
        ]
        for item in items:
            rows.append(
                [
                    item.get_kind_display(),
                    item.reference,
                    item.get_trigger_display(),
                    _day(item.trigger_date),
                    _day(item.destruction_date),
                    _("ja") if item.minor else _("nee"),
                    item.get_result_display(),
                ]
            )
        story.append(_table(rows, [14 * mm, 38 * mm, 26 * mm, 20 * mm, 26 * mm, 18 * mm, 28 * mm], small))
        # Art. 9 Wet PGA: which rule and which version applied to each item (ADR 0020).
        story.append(_p(_("Toegepaste regel per gegeven"), h2))
        rows = [[_("Kenmerk"), _("Regel en versie")]]
        rows += [[item.reference, item.rule_label] for item in items]
        story.append(_table(rows, [38 * mm, 132 * mm], small))
    else:
        story.append(_p(_("Geen gegevens."), body))

    results = Counter(item.result for item in items)
    story.append(_p(_("Totalen"), h2))
    rows = [[_("Onderdeel"), _("Aantal")], [_("Gegevens in de ronde"), len(items)]]
    rows += [
        [label, results.get(code, 0)]
        for code, label in DestructionItem.RESULT_CHOICES
        if code != DestructionItem.PENDING or results.get(code)
    ]
    if run.status == DestructionRun.EXECUTED:
        rows += [
            [_("Personen vernietigd"), report.get("persons_destroyed", 0)],
            [_("Personen opgeschort door juridische blokkade"), report.get("persons_held", 0)],
            [_("Personen overgeslagen"), report.get("persons_skipped", 0)],
        ]
    story.append(_table(rows, [120 * mm, 50 * mm], body))
    counts = report.get("counts") or {}
    if counts:
        story.append(Spacer(1, 3 * mm))
        story.append(
            _table(
                [[_("Tabel"), _("Verwijderde rijen")], *([t, n] for t, n in sorted(counts.items()))],
                [120 * mm, 50 * mm],
                small,
            )
        )

    story.append(_p(_("Wat bewaard blijft"), h2))
    story.append(
        _p(
            _(
                "Van vernietigde personen blijven uitsluitend bewaard: het anonieme statistische spoor "
                "(aantallen per regio, jaar van aanleiding, soort, fenomeen, uitkomst, geslacht en "
                "leeftijdsklasse, zonder persoon-, gegeven- of ronde-id); het pseudonieme logboek "
                "dataverwerking (append-only, met de pseudonieme id van de betrokkene, zonder naam of BSN); "
                "en dit verslag (kenmerken, datums en aantallen)."
            ),
            body,
        )
    )
    if run.status != DestructionRun.EXECUTED:
        story.append(_p(_("Deze ronde is nog niet uitgevoerd: er is nog niets vernietigd."), body))
    story.append(Spacer(1, 4 * mm))
    story.append(_p(_("Gemaakt op %(moment)s.") % {"moment": _moment(timezone.now())}, small))

    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Vernietigingsverslag %(reference)s") % {"reference": run.reference},
        author=_("Casustafel"),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    doc.build(story)
    return buffer.getvalue()
