"""Insight (issue 13 items 1, 5, 7; ADR 0042): management information per role, the
recognition-bias monitor and per-measure progress — aggregates, never a person; each of the
process director's numbers is a link to the list behind it, under the access policy."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from casustafel.cases.services import transition_case
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.insight import facts, monitor, selectors
from casustafel.meetings import services as meeting_services
from casustafel.plans import services as plan_services
from casustafel.plans.models import CatalogueEntry, CoordinationTask, Plan
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.reporting.cube import Figures
from casustafel.reporting.periods import Period, Quarter
from casustafel.reporting.scope import Scope
from casustafel.reporting.suppression import PRIMARY, SECONDARY, TOTAL, Published
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal

from .conftest import make_case
from .factories import signal_fields, subject_data
from .helpers import login
from .meetings_helpers import meeting_with_case, schedule
from .test_auth_matrix_web import MATRIX
from .test_auth_matrix_web import objects as objects  # the matrix's fixture, used by name

pytestmark = pytest.mark.django_db

#: Days after the data were made at which the flow is looked at: the review (90 days) is due
#: within two weeks, the action (14 days) and the task (5 days) are overdue, the intervention
#: has had no activity for more than 30 days (drift), one of the two meetings is still ahead.
LATER = 80


def _flow_world(world_region, family_name="Stroom", meeting=None):
    """A case with a plan (a goal, a running intervention, a coordination task), a meeting with
    an action on it (``meeting``, or a new one and another meeting ahead), and a signal waiting
    for the weegploeg."""
    case = make_case(world_region, family_name=family_name)
    director = world_region.users["case_director"]
    plan_services.add_goal(director, case=case, domain="huisvesting", description="Woning")
    entry = CatalogueEntry.objects.get(code="zorg_ggz", is_active=True)
    today = timezone.localdate()
    plan_services.add_intervention(
        director,
        case=case,
        entry_code=entry.code,
        organisation=world_region.orgs[entry.organisation_kinds[0]],
        starts_on=today,
        planned_end=today + timedelta(days=180),
    )
    CoordinationTask.objects.create(
        plan=Plan.objects.get(case=case),
        description="Afstemmen",
        owner=world_region.orgs["reclassering"],
        due_on=today + timedelta(days=5),
    )
    if meeting is None:
        meeting, _item, _action = meeting_with_case(world_region, case)
        schedule(world_region, days=LATER + 20)
    else:
        chair = world_region.users["process_director"]
        item = meeting_services.add_agenda_item(chair, meeting=meeting, case=case)
        meeting_services.add_action(
            chair, item=item, description="Bellen", owner=world_region.orgs["reclassering"], due_date=today
        )
    register_signal(
        world_region.users["intake"], subject=subject_data(family_name=f"{family_name} wacht"), fields=signal_fields()
    )
    case.meeting = meeting
    return case


def _numbers(html: str) -> dict[str, tuple[int, str | None]]:
    """kind → (count, link or None) from the flow block."""
    block = html.split('id="flow-title"')[1].split("</section>")[0]
    numbers = {}
    for kind, cell in re.findall(r'<tr data-kind="([a-z_]+)">.*?<td>(.*?)</td>', block, re.S):
        link = re.search(r'<a href="([^"]+)" data-count="(\d+)"', cell)
        if link:
            numbers[kind] = (int(link.group(2)), link.group(1))
        else:
            numbers[kind] = (int(re.search(r'data-count="(\d+)"', cell).group(1)), None)
    return numbers


def test_each_number_of_the_process_director_links_to_a_list_of_exactly_that_many_items(client, world):
    """Issue 13 item 1: every linked number equals the rows of the list behind it (the list reads
    through the policy), and nothing of another region is counted."""
    region_a = world["a"]
    _flow_world(region_a)
    _flow_world(world["b"], family_name="Elders")
    with time_machine.travel(timezone.now() + timedelta(days=LATER), tick=False):
        login(client, region_a.users["process_director"])
        response = client.get(reverse("insight:overview"))
        assert response.status_code == 200
        numbers = _numbers(response.content.decode())
        assert set(numbers) == {"signals_waiting", "weighings_open", *selectors.LISTS}
        for kind, (count, link) in numbers.items():
            if kind in selectors.LISTS:
                assert link == reverse(selectors.LISTS[kind].url_name)
                assert count == 1, kind  # region b's are not counted
                page = client.get(link)
                assert page.status_code == 200
                html = page.content.decode()
                assert html.count('class="flow-row"') == count, kind
                assert f'data-total="{count}"' in html
        # The dashboard shows the same block.
        assert _numbers(client.get(reverse("web:dashboard")).content.decode()) == numbers


def test_the_signal_side_numbers_are_counts_without_a_link_with_their_age(client, region_a):
    """The process director may count the signals waiting and the weighings open in the region
    (Action.INSIGHT_FLOW_VIEW) but not open them — those lists are the signal side's."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = register_signal(region_a.users["intake"], subject=subject_data(family_name="Oud"), fields=signal_fields())
        weighed = register_signal(
            region_a.users["intake"], subject=subject_data(family_name="Weging"), fields=signal_fields()
        )
        send_to_weighing(region_a.users["intake"], signal=weighed.signal)
    with time_machine.travel(start + timedelta(days=10), tick=False):
        register_signal(region_a.users["intake"], subject=subject_data(family_name="Nieuw"), fields=signal_fields())
    with time_machine.travel(start + timedelta(days=20), tick=False):
        numbers = {n.kind: n for n in selectors.flow(region_a.users["process_director"])}
        waiting = numbers["signals_waiting"]
        assert waiting.count == 2 and waiting.url is None
        assert [b.count for b in waiting.bands] == [0, 0, 1, 1]  # 10 days and 20 days
        assert numbers["weighings_open"].count == 1 and numbers["weighings_open"].url is None
        login(client, region_a.users["process_director"])
        html = client.get(reverse("insight:overview")).content.decode()
        assert _numbers(html)["signals_waiting"] == (2, None)
        assert old.signal.reference not in html


