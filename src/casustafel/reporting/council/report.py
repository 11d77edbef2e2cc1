"""The council and quarterly report (raadsrapportage): its sections, built from protected figures.

A report is about one scope (a gemeente, the region or the nation) over a run of whole
quarters. Every number in it is a published cell of the reporting core (``reporting.cube``):
a count of 1–4 shows "< 5", a cell that would let one be derived shows "×", and the charts
are drawn from the same cells (``reporting.render``), so a chart never shows what the table
hides (Wet PGA art. 18 with AVG art. 5 lid 1 c; ADR 0041).

The qualitative section is built from codes only — how progress went per life domain, which
structured instrument the reviews used, why cases were closed and what the check-ins after
closure found — counted and protected like every other cell, with the region's own short
policy text beside them. The free text of a case (a review's narrative, a closing reason's
explanation) is never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.reporting import facts as registry
from casustafel.reporting import render
from casustafel.reporting.cube import Figures, Table, figures, report_context
from casustafel.reporting.periods import Period
from casustafel.reporting.scope import Scope
from casustafel.reporting.suppression import TOTAL, Published

from . import facts

#: The fact R5 registers for the policy signals (issue 13 item 6), included when present.
POLICY_SIGNALS_FACT = "policy_signals"


@dataclass
class Block:
    """One table with its chart (``chart`` empty: the table stands alone)."""

    title: str
    table: Table
    chart: Any = ""


@dataclass
class CodeCount:
    """One aggregated code of the qualitative section and its published count."""

    label: str
    cell: Published


@dataclass
class CodeGroup:
    title: str
    codes: list[CodeCount]


@dataclass
class Section:
    code: str
    title: str
    intro: str
    blocks: list[Block] = field(default_factory=list)
    code_groups: list[CodeGroup] = field(default_factory=list)
    policy_text: str = ""


@dataclass
class CouncilReport:
    scope: Scope
    period: Period
    generated_on: date
    sections: list[Section]

    @property
    def title(self) -> str:
        return _("Raadsrapportage %(scope)s, %(period)s") % {"scope": self.scope.label, "period": self.period.label}

    @property
    def file_stem(self) -> str:
        """A file name without personal data: the kind of scope and the period."""
        return f"raadsrapportage-{self.scope.kind}-{self.period.code}"

    def csv(self) -> str:
        tables = [
            (f"{section.title} — {block.title}", block.table) for section in self.sections for block in section.blocks
        ]
        return render.table_csv(tables)


class _Charts:
    """Numbers the charts of one report, so their accessible names have unique ids on a page."""

    def __init__(self):
        self.count = 0

    def _unique(self, svg: str) -> Any:
        """Prefix every id of the chart (and each reference to one): several charts on a page."""
        self.count += 1
        prefix = f"chart{self.count}-"
        svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}\1"', svg)
        svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", svg)
        svg = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}\1"', svg)
        svg = re.sub(
            r'aria-labelledby="([^"]+)"',
            lambda m: 'aria-labelledby="' + " ".join(prefix + ref for ref in m.group(1).split()) + '"',
            svg,
        )
        return render.svg_markup(svg)

    def bar(self, table: Table, title: str) -> Any:
        return self._unique(render.bar_chart_svg(table, title=title))

    def line(self, series, title: str) -> Any:
        return self._unique(render.line_chart_svg(series, title=title))


def _block(
    charts: _Charts, figs: Figures, title: str, *, col_dim: int | str | None = "default", chart: bool = True
) -> Block:
    table = figs.table(0, col_dim, caption=f"{title} — {figs.scope.label}, {figs.period.label}")
    return Block(title, table, charts.bar(table, title) if chart else "")


def _codes(figs: Figures, dim_index: int = 0) -> list[CodeCount]:
    """The published totals per category of one dimension (the others at their total)."""
    result = []
    for code, label in figs.fact.dims[dim_index].categories:
        key = [TOTAL] * len(figs.fact.dims)
        key[dim_index] = code
        result.append(CodeCount(str(label), figs.cell(*key)))
    return result


def build(scope: Scope, period: Period, *, policy_text: str = "") -> CouncilReport:
    """The report's sections for ``scope`` over ``period`` (the caller checked the scope)."""
    charts = _Charts()
    with report_context():
        fig = {fact.name: figures(fact, scope, period) for fact in facts.COUNCIL_FACTS}
        policy = figures(POLICY_SIGNALS_FACT, scope, period) if POLICY_SIGNALS_FACT in registry.FACTS else None
    by_source = fig[facts.SIGNALS_BY_SOURCE.name]
    over_time = [(_("Ontvangen signalen"), by_source.over_quarters(TOTAL, TOTAL))]
    for outcome in (facts.INCLUDED, facts.REFERRED, facts.NO_ACTION):
        over_time.append((str(facts.SIGNAL_OUTCOME.label_of(outcome)), by_source.over_quarters(TOTAL, outcome)))
    outcome_codes = [TOTAL, facts.INCLUDED, facts.REFERRED, facts.NO_ACTION]
    over_time_table = Table(
        caption=_("Signalen per kwartaal — %(scope)s, %(period)s") % {"scope": scope.label, "period": period.label},
        row_header=_("Kwartaal"),
        columns=[name for name, _points in over_time],
        rows=[
            *[
                (quarter.label, [points[i][1] for _name, points in over_time])
                for i, (quarter, _c) in enumerate(over_time[0][1])
            ],
            # The period's own cells (the year column for a calendar year), as the other tables.
            (str(registry.TOTAL_LABEL), [by_source.cell(TOTAL, code) for code in outcome_codes]),
        ],
        row_codes=[*[quarter.code for quarter, _cell in over_time[0][1]], TOTAL],
        column_codes=outcome_codes,
    )
    sections = [
        Section(
            "instroom",
            _("Van signaal tot uitkomst"),
            _(
                "De signalen die in de periode binnenkwamen en waar zij nu staan: nog niet gewogen, in weging, "
                "opgenomen in de persoonsgerichte aanpak, doorverwezen of zonder actie — naar soort bron en naar "
                "fenomeen; en waarheen de weegploeg doorverwees."
            ),
            [
                Block(_("Signalen per kwartaal"), over_time_table, charts.line(over_time, _("Signalen per kwartaal"))),
                _block(charts, by_source, _("Signalen naar soort bron en uitkomst")),
                _block(charts, fig[facts.SIGNALS_BY_PHENOMENON.name], _("Signalen naar fenomeen en uitkomst")),
                _block(charts, fig[facts.REFERRALS.name], _("Doorverwezen signalen naar bestemming")),
            ],
        ),
        Section(
            "doorlooptijd",
            _("Tijd van signaal tot besluit"),
            _(
                "Hoe lang het duurde van de registratie van een signaal tot het eensluidende besluit van de "
                "weegploeg, in klassen. Er staat geen gemiddelde of mediaan: bij kleine aantallen zou die personen "
                "herkenbaar maken."
            ),
            [_block(charts, fig[facts.DECISION_TIMES.name], _("Signalen naar tijd tot besluit"))],
        ),
        Section(
            "casussen",
            _("Casussen naar status"),
            _("De casussen die in de periode werden geopend, naar hun status nu."),
            [_block(charts, fig[facts.CASES_BY_STATE.name], _("Geopende casussen naar status"))],
        ),
        Section(
            "interventies",
            _("Interventies: gepland en geleverd"),
            _(
                "De interventies en maatregelen uit de plannen van aanpak die in de periode zouden starten, naar "
                "categorie en naar soort bevoegde organisatie; geleverd betekent dat er ten minste één contact is "
                "gehouden. Het totaal is wat gepland was."
            ),
            [
                _block(charts, fig[facts.INTERVENTIONS_BY_CATEGORY.name], _("Interventies naar categorie")),
                _block(
                    charts, fig[facts.INTERVENTIONS_BY_ORGANISATION.name], _("Interventies naar bevoegde organisatie")
                ),
            ],
        ),
        Section(
            "afsluiting",
            _("Redenen van afsluiting"),
            _("De afsluitingen van casussen in de periode, naar reden."),
            [_block(charts, fig[facts.CLOSURE_REASONS.name], _("Afgesloten casussen naar reden"))],
        ),
        Section(
            "voortgang",
            _("Voortgang per leefgebied"),
            _(
                "Per doel dat bij een evaluatie in de periode een score kreeg: verbeterd, gelijk gebleven of "
                "verslechterd ten opzichte van de vorige score van hetzelfde doel, of een eerste meting."
            ),
            [_block(charts, fig[facts.PROGRESS.name], _("Scores van doelen naar leefgebied en voortgang"))],
        ),
        Section(
            "kwalitatief",
            _("Kwalitatief beeld"),
            _(
                "Samengevat uit de gestructureerde gegevens van evaluaties, afsluitingen en nazorg: alleen codes en "
                "aantallen, nooit de tekst van een casus. De toelichting is van de regio zelf."
            ),
            [
                _block(charts, fig[facts.REVIEW_INSTRUMENTS.name], _("Evaluaties naar instrument"), chart=False),
                _block(charts, fig[facts.CHECKINS.name], _("Nazorgcontacten na afsluiting"), chart=False),
            ],
            code_groups=[
                CodeGroup(_("Voortgang van doelen"), _codes(fig[facts.PROGRESS.name], 1)),
                CodeGroup(_("Redenen van afsluiting"), _codes(fig[facts.CLOSURE_REASONS.name])),
                CodeGroup(_("Nazorg na afsluiting"), _codes(fig[facts.CHECKINS.name])),
            ],
            policy_text=policy_text,
        ),
    ]
    if policy is not None:
        sections.append(
            Section(
                "beleidssignalen",
                _("Beleidssignalen"),
                _("Knelpunten voor beleid die professionals meldden, zonder persoonsgegevens, en hoe ver zij zijn."),
                [_block(charts, policy, str(policy.fact.label))],
            )
        )
    return CouncilReport(scope, period, timezone.localdate(), sections)
