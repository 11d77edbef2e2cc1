"""The reporting core (ADR 0039): periods, scopes, facts, protected cubes, composition, rendering.

Published reports (Wet PGA art. 18: the yearly report on the internet; art. 24: the evaluation)
carry aggregates only, protected by small-number suppression (AVG art. 5 lid 1 c, data
minimisation); the properties of the suppression itself are in test_reporting_suppression.py.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casustafel.access import policy
from casustafel.flow.services import register_signal
from casustafel.reporting import cube, facts, render, scope
from casustafel.reporting.facts import Dimension, Fact
from casustafel.reporting.periods import Period, PeriodError, PeriodForm, Quarter
from casustafel.reporting.suppression import TOTAL, Published
from tests.factories import OrganisationFactory, signal_fields, subject_data

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 15)

KIND = Dimension("soort", "Soort", (("a", "Soort A"), ("b", "Soort B"), ("c", "Soort C")))
PHASE = Dimension("fase", "Fase", (("x", "Fase X"), ("y", "Fase Y")))

#: The rows the test facts yield, set per test: (gemeente, day, codes...).
ROWS: list[tuple] = []
CALLS: list[tuple] = []


def _rows(region, start, end):
    CALLS.append((region.pk, start, end))
    return [row for row in ROWS if start <= row[1] <= end]


def _query_rows(region, start, end):
    """A fact that reads the database once per call, as real facts do."""
    from casustafel.accounts.models import Organisation

    list(Organisation.objects.filter(region=region).values_list("pk", flat=True))
    return _rows(region, start, end)


ONE = facts.register(Fact("test_een_dimensie", "Test één dimensie", (KIND,), _rows))
TWO = facts.register(Fact("test_twee_dimensies", "Test twee dimensies", (KIND, PHASE), _query_rows))


@pytest.fixture(autouse=True)
def _clean_rows():
    ROWS.clear()
    CALLS.clear()
    yield
    ROWS.clear()
    CALLS.clear()


@pytest.fixture
def gemeenten(region_a):
    """Two gemeenten with a municipality code in region a."""
    return [
        OrganisationFactory(region=region_a.region, kind="gemeente", name="Gemeente Noord", municipality_code="0001"),
        OrganisationFactory(region=region_a.region, kind="gemeente", name="Gemeente Zuid", municipality_code="0002"),
    ]


# ---------------------------------------------------------------- periods


def test_quarters_and_periods():
    quarter = Quarter.parse("2026-K2")
    assert (quarter.start, quarter.end, quarter.label) == (date(2026, 4, 1), date(2026, 6, 30), "2026 K2")
    assert Quarter.of(date(2026, 12, 31)) == Quarter(2026, 4)
    period = Period.parse("2025-K3", "2026-K2", today=TODAY)
    assert [q.label for q in period.quarters()] == ["2025 K3", "2025 K4", "2026 K1", "2026 K2"]
    assert (period.start, period.end) == (date(2025, 7, 1), date(2026, 6, 30))
    assert period.label == "2025 K3 – 2026 K2" and not period.is_calendar_year
    assert Period.year(2025).label == "2025" and Period.year(2025).is_calendar_year


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("", "2026-K1", "Kies een kwartaal"),
        ("2026-K5", "2026-K1", "Kies een kwartaal"),
        ("gisteren", "2026-K1", "Kies een kwartaal"),
        ("2026-K2", "2026-K1", "De periode is leeg"),
        ("2026-K3", "2026-K4", "in de toekomst"),
        ("2020-K1", "2026-K1", "ten hoogste 5 jaar"),
    ],
)
def test_bad_periods_are_refused_with_a_dutch_message(first, last, message):
    with pytest.raises(PeriodError) as error:
        Period.parse(first, last, today=TODAY)
    assert message in " ".join(error.value.messages)


def test_period_form_offers_quarters_up_to_today_and_refuses_bad_input():
    form = PeriodForm(today=TODAY)
    codes = [code for code, _label in form.fields["first"].choices]
    assert codes[0] == "2026-K2" and "2026-K3" not in codes
    form = PeriodForm({"first": "2026-K2", "last": "2025-K1"}, today=TODAY)
    assert not form.is_valid() and "De periode is leeg" in str(form.errors)
    form = PeriodForm({"first": "2026-K3", "last": "2026-K3"}, today=TODAY)
    assert not form.is_valid()  # not a choice: the future is not offered
    form = PeriodForm({"first": "2025-K1", "last": "2025-K4"}, today=TODAY)
    assert form.is_valid() and form.cleaned_data["period"] == Period.year(2025)


# ---------------------------------------------------------------- scopes and access


def test_report_roles_and_scopes(world, gemeenten):
    a = world["a"]
    analyst = a.users["analyst"]
    kinds = [(s.kind, s.gemeente_code) for s in scope.scopes_for(analyst)]
    assert kinds == [("region", None), ("gemeente", "0001"), ("gemeente", "0002"), ("nation", None)]
    assert [s.kind for s in scope.scopes_for(a.users["process_director"])] == ["region", "gemeente", "gemeente"]
    assert scope.scopes_for(a.users["intake"]) == []
    assert not policy.can_view_reports(a.users["case_director"])
    assert policy.can_view_reports(a.users["mayor"])


def test_the_analyst_reports_without_any_case_access(world, case_a, signal_a):
    """Need-to-know: the analyst reads aggregates (art. 18 reports), never a person or a case."""
    analyst = world["a"].users["analyst"]
    assert policy.can_view_reports(analyst) and policy.can_report_on(analyst, "region", world["a"].region.pk)
    assert not policy.can(analyst, policy.Action.CASE_VIEW, case_a)
    assert not policy.can(analyst, policy.Action.SIGNAL_VIEW, signal_a)
    assert not policy.can(analyst, policy.Action.SEARCH)
    assert analyst.role not in policy.CASE_ROLES


def test_a_region_the_user_may_not_report_on_is_refused(world):
    analyst_a = world["a"].users["analyst"]
    with pytest.raises(PermissionDenied):
        scope.check(analyst_a, scope.Scope.region(world["b"].region))
    with pytest.raises(PermissionDenied):
        scope.check(world["a"].users["process_director"], scope.Scope.nation())
    with pytest.raises(PermissionDenied):
        scope.check(world["a"].users["intake"], scope.Scope.region(world["a"].region))
    scope.check(analyst_a, scope.Scope.region(world["a"].region))
    scope.check(analyst_a, scope.Scope.nation())


def test_scope_codes_round_trip_and_unknown_ones_are_refused(world, gemeenten):
    region = world["a"].region
    for item in (scope.Scope.region(region), scope.Scope.gemeente(region, "0002"), scope.Scope.nation()):
        assert scope.parse(item.code) == item
    assert scope.Scope.gemeente(region, "0002").label == "Gemeente Zuid"
    assert scope.Scope.region(region).label == "Regio a" and scope.Scope.nation().label == "Landelijk"
    assert scope.Scope("region", region.pk, name="Haaglanden").label == "Regio Haaglanden"
    for bad in ("", "region:nonsense", f"gemeente:{region.pk}:9999", "x:y"):
        with pytest.raises(ValueError):
            scope.parse(bad)


# ---------------------------------------------------------------- facts and figures


def test_fact_registry():
    assert facts.get("test_een_dimensie") is ONE
    with pytest.raises(LookupError):
        facts.get("bestaat_niet")
    with pytest.raises(ValueError):
        facts.register(Fact("test_een_dimensie", "Ander", (KIND,), facts.get))


def _add(n, gemeente, day, *codes):
    ROWS.extend([(gemeente, day, *codes)] * n)


def _dense(year=2025):
    """Counts of at least 5 in most cells, so that suppression stays local."""
    for quarter in range(4):
        day = date(year, 3 * quarter + 1, 10)
        _add(6, "0001", day, "a")
        _add(5, "0002", day, "a")
        _add(7, "0001", day, "c")
        _add(8, "0002", day, "c")
        _add(6 if quarter != 1 else 9, "0002", day, "b")


def test_figures_for_a_year_a_region_and_a_gemeente(world, gemeenten):
    """Art. 18: 3 units of one gemeente are not published; what is shown is the true count."""
    region = world["a"].region
    _dense()
    _add(3, "0001", date(2025, 5, 1), "b")
    _add(7, None, date(2025, 8, 1), "c")
    year = cube.figures(ONE, scope.Scope.region(region), Period.year(2025))
    assert year.cell(TOTAL) == Published(4 * 6 + 4 * 5 + 4 * 7 + 4 * 8 + 3 * 6 + 9 + 3 + 7)
    assert year.cell("a") == Published(44)
    noord = cube.figures("test_een_dimensie", scope.Scope.gemeente(region, "0001"), Period.year(2025))
    assert noord.cell("b").display == "< 5"
    truth = {"a": 24, "b": 3, "c": 28, TOTAL: 55}
    shown = {code for code in truth if noord.cell(code).shown}
    assert all(noord.cell(code).value == truth[code] for code in shown)
    assert len(shown) <= 2  # else the 3 follows from the total minus the others
    assert [code for code, _label in year.rows()] == ["a", "b", "c", TOTAL]
    quarters = year.over_quarters("a")
    assert [q.label for q, _cell in quarters] == ["2025 K1", "2025 K2", "2025 K3", "2025 K4"]
    assert [cell for _q, cell in quarters] == [Published(11)] * 4


def test_a_period_is_composed_from_published_quarter_cells(world, gemeenten):
    region = world["a"].region
    _dense(2025)
    _dense(2026)
    _add(2, "0001", date(2025, 5, 1), "b")
    region_scope = scope.Scope.region(region)
    noord = scope.Scope.gemeente(region, "0001")
    half = cube.figures(ONE, noord, Period.parse("2025-K1", "2025-K2", today=TODAY))
    assert [cell.display for _q, cell in half.over_quarters("b")] == ["0", "< 5"]
    # a component is suppressed, so the half-year sum including it is not published ("×")
    assert half.cell("b").display == "×"
    over_year_end = cube.figures(ONE, region_scope, Period.parse("2025-K1", "2026-K1", today=TODAY))
    year_2025 = cube.figures(ONE, region_scope, Period.year(2025))
    first_2026 = cube.figures(ONE, region_scope, Period.parse("2026-K1", "2026-K1", today=TODAY))
    for code, _label in over_year_end.rows():
        # the whole year 2025 reads the year column, plus 2026 K1
        parts = [year_2025.cell(code), first_2026.cell(code)]
        expected = (
            Published(sum(p.value for p in parts)) if all(p.shown for p in parts) else Published(None, "secondary")
        )
        assert over_year_end.cell(code) == expected
    assert over_year_end.cell("c") == Published(4 * 15 + 15)


def test_two_dimensional_table_and_csv(world, gemeenten):
    region = world["a"].region
    _add(10, "0001", date(2025, 2, 1), "a", "x")
    _add(6, "0002", date(2025, 2, 1), "a", "y")
    _add(7, "0002", date(2025, 3, 1), "b", "x")
    _add(5, "0002", date(2025, 3, 1), "b", "y")
    figures = cube.figures(TWO, scope.Scope.region(region), Period.year(2025))
    table = figures.table()
    assert table.columns == ["Fase X", "Fase Y", "Totaal"]
    assert table.rows[0] == ("Soort A", [Published(10), Published(6), Published(16)])
    assert table.rows[-1][0] == "Totaal"
    text = render.table_csv([("Sectie", table)])
    assert text.splitlines()[:3] == ["Sectie", "Soort,Fase X,Fase Y,Totaal", "Soort A,10,6,16"]
    single = figures.table(1, None)
    assert single.columns == ["Aantal"] and single.rows[0] == ("Fase X", [Published(17)])


def test_nation_is_the_combination_of_its_regions(world, gemeenten):
    _add(6, "0001", date(2025, 2, 1), "a")
    # every region's rows() returns ROWS: both regions count the same six
    nation = cube.figures(ONE, scope.Scope.nation(), Period.year(2025))
    assert nation.cell("a") == Published(12)
    parts = [cube.figures(ONE, scope.Scope.region(world[k].region), Period.year(2025)) for k in "ab"]
    assert cube.combine(parts).cells == nation.cells


def test_combine_hides_a_cell_when_any_component_is_suppressed(world, gemeenten):
    region = world["a"].region
    _add(6, "0001", date(2025, 2, 1), "a")
    shown = cube.figures(ONE, scope.Scope.region(region), Period.year(2025))
    ROWS.clear()
    _add(2, "0001", date(2025, 2, 1), "a")
    _add(9, "0001", date(2025, 2, 1), "b")
    small = cube.figures(ONE, scope.Scope.region(world["b"].region), Period.year(2025))
    combined = cube.combine([shown, small])
    assert combined.cell("a").display == "×" and combined.cell(TOTAL) == Published(17)
    assert combined.cell("c") == Published(0)


def test_a_fact_code_outside_its_categories_is_a_programming_error(world):
    _add(1, None, date(2025, 2, 1), "zz")
    with pytest.raises(ValueError):
        cube.figures(ONE, scope.Scope.region(world["a"].region), Period.year(2025))


def test_figures_read_each_year_once_per_report_context(world, gemeenten, django_assert_max_num_queries):
    """Performance: one rows() call (one query) per fact, region and year — never per cell."""
    region = world["a"].region
    for month in range(1, 13):
        _add(5, "0001", date(2025, month, 1), "a", "x")
        _add(6, "0002", date(2024, month, 1), "b", "y")
    period = Period.parse("2024-K2", "2025-K3", today=TODAY)
    with cube.report_context(), CaptureQueriesContext(connection) as queries:
        for item in (scope.Scope.region(region), scope.Scope.gemeente(region, "0001")):
            figures = cube.figures(TWO, item, period)
            figures.table()
            figures.over_quarters("a", "x")
    # two years → two rows() calls, each one query and the swap of the database scope there and
    # back (two); plus the region, its gemeenten, one name lookup
    assert len(CALLS) == 2
    assert len(queries) <= 9, [q["sql"] for q in queries]


def test_figures_of_a_region_of_5000_persons_run_one_query_per_fact_and_year(world, gemeenten):
    """Performance: the number of queries does not grow with the data (5,000 units, two years,
    a region report and one per gemeente): one rows() call per fact, region and year."""
    scopes = scope.scopes_for(world["a"].users["analyst"])[:3]  # the region and its two gemeenten
    codes = [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x"), ("c", "y")]
    for unit in range(5000):
        kind, phase = codes[unit % 6 if unit % 7 else 0]
        ROWS.append(
            (["0001", "0002", None][unit % 3], date(2024 + unit % 2, 1 + unit % 12, 1 + unit % 28), kind, phase)
        )
    period = Period.parse("2024-K3", "2025-K4", today=TODAY)
    with cube.report_context(), CaptureQueriesContext(connection) as queries:
        reports = [cube.figures(TWO, item, period) for item in scopes]
    assert len(CALLS) == 2
    # 2 years x (1 query in rows() + the database scope set and restored), the region, its gemeenten
    assert len(queries) == 8, [q["sql"] for q in queries]
    assert reports[0].cell(TOTAL, TOTAL) == Published(sum(1 for row in ROWS if row[1] >= date(2024, 7, 1)))


def _signal_rows(region, start, end):
    """A fact on a table under row-level security: signals registered, by the region's scope."""
    from casustafel.signals.models import Signal

    for (registered,) in Signal.objects.filter(region=region).values_list("registered_at"):
        day = timezone.localdate(registered)
        if start <= day <= end:
            yield None, day, "a"