@pytest.mark.parametrize("key", ["analyst", "case_director", "intake", "weigher_gemeente", "mayor"])
def test_only_the_process_director_gets_the_flow(region_a, key):
    assert selectors.flow(region_a.users[key]) == []
    assert selectors.dashboard_insight(region_a.users[key]) is None or key == "analyst"


def test_art_6_lid_3_a_closed_case_leaves_the_flow(region_a):
    """Wet PGA art. 6 lid 3: a closed case's data are blocked — its review, actions, tasks and
    interventions are no longer counted, nor listed (the lists read through the same scopes)."""
    case = _flow_world(region_a)
    transition_case(
        region_a.users["case_director"],
        case=case,
        target="closed",
        reason="Klaar",
        closure_reason="verhuisd",
        override_open_work="Betrokkene is verhuisd (fictief).",
    )
    with time_machine.travel(timezone.now() + timedelta(days=LATER), tick=False):
        director = region_a.users["process_director"]
        numbers = {n.kind: n.count for n in selectors.flow(director)}
        for kind in ("reviews_due", "actions_overdue", "tasks_overdue", "interventions_drifting"):
            assert numbers[kind] == 0, kind
            assert selectors.flow_rows(director, kind) == []
        assert numbers["meetings_planned"] == 1  # the meeting itself is no case data


def test_a_list_behind_a_number_is_logged_as_a_list(client, region_a):
    """The lists behind the numbers show case references: listing them is recorded (art. 17)."""
    case = _flow_world(region_a)
    with time_machine.travel(timezone.now() + timedelta(days=LATER), tick=False):
        login(client, region_a.users["process_director"])
        client.get(reverse("insight:flow_reviews"))
    assert ProcessingLogEntry.objects.filter(action="list", object_type="case", object_id=case.pk).exists()


