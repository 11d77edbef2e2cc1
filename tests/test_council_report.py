"""The council and quarterly report (raadsrapportage, issue 13 item 3): its facts, the report
page per gemeente, region or nation over whole quarters, the downloads (standalone HTML,
tagged PDF, CSV) and small-number suppression in every table and chart (ADR 0041)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casustafel.cases.services import transition_case
from casustafel.demo import decide_jointly
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.plans import services as plans
from casustafel.plans.models import CheckIn
from casustafel.reporting.council import facts, report
from casustafel.weighing.models import Outcome, ReferralTarget
from casustafel.weighing.services import DecisionData

from .conftest import make_case, weigh_all
from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db


def _quarter_bounds(day):
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    end = (start.replace(month=first_month + 2, day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def flow(region_a, today):
    """In region a this quarter: two included signals (two cases, one closed), a referred
    signal, a signal still to be weighed; a plan with a goal scored twice (improved), an
    intervention delivered and one not yet; a check-in after closure."""
    users = region_a.users
    case = make_case(region_a, family_name="Eerste")
    closed = make_case(region_a, family_name="Tweede")
    referred = register_signal(
        users["intake"],
        subject=subject_data(family_name="Derde"),
        fields=signal_fields(source_type="school", phenomenon="jihadistisch"),
    ).signal
    referred = send_to_weighing(users["intake"], signal=referred)
    weigh_all(region_a, referred.weighing, view=Outcome.REFER)
    decide_jointly(
        users["weigher_gemeente"],
        weighing=referred.weighing,
        data=DecisionData(
            outcome=Outcome.REFER, rationale="Past bij Veilig Thuis.", referral_target=ReferralTarget.VEILIG_THUIS
        ),
    )
    waiting = register_signal(
        users["intake"], subject=subject_data(family_name="Vierde"), fields=signal_fields(source_type="burger")
    ).signal
    director = users["case_director"]
    goal = plans.add_goal(director, case=case, domain="huisvesting", description="Vaste woonplek")
    delivered = plans.add_intervention(
        director,
        case=case,
        entry_code="huisvesting",
        organisation=region_a.orgs["gemeente"],
        starts_on=today,
        planned_end=today + timedelta(days=60),
        planned_sessions=3,
    )
    plans.log_contact(director, case=case, intervention_id=delivered.pk, on=today, held=True)
    plans.add_intervention(
        director,
        case=case,
        entry_code="zorg_ggz",
        organisation=region_a.orgs["ggz"],
        starts_on=today,
        planned_end=today + timedelta(days=60),
    )
    start, _end = _quarter_bounds(today)
    plans.add_review(director, case=case, held_on=start, narrative="Eerste evaluatie.", scores={goal.pk: 2})
    plans.add_review(director, case=case, held_on=today, narrative="Gaat beter.", scores={goal.pk: 4}, instrument="")
    transition_case(director, case=closed, target="closed", reason="Klaar", closure_reason="doelen_bereikt")
    checkin = CheckIn.objects.filter(case=closed).order_by("due_on").first()
    CheckIn.objects.filter(pk=checkin.pk).update(done_on=today, new_concerns=False, organisation=region_a.orgs["zvh"])
    return {"case": case, "closed": closed, "referred": referred, "waiting": waiting}


def _rows(function, region, today):
    start, end = _quarter_bounds(today)
    return sorted(tuple(row[2:]) for row in function(region, start, end))


def test_flow_from_signal_to_outcome_by_source_type(region_a, flow, today):
    assert _rows(facts.signal_flow_by_source_rows, region_a.region, today) == [
        ("burger", "nog_niet_gewogen"),
        ("politie", "opgenomen"),
        ("politie", "opgenomen"),
        ("school", "doorverwezen"),
    ]


def test_flow_by_phenomenon_and_where_referred(region_a, flow, today):
    assert ("jihadistisch", "doorverwezen") in _rows(facts.signal_flow_by_phenomenon_rows, region_a.region, today)
    assert _rows(facts.referral_rows, region_a.region, today) == [("veilig_thuis",)]


def test_time_from_signal_to_decision_is_counted_in_bands(region_a, flow, today):
    assert _rows(facts.decision_time_rows, region_a.region, today) == [
        ("minder_dan_2_weken",),
        ("minder_dan_2_weken",),
        ("minder_dan_2_weken",),
        ("nog_geen_besluit",),
    ]
    assert [facts.decision_time_band(d) for d in (None, 0, 13, 14, 42, 43)] == [
        "nog_geen_besluit",
        "minder_dan_2_weken",
        "minder_dan_2_weken",
        "2_tot_6_weken",
        "2_tot_6_weken",
        "meer_dan_6_weken",
    ]


def test_cases_by_state_closure_reasons_and_checkins(region_a, flow, today):
    region = region_a.region
    assert _rows(facts.cases_by_state_rows, region, today) == [("active",), ("closed",)]
    assert _rows(facts.closure_reason_rows, region, today) == [("doelen_bereikt",)]
    assert _rows(facts.checkin_rows, region, today) == [("geen_nieuwe_zorgen",)]


def test_interventions_planned_versus_delivered(region_a, flow, today):
    region = region_a.region
    assert _rows(facts.interventions_by_category_rows, region, today) == [
        ("zorg_en_ondersteuning", "geleverd"),
        ("zorg_en_ondersteuning", "niet_geleverd"),
    ]
    assert _rows(facts.interventions_by_organisation_rows, region, today) == [
        ("gemeente", "geleverd"),
        ("ggz", "niet_geleverd"),
    ]


def test_progress_per_life_domain_compares_with_the_previous_score(region_a, flow, today):
    assert _rows(facts.progress_rows, region_a.region, today) == [
        ("huisvesting", "eerste_meting"),
        ("huisvesting", "verbeterd"),
    ]
    assert [facts.progress_direction(p, 3) for p in (None, 2, 3, 4)] == [
        "eerste_meting",
        "verbeterd",
        "gelijk",
        "verslechterd",
    ]
    assert _rows(facts.review_instrument_rows, region_a.region, today) == [("geen",), ("geen",)]


def test_rows_are_of_the_region_and_carry_only_codes(world, flow, today):
    """Need-to-know: region b's report reads nothing of region a; a row is a gemeente code, a
    day and dimension codes — never a name or a free text of a case."""
    start, end = _quarter_bounds(today)
    for fact in facts.COUNCIL_FACTS:
        assert list(fact.rows(world["b"].region, start, end)) == []
        for row in fact.rows(world["a"].region, start, end):
            gemeente, day, *codes = row
            assert gemeente is None or len(gemeente) <= 4
            assert start <= day <= end
            for code, dimension in zip(codes, fact.dims, strict=True):
                assert code in {c for c, _label in dimension.categories}, (fact.name, code)


# -- the report page, its downloads and suppression ----------------------------------------------

URL = "/verantwoording/raadsrapportage/"


def _post(client, user, scope, today, **extra):
    from casustafel.reporting.periods import Quarter

    login(client, user)
    quarter = Quarter.of(today).code
    return client.post(URL, {"scope": scope, "first": quarter, "last": quarter, **extra})


def _region_scope(world_region):
    return f"region:{world_region.region.pk}"


SECTION_TITLES = (
    "Van signaal tot uitkomst",
    "Tijd van signaal tot besluit",
    "Casussen naar status",
    "Interventies: gepland en geleverd",
    "Redenen van afsluiting",
    "Voortgang per leefgebied",
    "Kwalitatief beeld",
)


def test_the_analyst_chooses_an_area_and_quarters(client, region_a):
    login(client, region_a.users["analyst"])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Raadsrapportage" in page and _region_scope(region_a) in page and 'value="nation"' in page


def test_the_report_page_has_every_section_and_suppresses_small_numbers(client, region_a, flow, today):
    """Wet PGA art. 18 with AVG art. 5 lid 1 c: a region with a handful of signals shows "< 5"
    for each of them, in the tables and in the charts' text alternatives alike."""
    response = _post(client, region_a.users["analyst"], _region_scope(region_a), today)
    assert response.status_code == 200
    page = response.content.decode()
    for title in SECTION_TITLES:
        assert title in page
    assert "Raadsrapportage Regio a, " in page and "Regio Regio" not in page
    assert "&lt; 5" in page
    assert "<svg" in page and "<desc" in page
    # The charts are the table's own published cells: four signals, so nothing but "< 5" or "×".
    import re

    for desc in re.findall(r"<desc[^>]*>(.*?)</desc>", page, flags=re.S):
        assert not re.search(r": [1-4](;|$)", desc), desc
    # One chart's ids do not collide with another's (several charts on one page).
    ids = re.findall(r'\bid="(chart[^"]+)"', page)
    assert len(ids) == len(set(ids)) > 0
    # Under the application's CSP (no inline style) the charts keep their colours and fonts:
    # SVG presentation attributes, no <style> element, no style attribute (reporting.render).
    assert "<style" not in page and " style=" not in page and 'font-family="' in page