SIGNALS = facts.register(Fact("test_signalen", "Test signalen", (KIND,), _signal_rows))


def test_the_nation_counts_every_region_under_its_own_row_level_scope(world):
    """ADR 0014: a request's database scope is the user's region; the national figures still count
    every region, each read under exactly that region's scope (and the request's scope returns)."""
    from casustafel.access import rls

    for key in "ab":
        for n in range(6):
            register_signal(
                world[key].users["intake"], subject=subject_data(family_name=f"Persoon{key}{n}"), fields=signal_fields()
            )
    year = Period.year(timezone.localdate().year)
    with rls.regions(world["a"].region.pk):
        nation = cube.figures(SIGNALS, scope.Scope.nation(), year)
        own = cube.figures(SIGNALS, scope.Scope.region(world["a"].region), year)
        assert rls.current() == [str(world["a"].region.pk)]
    assert nation.cell("a") == Published(12)
    assert own.cell("a") == Published(6)


# ---------------------------------------------------------------- rendering


def _table():
    return cube.Table(
        caption="Signalen naar soort",
        row_header="Soort",
        columns=["Aantal"],
        rows=[
            ("Soort A", [Published(None, "primary")]),
            ("Soort B", [Published(12)]),
            ("Soort C", [Published(None, "secondary")]),
            ("Totaal", [Published(19)]),
        ],
        row_codes=["a", "b", "c", TOTAL],
        column_codes=[TOTAL],
    )