def test_the_flow_costs_the_same_queries_for_one_or_many_cases(client, region_a):
    def measure():
        with time_machine.travel(timezone.now() + timedelta(days=LATER), tick=False):
            login(client, region_a.users["process_director"])
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("insight:overview")).status_code == 200
        return len(ctx.captured_queries)

    first = _flow_world(region_a, family_name="Een")
    measure()  # the processing activities are looked up once per day and process
    small = measure()
    for n in range(3):
        _flow_world(region_a, family_name=f"Meer {n}", meeting=first.meeting)
    assert measure() == small
    # The flow: two aggregates of the signal side, one count per list (two for the drifting
    # interventions); the headline: one read per fact (four groupings of the signals, the
    # interventions), the region and its gemeenten, and its processing-log entry (lock, chain head,
    # audit record, entry); the session, the user, the database scope (set and reset), the menu.
    assert small <= 50


#: Where the analyst may go: the frame (dashboard, own account) and pages of aggregates. The
#: lists behind the process director's numbers (insight:flow_*) are person-level.
AGGREGATE_NAMESPACES = {"web", "work", "accounts", "insight", "reporting", "policy_signals", "national"}
#: The insight pages the analyst reaches (the reports of reporting have their own tests).
ANALYST_PAGES = ["insight:overview", "insight:recognition", "insight:measures"]


def test_analyst_reaches_reports_and_no_person_level_page(client, world, objects):
    """Need-to-know (DESIGN.md: the analyst sees aggregates only, never a person): walking every
    web route of the authorization matrix, the analyst is refused (403 or 404; 405 for a verb the
    route does not have) on every page about persons — signals, weighings, cases, subjects, plans,
    meetings, timelines, the journal, governance, the lists behind the director's numbers — and
    the routes granted to the analyst are all frame or aggregate pages."""
    login(client, world["a"].users["analyst"])
    failures = []
    for route, (kwargs_key, grants) in sorted(MATRIX.items()):
        granted = any("analyst" in users for users in grants.values())
        namespace = route.split(":")[0]
        if granted:
            if namespace not in AGGREGATE_NAMESPACES or route.startswith("insight:flow_"):
                failures.append(f"{route} is granted to the analyst but is not an aggregate page")
            continue
        url = reverse(route, kwargs=objects[kwargs_key])
        for verb in ("get", "post"):
            with transaction.atomic():
                status = getattr(client, verb)(url).status_code
                transaction.set_rollback(True)
            if status not in (403, 404, 405):
                failures.append(f"{verb.upper()} {route} → {status}")
    assert failures == []
    for name in ANALYST_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


# ---------------------------------------------------------------- item 5: the recognition-bias monitor