def test_a_generation_is_recorded_in_the_processing_log(client, region_a, flow, today):
    from casustafel.processing_log.models import ProcessingLogEntry

    before = ProcessingLogEntry.objects.filter(purpose="accountability").count()
    _post(client, region_a.users["analyst"], _region_scope(region_a), today)
    entries = ProcessingLogEntry.objects.filter(purpose="accountability")
    assert entries.count() == before + 1
    entry = entries.order_by("-id").first()
    assert (entry.action, entry.object_type, entry.object_id) == ("read", "region", region_a.region.pk)
    _post(client, region_a.users["analyst"], _region_scope(region_a), today, format="csv")
    assert entries.order_by("-id").first().action == "export"


def test_csv_download_writes_suppressed_cells_as_marks(client, region_a, flow, today):
    response = _post(client, region_a.users["analyst"], _region_scope(region_a), today, format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="raadsrapportage-region-' in response["Content-Disposition"]
    text = response.content.decode()
    assert "Van signaal tot uitkomst" in text and "< 5" in text
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for value in row[1:]:
            assert value not in {"1", "2", "3", "4"}, row
    # Signals per quarter: one quarter, then the period's total (the same protected cell).
    assert rows[0][0].startswith("Van signaal tot uitkomst — Signalen per kwartaal")
    assert rows[3][0] == "Totaal" and rows[3][1:] == rows[2][1:]


def test_pdf_download_is_tagged_and_has_the_section_headings(client, region_a, flow, today):
    import io

    from pypdf import PdfReader

    response = _post(client, region_a.users["analyst"], _region_scope(region_a), today, format="pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"].get_object()
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    text = " ".join(page.extract_text() for page in reader.pages)
    for title in SECTION_TITLES:
        assert title in text
    assert "< 5" in text


def test_standalone_html_download(client, region_a, flow, today):
    response = _post(
        client,
        region_a.users["analyst"],
        _region_scope(region_a),
        today,
        format="html",
        policy_text="Wij investeren in nazorg.",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert "Wij investeren in nazorg." in page
    assert "csrfmiddlewaretoken" not in page and '<nav class="menu' not in page
    # Served as a download, never rendered under the application's CSP: its stylesheet is a
    # data: URL of reporting/static/reporting/report.css (ADR 0039), no inline <style>.
    assert response["Content-Disposition"].startswith("attachment;")
    assert '<link rel="stylesheet" href="data:text/css;base64,' in page
    assert "<style" not in page and " style=" not in page  # charts too: presentation attributes


def test_a_report_never_shows_the_free_text_of_a_case(client, region_a, flow, today):
    """The qualitative section is built from codes: a review's narrative never appears."""
    page = _post(client, region_a.users["analyst"], _region_scope(region_a), today).content.decode()
    assert "Gaat beter." not in page and "Eerste evaluatie." not in page and "Vaste woonplek" not in page


@pytest.mark.parametrize(
    "first, last, message",
    [
        ("2026-K3", "2026-K1", "De periode is leeg"),
        ("2099-K1", "2099-K2", "Selecteer een geldige keuze"),
        ("onzin", "2026-K1", "Selecteer een geldige keuze"),
    ],
)
def test_bad_periods_are_refused_with_a_dutch_message_and_nothing_logged(client, region_a, first, last, message):
    from casustafel.processing_log.models import ProcessingLogEntry

    login(client, region_a.users["analyst"])
    before = ProcessingLogEntry.objects.filter(purpose="accountability").count()
    response = client.post(URL, {"scope": _region_scope(region_a), "first": first, "last": last})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ProcessingLogEntry.objects.filter(purpose="accountability").count() == before


def test_a_period_in_the_future_is_refused(client, region_a, today):
    """The current quarter may be chosen; a later one is not on offer and is refused."""
    from casustafel.reporting.periods import Quarter

    login(client, region_a.users["analyst"])
    later = Quarter.of(today).next().code
    response = client.post(URL, {"scope": _region_scope(region_a), "first": later, "last": later})
    assert response.status_code == 400


def test_a_scope_the_user_may_not_report_on_is_refused(client, world, today):
    """Region b's analyst cannot have region a reported; a process director cannot report on
    the nation (ADR 0039): 403, nothing read, nothing logged."""
    from casustafel.processing_log.models import ProcessingLogEntry

    before = ProcessingLogEntry.objects.filter(purpose="accountability").count()
    response = _post(client, world["b"].users["analyst"], _region_scope(world["a"]), today)
    assert response.status_code == 403
    response = _post(client, world["a"].users["process_director"], "nation", today)
    assert response.status_code == 403
    assert ProcessingLogEntry.objects.filter(purpose="accountability").count() == before


def test_roles_without_reports_do_not_reach_the_page(client, region_a):
    """Need-to-know: a case director or an intake officer has no report section (403 on the
    section page, 404 on a post)."""
    for key in ("case_director", "intake"):
        login(client, region_a.users[key])
        assert client.get(URL).status_code == 403
        assert client.post(URL, {}).status_code == 404


def test_a_policy_text_with_personal_data_is_refused(client, region_a, today):
    response = _post(
        client, region_a.users["analyst"], _region_scope(region_a), today, policy_text="Casus PGA-2026-ABCDEF loopt."
    )
    assert response.status_code == 400
    assert "kenmerk" in response.content.decode()


def test_the_nation_combines_the_regions(client, world, flow, today):
    """The nation's figures count every region's signals, not only the analyst's own table."""
    import csv
    import io

    for number in range(5):
        register_signal(
            world["b"].users["intake"],
            subject=subject_data(family_name=f"Online{number}"),
            fields=signal_fields(source_type="online"),
        )
    response = _post(client, world["a"].users["analyst"], "nation", today, format="csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    online = next(row for row in rows if row and row[0] == "Online waarneming")
    assert online[-1] == "5"
    page = _post(client, world["a"].users["analyst"], "nation", today).content.decode()
    assert "Raadsrapportage Landelijk" in page


def test_query_count_does_not_grow_with_the_number_of_persons(client, region_a, flow, today):
    """One query per fact (and a fixed few for the page), whatever the number of persons."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert _post(client, region_a.users["analyst"], _region_scope(region_a), today).status_code == 200
        return len(queries)

    count()  # the first request also fills per-process caches (the processing activity)
    small = count()
    for number in range(3):
        make_case(region_a, family_name=f"Extra{number}")
    assert count() == small


def test_the_examples_are_rendered_from_a_region(tmp_path, region_a, flow):
    """docs/examples/council-report.{html,pdf} come from this function (on the demo data)."""
    from casustafel.reporting.council.examples import render_examples

    html, pdf = render_examples(tmp_path, region_code=region_a.region.code)
    text = html.read_text()
    assert '<html lang="nl">' in text and "Kwalitatief beeld" in text and "Voorbeeldtekst" in text
    assert pdf.read_bytes().startswith(b"%PDF")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.integers(min_value=0, max_value=12), min_size=6, max_size=6))
def test_no_chart_shows_a_count_under_five(region_a, today, counts):
    """Wet PGA art. 18 with AVG art. 5 lid 1 c, property-based: whatever the counts, a council
    chart's text alternative (and so its bars) shows only published values — 0, 5 or more,
    "< 5" or "×" — for the bar chart of a table and the line chart over quarters."""
    import html
    import re

    from casustafel.reporting.cube import ReportContext, figures
    from casustafel.reporting.facts import Dimension, Fact
    from casustafel.reporting.periods import Period, Quarter
    from casustafel.reporting.scope import Scope
    from casustafel.reporting.suppression import TOTAL

    cells = [(a, b) for a in ("a", "b", "c") for b in ("x", "y")]

    def rows(region, start, end):
        for (a, b), count in zip(cells, counts, strict=True):
            for _unit in range(count):
                yield None, today, a, b

    fact = Fact(
        "council_property_test",
        "Test",
        (Dimension("d1", "D1", (("a", "A"), ("b", "B"), ("c", "C"))), Dimension("d2", "D2", (("x", "X"), ("y", "Y")))),
        rows,
    )
    quarter = Quarter.of(today)
    figs = figures(fact, Scope.region(region_a.region), Period(quarter, quarter), context=ReportContext())
    charts = report._Charts()
    svgs = [
        charts.bar(figs.table(0, 1), "Staafdiagram"),
        charts.line([("Totaal", figs.over_quarters(TOTAL, TOTAL))], "Lijndiagram"),
    ]
    for svg in svgs:
        description = html.unescape(re.search(r"<desc[^>]*>(.*?)</desc>", svg, flags=re.S).group(1))
        values = re.findall(r": (< 5|×|\d+)", description)
        assert values, description
        for value in values:
            assert value in ("< 5", "×") or value == "0" or int(value) >= 5, (counts, description)


def test_the_mayor_reports_on_a_gemeente_of_the_table(client, region_a, flow, today):
    """A gemeente report counts the persons whose gemeente van verblijf (art. 1) is that gemeente;
    the others of the region stay out of it."""
    import csv
    import io

    from casustafel.subjects.models import Subject

    gemeente = region_a.orgs["gemeente"]
    gemeente.municipality_code = "0999"
    gemeente.save(update_fields=["municipality_code"])
    Subject.objects.filter(signals=flow["waiting"]).update(municipality_organisation=gemeente)
    scope = f"gemeente:{region_a.region.pk}:0999"
    login(client, region_a.users["mayor"])
    assert scope in client.get(URL).content.decode()
    response = _post(client, region_a.users["mayor"], scope, today, format="csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    total = next(row for row in rows if row and row[0] == "Totaal")  # signals by source: the one waiting
    assert total[1] == "< 5"
    page = _post(client, region_a.users["mayor"], scope, today).content.decode()
    assert "Raadsrapportage gemeente a, " in page


def test_the_policy_signals_appear_when_their_fact_is_registered(client, region_a, today):
    """Issue 13 item 6: the policy signals (counted by R5's fact ``policy_signals``) are a section."""
    from casustafel.reporting.facts import FACTS

    page = _post(client, region_a.users["analyst"], _region_scope(region_a), today).content.decode()
    assert ('id="raad-beleidssignalen"' in page) == ("policy_signals" in FACTS)
    assert "policy_signals" in FACTS  # the app is installed: the section is there