def test_published_cells_display_dutch_numbers_and_marks():
    assert Published(1234).display == "1.234" and Published(0).display == "0"
    assert Published(None, "primary").display == "< 5" and Published(None, "secondary").display == "×"
    assert not Published(None, "primary").shown and Published(7).shown


def test_csv_writes_suppressed_cells_as_marks():
    lines = render.table_csv([("Signalen", _table()), ("Nog een", _table())]).splitlines()
    assert lines[:6] == ["Signalen", "Soort,Aantal", "Soort A,< 5", "Soort B,12", "Soort C,×", "Totaal,19"]
    assert lines[6] == "" and lines[7] == "Nog een"


def test_bar_chart_is_accessible_svg_drawn_from_shown_values_only():
    svg = render.bar_chart_svg(_table(), title="Signalen naar soort")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="chart-title">Signalen naar soort</title>' in svg
    assert "<desc" in svg and "Soort A: &lt; 5" in svg and "Soort C: ×" in svg
    assert "Soort B: 12" in svg


def test_chart_text_stays_text_in_the_report_font_and_renders_under_the_csp():
    """svg.fonttype "none": labels are <text> (selectable, read by assistive technology,
    extractable from the PDF), in the family report.css names first; no <style> element or
    style attribute (the application's CSP has no 'unsafe-inline'): presentation attributes."""
    from pathlib import Path

    for svg in (
        render.bar_chart_svg(_table(), title="Signalen naar soort"),
        render.line_chart_svg([("Signalen", [(Quarter(2025, 1), Published(7))])], title="Per kwartaal"),
    ):
        assert re.search(r"<text\b[^>]*>(Signalen naar soort|Per kwartaal)<", svg)
        assert f"font-family=\"'{render.FONT_FAMILY}'\"" in svg
        assert "<style" not in svg and "style=" not in svg and 'fill="#154273"' in svg
        assert "glyph" not in svg  # no text drawn as paths
    assert 'id="chart-title"' in render.bar_chart_svg(_table(), title="Soort")
    assert ">Soort A<" in render.bar_chart_svg(_table(), title="Soort")
    css = (Path(render.__file__).parent / "static" / "reporting" / "report.css").read_text()
    assert f'font-family: "{render.FONT_FAMILY}",' in css