def test_wilson_interval_known_values():
    """The 95 % Wilson score interval against published values (Newcombe 1998, Stat. Med. 17:857,
    table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611; 1/29 → 0.0061–0.1718)."""
    for (k, n), (low, high) in {
        (81, 263): (0.2553, 0.3662),
        (15, 148): (0.0624, 0.1605),
        (0, 20): (0.0, 0.1611),
        (1, 29): (0.0061, 0.1718),
        (5, 10): (0.2366, 0.7634),
    }.items():
        got = monitor.wilson(k, n)
        assert got == pytest.approx((low, high), abs=0.00006), (k, n, got)
    assert monitor.wilson(10, 10)[1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        monitor.wilson(3, 0)


def test_a_group_is_flagged_only_when_its_whole_interval_lies_below_the_comparison():
    assert monitor.flagged((0.10, 0.30), 0.35)
    assert not monitor.flagged((0.10, 0.36), 0.35)  # the interval reaches the comparison
    assert not monitor.flagged((0.10, 0.35), 0.35)  # touching is not below
    assert not monitor.flagged(None, 0.35)  # no interval (suppressed): no flag
    assert not monitor.flagged((0.10, 0.30), None)


def test_a_rate_needs_both_numerator_and_denominator_published():
    """Art. 18 / AVG art. 5 lid 1 c: no rate (and so no interval or flag) from a suppressed count."""
    shown, small, hidden = Published(12), Published(None, PRIMARY), Published(None, SECONDARY)
    assert monitor.Rate.of(shown, Published(8)).value == pytest.approx(0.6)
    assert monitor.Rate.of(shown, Published(8)).weighed.value == 20
    for included, not_included in ((small, shown), (shown, small), (hidden, shown), (shown, hidden)):
        rate = monitor.Rate.of(included, not_included)
        assert rate.value is None and rate.interval is None and not rate.weighed.shown
    assert monitor.Rate.of(Published(0), Published(0)).value is None  # nothing weighed


def _figures(fact, cells):
    period = Period.year(2026)
    quarters = {q: dict(cells) for q in period.quarters()}
    return Figures(fact, Scope.nation(), period, dict(cells), quarters)


def test_shared_marginals_hidden_in_one_fact_hide_the_line_in_every_fact():
    """The four grouping facts count the same signals: a total by outcome one fact had to hide
    (its complementary suppression) is hidden — with its whole outcome column — in all of them,
    so no fact's hidden cells can be derived from another fact's published total."""
    gender, phenomenon = facts.RECOGNITION["geslacht"], facts.RECOGNITION["fenomeen"]

    def cells(fact, hide_total_included):
        grid = {(g, o): Published(10) for g in [*fact.dims[0].codes, TOTAL] for o in [*fact.dims[1].codes, TOTAL]}
        if hide_total_included:
            grid[(TOTAL, facts.INCLUDED)] = Published(None, SECONDARY)
        return grid

    aligned = monitor.align([_figures(gender, cells(gender, True)), _figures(phenomenon, cells(phenomenon, False))], 1)
    for figures in aligned:
        for code in [*figures.fact.dims[0].codes, TOTAL]:
            assert not figures.cell(code, facts.INCLUDED).shown
            assert figures.cell(code, facts.NOT_INCLUDED).shown
        for quarter in figures.period.quarters():
            assert not figures.quarters[quarter][(TOTAL, facts.INCLUDED)].shown
    # Nothing to align: unchanged.
    same = monitor.align([_figures(gender, cells(gender, False)), _figures(phenomenon, cells(phenomenon, False))], 1)
    assert all(cell.shown for figures in same for cell in figures.cells.values())


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_align_only_hides_and_leaves_every_shared_total_alike_in_all_facts(data):
    """Property: whatever the facts hid, aligning hides nothing less, and afterwards each total by
    outcome is shown in every fact or in none — and where it is hidden, so is its whole column."""
    parts = []
    for fact in (facts.RECOGNITION["geslacht"], facts.RECOGNITION["leeftijd"]):
        keys = [(g, o) for g in [*fact.dims[0].codes, TOTAL] for o in [*fact.dims[1].codes, TOTAL]]
        hidden = data.draw(st.sets(st.sampled_from(keys)))
        parts.append(_figures(fact, {k: Published(None, SECONDARY) if k in hidden else Published(7) for k in keys}))
    aligned = monitor.align(parts, 1)
    for before, after in zip(parts, aligned, strict=True):
        assert all(after.cells[k].shown <= cell.shown for k, cell in before.cells.items())
    for outcome in [*facts.OUTCOME.codes, TOTAL]:
        shown = {figures.cell(TOTAL, outcome).shown for figures in aligned}
        assert len(shown) == 1
        if shown == {False}:
            assert not any(cell.shown for f in aligned for k, cell in f.cells.items() if k[1] == outcome)


def test_age_band_at_the_signal_date():
    on = date(2026, 6, 1)
    assert facts.age_band(date(2008, 6, 2), on) == "tot_18"  # 17 until tomorrow
    assert facts.age_band(date(2008, 6, 1), on) == "18_22"
    assert facts.age_band(date(2003, 6, 2), on) == "18_22"  # 22
    assert facts.age_band(date(2003, 6, 1), on) == "23_29"
    assert facts.age_band(date(1996, 6, 1), on) == "30_44"
    assert facts.age_band(date(1981, 6, 1), on) == "45_plus"
    assert facts.age_band(None, on) == facts.UNKNOWN


_signals = iter(range(100_000))


def _signals_of(world_region, n, *, gender, status):
    """``n`` signals about different persons of ``gender``, moved to ``status`` (the facts read
    the status only; the flow that gets a signal there is tested elsewhere)."""
    pks = []
    for _n in range(n):
        subject = subject_data(family_name=f"Persoon {next(_signals)}", gender=gender)
        pks.append(register_signal(world_region.users["intake"], subject=subject, fields=signal_fields()).signal.pk)
    Signal.objects.filter(pk__in=pks).update(status=status)


def _recognition_world(world):
    """Region a: men 15 of 20 weighed included, women 5 of 20, 3 of another gender and 6 of unknown
    gender not yet decided (the 3 is suppressed, the 6 is its complement); region b: men 15 of 20
    included. Nation: 35 of 60 weighed included (58 %)."""
    a, b = world["a"], world["b"]
    _signals_of(a, 6, gender="unknown", status=signal_states.IN_WEIGHING)
    _signals_of(a, 15, gender="man", status=signal_states.INCLUDED)
    _signals_of(a, 5, gender="man", status=signal_states.REFERRED)
    _signals_of(a, 5, gender="vrouw", status=signal_states.INCLUDED)
    _signals_of(a, 15, gender="vrouw", status=signal_states.NO_ACTION)
    _signals_of(a, 3, gender="anders", status=signal_states.RECEIVED)
    _signals_of(b, 15, gender="man", status=signal_states.INCLUDED)
    _signals_of(b, 5, gender="man", status=signal_states.NO_ACTION)


def _rows(html: str) -> dict[str, list[str]]:
    table = html.split('class="table recognition"')[1].split("</table>")[0]
    rows = {}
    for group, cells in re.findall(r'<tr data-group="([a-z_]+)"[^>]*>(.*?)</tr>', table, re.S):
        rows[group] = [
            unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", cells, re.S)
        ]
    return rows


def test_women_are_flagged_as_possibly_less_recognised_against_the_nation(client, world):
    """Issue 13 item 5 (Inspectie 2024: women are recognised less well): the analyst sees per
    gender the signals, weighed, included, the rate with its Wilson interval and the nation's rate;
    women (5 of 20, interval 11–47 %) lie wholly below the nation's 58 %: flagged; men are not;
    the 3 signals of another gender show as "< 5" with no rate and no flag."""
    _recognition_world(world)
    login(client, world["a"].users["analyst"])
    response = client.get(reverse("insight:recognition"), {**_choice(world["a"]), "indeling": "geslacht"})
    assert response.status_code == 200
    html = response.content.decode()
    rows = _rows(html)
    # label, signals, weighed, included, rate, interval, nation's rate, flag
    assert rows["vrouw"][1:5] == ["20", "20", "5", "25,0 %"]
    assert rows["vrouw"][5] == "11,2 % – 46,9 %"
    assert rows["vrouw"][-1] == "mogelijk minder herkend"
    assert rows["man"][1:5] == ["20", "20", "15", "75,0 %"] and rows["man"][-1] == "—"
    assert rows["anders"][1] == "< 5" and rows["anders"][4] == "—" and rows["anders"][-1] == "—"
    assert rows[TOTAL][-1] == "—"  # the total itself is never flagged
    assert "Aandeel in Landelijk" in html and "58,3 %" in html
    assert "geen bewijs van vooringenomenheid" in html
    # The chart over quarters: an SVG with its title, drawn from published cells only.
    chart = html.split('<figure class="report-chart">')[1].split("</figure>")[0]
    assert "<svg" in chart and "Signalen per kwartaal naar Geslacht" in chart
    assert "Anders / niet vastgelegd — " in chart and "< 5" in unescape(chart)


def test_the_process_director_compares_with_the_region_only(client, world):
    """can_report_on: the nation is the analyst's (and functional admin's); the process director's
    comparison is the region's own total."""
    _recognition_world(world)
    login(client, world["a"].users["process_director"])
    html = client.get(reverse("insight:recognition"), {"indeling": "geslacht"}).content.decode()
    assert "Landelijk" not in html
    rows = _rows(html)
    # The region's own weighed signals: 20 of 40 included (50 %); women's interval (to 46.9 %) lies below.
    assert rows["vrouw"][-1] == "mogelijk minder herkend"
    assert rows["man"][-1] == "—"


def _choice(world_region, **extra):
    current = Quarter.of(timezone.localdate())
    return {
        "gebied": f"region:{world_region.region.pk}",
        "first": Quarter(current.year, 1).code,
        "last": current.code,
        **extra,
    }


def _previous(quarter: Quarter) -> Quarter:
    return Quarter(quarter.year - 1, 4) if quarter.number == 1 else Quarter(quarter.year, quarter.number - 1)


BAD_CHOICES = {
    "future": (lambda q: {"first": Quarter(q.year + 1, 1).code, "last": Quarter(q.year + 1, 1).code}, "geldige keuze"),
    "empty": (lambda q: {"first": q.code, "last": _previous(q).code}, "De periode is leeg"),
    "nation": (lambda q: {"gebied": "nation"}, "U mag over dit gebied niet rapporteren."),
    "unknown area": (lambda q: {"gebied": "region:00000000-0000-0000-0000-000000000000"}, "U mag over dit gebied"),
    "NUL byte": (lambda q: {"first": "2026-K1\x00"}, "geldige keuze"),
}


@pytest.mark.parametrize("bad", sorted(BAD_CHOICES))
def test_bad_choices_are_refused_with_a_dutch_message_and_nothing_is_read(client, world, bad):
    """Issue 13 'Bad input': an empty period, a period in the future (not a choice), an area the
    user may not report on (the nation for the process director, an unknown region), a hostile
    value: 400 with a Dutch message, no figures and no processing-log entry."""
    change, message = BAD_CHOICES[bad]
    login(client, world["a"].users["process_director"])
    before = ProcessingLogEntry.objects.filter(purpose="accountability").count()
    data = {**_choice(world["a"], indeling="geslacht"), **change(Quarter.of(timezone.localdate()))}
    for name in ("insight:recognition", "insight:measures"):
        response = client.get(reverse(name), data)
        assert response.status_code == 400, name
        html = response.content.decode()
        assert message in html, name
        assert "table recognition" not in html and "table measures" not in html
    assert ProcessingLogEntry.objects.filter(purpose="accountability").count() == before


def test_an_unknown_grouping_is_refused(client, world):
    login(client, world["a"].users["analyst"])
    response = client.get(reverse("insight:recognition"), _choice(world["a"], indeling="religie"))
    assert response.status_code == 400 and "geldige keuze" in response.content.decode()


def test_generating_the_figures_is_logged_once_per_region_read(client, world):
    """Generating figures reads personal data in bulk: one entry per region read, purpose
    'accountability' (the nation comparison of the analyst reads every region)."""
    login(client, world["a"].users["analyst"])
    client.get(reverse("insight:recognition"))
    entries = ProcessingLogEntry.objects.filter(purpose="accountability", action="read", object_type="region")
    assert {str(e.object_id) for e in entries} == {str(world["a"].region.pk), str(world["b"].region.pk)}
    login(client, world["a"].users["process_director"])
    assert client.get(reverse("insight:measures")).status_code == 200
    assert entries.all().count() == 3


def test_the_monitor_costs_the_same_queries_for_few_or_many_signals(client, world):
    login(client, world["a"].users["analyst"])

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("insight:recognition"), {"indeling": "leeftijd"}).status_code == 200
        return len(ctx.captured_queries)

    _signals_of(world["a"], 2, gender="vrouw", status=signal_states.INCLUDED)
    measure()  # the processing activities are looked up once per day and process
    small = measure()
    _recognition_world(world)
    assert measure() == small
    # One read per fact, region and year (four groupings × two regions for the nation), the
    # regions and their gemeenten, the processing-log entry, the session, user, scope and menu.
    assert small <= 60, small


def test_the_four_groupings_read_the_signals_once_per_region_and_year(world):
    """The four recognition facts count the same signals: one read serves them all."""
    _signals_of(world["a"], 2, gender="vrouw", status=signal_states.INCLUDED)
    current = Quarter.of(timezone.localdate())
    with CaptureQueriesContext(connection) as ctx:
        monitor.recognition(
            "geslacht", Scope.region(world["a"].region), Period(Quarter(current.year, 1), current), compare_with=[]
        )
    assert len([q for q in ctx.captured_queries if 'FROM "signals_signal"' in q["sql"]]) == 1


# ---------------------------------------------------------------- item 7: per-measure progress


def _interventions(world_region, n, *, end_early=0, code="zorg_ggz"):
    case = make_case(world_region, family_name=f"Maatregel {next(_signals)}")
    director = world_region.users["case_director"]
    entry = CatalogueEntry.objects.get(code=code, is_active=True)
    today = timezone.localdate()
    for i in range(n):
        intervention = plan_services.add_intervention(
            director,
            case=case,
            entry_code=code,
            organisation=world_region.orgs[entry.organisation_kinds[0]],
            starts_on=today,
            planned_end=today + timedelta(days=90),
        )
        if i < end_early:
            plan_services.end_intervention(director, case=case, intervention_id=intervention.pk, ended_on=today)
    return case