def test_line_chart_marks_suppressed_quarters():
    series = [("Signalen", [(Quarter(2025, 1), Published(7)), (Quarter(2025, 2), Published(None, "primary"))])]
    svg = render.line_chart_svg(series, title="Per kwartaal")
    assert "<title" in svg and "2025 K2: &lt; 5" in svg


def test_pdf_is_tagged_dutch_and_has_the_text(caplog):
    """PDF/UA: tagged (/MarkInfo /Marked, /StructTreeRoot), language nl, title from <title>; the
    inline chart's SVG attributes do not flood the log."""
    body = render_to_string("reporting/partials/figure_table.html", {"table": _table()})
    html = render_to_string("reporting/partials/report_base.html").replace(
        "<main>", "<main><h1>Verslag 2025</h1>" + body + render.bar_chart_svg(_table(), title="Grafiek"), 1
    )
    pdf = render.pdf_from_html(html)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 — a pypdf BooleanObject
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    text = reader.pages[0].extract_text()
    assert "Verslag 2025" in text and "Signalen naar soort" in text and "< 5" in text and "×" in text
    assert "Legenda" in text
    assert reader.metadata.title == "Rapportage"
    assert not [r for r in caplog.records if "unknown property" in r.getMessage()]


def test_figure_table_partial_has_caption_scopes_and_legend():
    html = render_to_string("reporting/partials/figure_table.html", {"table": _table()})
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "Legenda" in html and "&lt; 5" in html


def test_the_standalone_document_embeds_its_stylesheet_and_weasyprint_applies_it():
    """The published page (art. 18 lid 2) is self-contained without an inline <style>: its CSS is
    reporting/static/reporting/report.css as a data: URL, which WeasyPrint reads offline (the
    page counter of @page only appears when the stylesheet was applied)."""
    import base64
    from pathlib import Path

    html = render_to_string("reporting/partials/report_base.html")
    assert "<style" not in html
    prefix = '<link rel="stylesheet" href="data:text/css;base64,'
    encoded = html[html.index(prefix) + len(prefix) :].split('"', 1)[0]
    css = Path(render.__file__).parent / "static" / "reporting" / "report.css"
    assert base64.b64decode(encoded) == css.read_bytes()
    pdf = render.pdf_from_html(html.replace("<main>", "<main><h1>Verslag 2025</h1>", 1))
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Verslag 2025" in text and "1 / 1" in text