def test_per_measure_use_by_organisation_kind_and_result(world):
    """Issue 13 item 7: interventions started per catalogue measure, per kind of organisation
    carrying it out, per result (running, completed, stopped early) — protected."""
    _interventions(world["a"], 15, end_early=5)
    scope = Scope.region(world["a"].region)
    current = Quarter.of(timezone.localdate())
    period = Period(Quarter(current.year, 1), current)
    groups, overall = monitor.measures(scope, period)
    assert [str(g.name) for g in groups] == [CatalogueEntry.objects.get(code="zorg_ggz", is_active=True).name]
    [row] = groups[0].rows
    assert str(row.label) == "GGZ / zorg"
    # running, completed, stopped early, total
    assert [c.display for c in row.cells] == ["10", "0", "5", "15"]
    assert [c.display for c in overall.cells] == ["10", "0", "5", "15"]
    assert facts.result_of(None, date(2026, 3, 1)) == facts.RUNNING
    assert facts.result_of(date(2026, 3, 1), date(2026, 3, 1)) == facts.COMPLETED
    assert facts.result_of(date(2026, 2, 1), date(2026, 3, 1)) == facts.STOPPED


def test_a_small_number_of_uses_is_suppressed_on_the_analysts_page(client, world):
    """Art. 18 Wet PGA, AVG art. 5 lid 1 c: 6 uses of which 1 stopped early — the 1 shows as
    "< 5" and no published cell of that line lets it be derived."""
    _interventions(world["a"], 6, end_early=1)
    login(client, world["a"].users["analyst"])
    response = client.get(reverse("insight:measures"))
    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('class="table measures"')[1].split("</table>")[0]
    line = re.search(r"GGZ / zorg</th>(.*?)</tr>", table, re.S).group(1)
    cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", line)]
    assert cells[2] == "< 5"
    shown = [int(c) for c in cells if c.isdigit()]
    # running + completed + stopped = total: with the stopped cell hidden, at least one other is too.
    assert sum(1 for c in cells if not c.isdigit()) >= 2, cells
    assert 1 not in shown


def test_the_analysts_pages_link_to_no_person_level_page(client, world):
    """The analyst's dashboard and insight pages link only to frame and aggregate pages (never to a
    list of signals, cases or the lists behind the director's numbers)."""
    _flow_world(world["a"])
    _recognition_world(world)
    login(client, world["a"].users["analyst"])
    for name in ("web:dashboard", "insight:overview", "insight:recognition", "insight:measures"):
        html = client.get(reverse(name)).content.decode()
        links = [h for h in re.findall(r'href="(/[^"#?]*)', html) if not h.startswith("/static/")]
        assert links, name
        for href in links:
            view = resolve(href).view_name
            assert view.split(":")[0] in AGGREGATE_NAMESPACES and not view.startswith("insight:flow_"), (name, href)
