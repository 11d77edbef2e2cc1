"""The annual report of Wet PGA art. 18 (issue 13 item 2, ADR 0040).

Art. 18 lid 1: a casusoverleg reports yearly on the effectiveness and usefulness of the exchanged
data, "voor zover dit de verwezenlijking van de doeleinden van het casusoverleg niet onmogelijk
dreigt te maken of ernstig in het gedrang dreigt te brengen" (the redaction step); several may
report jointly. Lid 2: made public on the internet (the publication-ready HTML page and PDF).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from casustafel.core.errors import PolicyDenied
from casustafel.corrections.services import correct_item
from casustafel.governance.informing import record_informing_decision
from casustafel.governance.services import handle_objection, record_withheld, register_objection
from casustafel.journal.services import add_entry
from casustafel.processing_log.models import ProcessingLogEntry, Purpose
from casustafel.reporting import render
from casustafel.reporting.annual import facts, services
from casustafel.reporting.annual.content import build_content
from casustafel.reporting.annual.examples import render_example
from casustafel.reporting.annual.sections import SECTIONS
from casustafel.reporting.models import AnnualReport, Redaction
from casustafel.retention.services import place_hold, record_necessity_review

from .conftest import make_case
from .helpers import login

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
JOURNAL_ENTRIES = 5


def annual_data(world_region) -> dict:
    """One case of the region with every kind of unit the report counts: three contributions (all
    decisive), five journal updates by the ZVH, data withheld by the politie, a deferred informing
    decision, a rejected objection, a corrected signal, a necessity review and a legal hold."""
    users = world_region.users
    case = make_case(world_region, family_name="Jaarverslag")
    for number in range(JOURNAL_ENTRIES):
        add_entry(
            users["case_director"],
            case=case,
            text=f"Update {number} (fictief).",
            legal_basis="wet-pga",
            classification="ordinary",
        )
    record_withheld(
        users["weigher_politie"], subject=case.subject, data_category="police_data", reason="ongoing_investigation"
    )
    today = timezone.localdate()
    record_informing_decision(
        users["case_director"],
        case=case,
        outcome="deferred",
        ground="d_criminal_offences",
        motivation="Lopend onderzoek (fictief).",
        review_on=today + dt.timedelta(days=30),
    )
    objection = register_objection(users["case_director"], case=case, received_on=today, summary="Bezwaar (fictief).")
    handle_objection(users["case_director"], objection=objection, outcome="ongegrond", rationale="Fictief.")
    signal = case.origin_decision.weighing.signals.first()
    correct_item(users["intake"], item=signal, changes={"facts": "Gecorrigeerd (fictief)."}, reason="Onjuist.")
    record_necessity_review(
        users["privacy_officer"], subject=case.subject, outcome="still_necessary", reason="Casus loopt."
    )
    place_hold(
        users["privacy_officer"],
        subject=case.subject,
        reason="complaint",
        explanation="Klacht loopt (fictief).",
        review_date=today + dt.timedelta(days=60),
    )
    return {"case": case}


def annual_report_objects(world_region) -> dict:
    """A draft annual report of the region's table for this year (the authorization matrix)."""
    report = services.create_report(
        world_region.users["process_director"], year=timezone.localdate().year, regions=[world_region.region]
    )
    return {"annual_report": {"pk": report.pk}}


def _rows(fact, region):
    year = timezone.localdate().year
    return list(fact.rows(region, dt.date(year, 1, 1), dt.date(year, 12, 31)))


def _codes_in_dimensions(fact, rows):
    for row in rows:
        for code, dimension in zip(row[2:], fact.dims, strict=True):
            assert code in {c for c, _label in dimension.categories}, (fact.name, code)


# ------------------------------------------------------------------ facts: each unit once


def test_art_18_facts_count_each_unit_of_exchanged_data_once(region_a):
    """Art. 18 with art. 4, 5, 7, 9, 10, 11: each fact yields one row per unit, with known codes."""
    annual_data(region_a)
    region = region_a.region
    expected = {
        facts.WEIGHING_DATA: 3,  # gemeente, politie and OM each held information (art. 4 c)
        facts.PLAN_DATA: JOURNAL_ENTRIES,
        facts.CONTRIBUTION_EFFECT: 3,
        facts.CORRECTIONS: 1,
        facts.WITHHELD: 1,
        facts.TRANSFERS: 0,
        facts.TRANSFER_OBJECTIONS: 0,
        facts.OBJECTIONS: 1,
        facts.INFORMING: 1,
        facts.DESTRUCTION: 0,
        facts.RETENTION_REVIEWS: 2,
    }
    for fact, count in expected.items():
        rows = _rows(fact, region)
        assert len(rows) == count, fact.name
        _codes_in_dimensions(fact, rows)
    assert {r[2:] for r in _rows(facts.CONTRIBUTION_EFFECT, region)} == {
        ("gemeente", facts.DECISIVE),
        ("politie", facts.DECISIVE),
        ("om", facts.DECISIVE),
    }
    assert {r[2:] for r in _rows(facts.PLAN_DATA, region)} == {("zvh", "plan_of_action")}
    assert _rows(facts.WITHHELD, region)[0][2:] == ("politie", "police_data")
    assert _rows(facts.INFORMING, region)[0][2:] == ("d_criminal_offences", "deferred")
    assert _rows(facts.OBJECTIONS, region)[0][2:] == ("ongegrond",)
    assert _rows(facts.CORRECTIONS, region)[0][2:] == ("gemeente", "signal")
    assert sorted(r[2] for r in _rows(facts.RETENTION_REVIEWS, region)) == ["hold_placed", "necessity_still"]


def test_facts_of_one_table_never_count_another_tables_units(world):
    """Each table reports on its own exchanged data (art. 18 lid 1: "een casusoverleg")."""
    annual_data(world["a"])
    for fact in (facts.WEIGHING_DATA, facts.PLAN_DATA, facts.WITHHELD, facts.INFORMING):
        assert _rows(fact, world["b"].region) == []


def test_a_contribution_whose_view_was_not_the_decision_is_not_decisive(region_a):
    """Art. 5 lid 3: decisive means the party's view became the eensluidende beoordeling."""
    case = make_case(region_a)
    decision = case.origin_decision
    decision.basis["om"]["view"] = "geen_actie"
    decision.basis["politie"]["holds_information"] = False
    decision.save(update_fields=["basis"])
    effects = {r[2]: r[3] for r in _rows(facts.CONTRIBUTION_EFFECT, region_a.region)}
    assert effects == {"gemeente": facts.DECISIVE, "politie": facts.NO_INFORMATION, "om": facts.OTHER_VIEW}


# ------------------------------------------------------------------ the report: sections, suppression, redaction


def _year():
    return timezone.localdate().year


def _draft(world_region, **kwargs):
    return services.create_report(world_region.users["process_director"], year=_year(), regions=[world_region.region])


def _table(content, fact):
    for section in content["sections"]:
        for table in section["tables"]:
            if table["fact"] == fact.name:
                return table
    raise AssertionError(fact.name)


def _cell(table, row_label, column_label):
    column = table["columns"].index(column_label)
    for label, cells in table["rows"]:
        if label == row_label:
            return cells[column]
    raise AssertionError(row_label)


def test_the_report_has_every_section_of_art_18_and_suppresses_small_counts(region_a):
    """Art. 18 lid 1: the sections on exchanged data, usefulness, withheld data, transfers and
    objections, informing and retention; a count of 1–4 shows "< 5", never the number."""
    annual_data(region_a)
    content = build_content(_draft(region_a))
    assert [s["title"] for s in content["sections"]] == [str(s.title) for s in SECTIONS]
    effect = _table(content, facts.CONTRIBUTION_EFFECT)
    # Three decisive contributions (one per core party): the total is 3 and shows "< 5".
    assert _cell(effect, "Totaal", "Bepalend: standpunt werd het eensluidende besluit") == "< 5"
    plan = _table(content, facts.PLAN_DATA)
    assert _cell(plan, "Zorg- en Veiligheidshuis", "e. Gegevens voor het plan van aanpak") == str(JOURNAL_ENTRIES)
    displayed = {value for table in (effect, plan) for _label, cells in table["rows"] for value in cells}
    assert not displayed & {"1", "2", "3", "4"}


def test_a_left_out_section_shows_its_reason_under_art_18_lid_1_and_no_figures(region_a, client):
    """Art. 18 lid 1: what would endanger the purposes is left out, with the reason shown."""
    annual_data(region_a)
    report = _draft(region_a)
    director = region_a.users["process_director"]
    services.leave_out(director, report=report, target="section:withheld", reason="Zou lopend onderzoek schaden.")
    services.leave_out(director, report=report, target=f"table:{facts.INFORMING.name}", reason="Te herleidbaar.")
    content = build_content(report)
    withheld = next(s for s in content["sections"] if s["code"] == "withheld")
    assert withheld["redaction"] == {"reason": "Zou lopend onderzoek schaden.", "ground": "art. 18 lid 1"}
    assert withheld["tables"] == []
    informing = _table(content, facts.INFORMING)
    assert informing["redaction"]["reason"] == "Te herleidbaar." and "rows" not in informing
    login(client, director)
    page = client.get(reverse("reporting:annual_detail", kwargs={"pk": report.pk})).content.decode()
    assert "Weggelaten op grond van art. 18 lid 1 Wet PGA." in page and "Zou lopend onderzoek schaden." in page
    csv_text = client.get(reverse("reporting:annual_csv", kwargs={"pk": report.pk})).content.decode()
    assert "weggelaten op grond van art. 18 lid 1 Wet PGA: Te herleidbaar." in csv_text


def test_leaving_out_needs_a_reason_and_a_known_part(region_a, client):
    """Art. 18 lid 1: a part is left out only with its reason; Dutch messages, 400, nothing written."""
    report = _draft(region_a)
    login(client, region_a.users["process_director"])
    url = reverse("reporting:annual_leave_out", kwargs={"pk": report.pk})
    response = client.post(url, {"target": "section:withheld", "reason": "  "})
    assert response.status_code == 400 and "Dit veld is vereist." in response.content.decode()
    response = client.post(url, {"target": "section:onbekend", "reason": "Reden"})
    assert response.status_code == 400
    assert not Redaction.objects.exists()
    with pytest.raises(ValidationError, match="Geef de reden"):
        services.leave_out(region_a.users["process_director"], report=report, target="section:withheld", reason="")


def _publish(world_region, report):
    director, mayor = world_region.users["process_director"], world_region.users["mayor"]
    services.finish_redaction(director, report=report)
    with time_machine.travel(dt.datetime(report.year + 1, 1, 15, 10, tzinfo=AMSTERDAM), tick=False):
        return services.publish(mayor, report=report)


def test_the_published_report_is_frozen_and_never_changes(region_a, client):
    """Art. 18 lid 2: what was made public stays as it was, also when data change afterwards."""
    annual_data(region_a)
    report = _draft(region_a)
    report = _publish(region_a, report)
    assert report.state == "published" and report.snapshot["year"] == report.year
    frozen = report.snapshot
    # More data of the same year afterwards: the published report does not follow.
    make_case(region_a, family_name="Later")
    login(client, region_a.users["analyst"])
    response = client.get(reverse("reporting:annual_csv", kwargs={"pk": report.pk}))
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.snapshot == frozen
    for write in (
        lambda: services.leave_out(
            region_a.users["process_director"], report=report, target="section:withheld", reason="R"
        ),
        lambda: services.reopen_redaction(region_a.users["process_director"], report=report),
        lambda: services.publish(region_a.users["mayor"], report=report),
    ):
        with pytest.raises(ValidationError):
            write()
    report.refresh_from_db()
    assert report.snapshot == frozen and not report.redactions.exists()
    # The database refuses a published report without its snapshot.
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.filter(pk=report.pk).update(snapshot=None)


def test_the_snapshot_holds_displayed_strings_only(region_a):
    """Never a raw count below the threshold in what is published: every cell is a display string."""
    annual_data(region_a)
    report = _publish(region_a, _draft(region_a))
    for section in report.snapshot["sections"]:
        for table in section["tables"]:
            for _label, cells in table["rows"]:
                assert all(isinstance(v, str) and v not in {"1", "2", "3", "4"} for v in cells)


def test_publishing_waits_for_the_end_of_the_year_and_for_the_mayor(region_a):
    """Art. 18: a yearly report, made public by the mayor's table after the year; the process
    director prepares but does not publish."""
    report = _draft(region_a)
    services.finish_redaction(region_a.users["process_director"], report=report)
    with pytest.raises(ValidationError, match="na afloop van het jaar"):
        services.publish(region_a.users["mayor"], report=report)
    with pytest.raises(PolicyDenied):
        services.publish(region_a.users["process_director"], report=report)
    report.refresh_from_db()
    assert report.state == "redacted" and report.snapshot is None


def test_the_mayor_publishes_from_the_report_page_after_the_year(region_a, client):
    """Art. 18 lid 2 with art. 2 lid 1: the mayor, responsible for the casusoverleg, makes it public."""
    annual_data(region_a)
    report = _draft(region_a)
    login(client, region_a.users["process_director"])
    assert client.post(reverse("reporting:annual_finish", kwargs={"pk": report.pk})).status_code == 302
    assert client.post(reverse("reporting:annual_publish", kwargs={"pk": report.pk})).status_code == 404
    login(client, region_a.users["mayor"])
    url = reverse("reporting:annual_publish", kwargs={"pk": report.pk})
    response = client.post(url)
    assert response.status_code == 400 and "na afloop van het jaar" in response.content.decode()
    with time_machine.travel(dt.datetime(report.year + 1, 1, 15, 10, tzinfo=AMSTERDAM), tick=False):
        login(client, region_a.users["mayor"])  # a new session in the new year
        assert client.post(url)["Location"] == reverse("reporting:annual_detail", kwargs={"pk": report.pk})
        page = client.get(reverse("reporting:annual_detail", kwargs={"pk": report.pk})).content.decode()
    assert "Gepubliceerd" in page and "Het gepubliceerde verslag" in page
    report.refresh_from_db()
    assert report.published_by == region_a.users["mayor"] and report.snapshot is not None


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "year, message",
    [
        ("", "Dit veld is vereist."),
        (lambda: str(timezone.localdate().year + 1), "ligt in de toekomst"),
        ("2024", "De Wet PGA geldt sinds 1 juli 2025"),
        ("twintig", "Voer een geheel getal in."),
    ],
)
def test_a_bad_year_is_refused_with_a_dutch_message_and_nothing_written(region_a, client, year, message):
    year = year() if callable(year) else year  # computed when run, not when collected
    login(client, region_a.users["process_director"])
    response = client.post(reverse("reporting:annual_create"), {"year": year, "regions": [region_a.region.pk]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AnnualReport.objects.exists()


def test_no_table_or_a_second_report_of_the_year_is_refused(region_a, client):
    login(client, region_a.users["process_director"])
    url = reverse("reporting:annual_create")
    response = client.post(url, {"year": _year()})
    assert response.status_code == 400 and "Kies de casustafel(s)" in response.content.decode()
    assert client.post(url, {"year": _year(), "regions": [region_a.region.pk]}).status_code == 302
    response = client.post(url, {"year": _year(), "regions": [region_a.region.pk]})
    assert response.status_code == 400 and "bestaat al een jaarverslag" in response.content.decode()
    assert AnnualReport.objects.count() == 1


def test_a_report_on_a_table_that_is_not_yours_is_refused_403(world, client):
    """Art. 18 lid 1: a casusoverleg reports on its own exchanged data; another table only joins itself."""
    login(client, world["a"].users["process_director"])
    response = client.post(reverse("reporting:annual_create"), {"year": _year(), "regions": [world["b"].region.pk]})
    assert response.status_code == 403
    assert "alleen een jaarverslag op voor uw eigen casustafel" in response.content.decode()
    assert not AnnualReport.objects.exists()


def test_another_tables_report_is_not_found(world, client):
    report = _draft(world["a"])
    for key in ("process_director", "mayor", "analyst"):
        login(client, world["b"].users[key])
        assert client.get(reverse("reporting:annual_detail", kwargs={"pk": report.pk})).status_code == 404


# ------------------------------------------------------------------ a joint report (art. 18 lid 1, last sentence)


def test_a_joint_report_counts_a_table_only_once_it_joined_and_publishes_when_all_did(world):
    """Art. 18 lid 1: several casusoverleggen may decide to issue one joint report."""
    a, b = world["a"], world["b"]
    annual_data(a)
    annual_data(b)
    report = services.create_report(a.users["process_director"], year=_year(), regions=[a.region, b.region])
    assert report.joined_region_ids == {a.region.pk}
    plan = _table(build_content(report), facts.PLAN_DATA)
    assert _cell(plan, "Zorg- en Veiligheidshuis", "e. Gegevens voor het plan van aanpak") == "5"
    services.finish_redaction(a.users["process_director"], report=report)
    with time_machine.travel(dt.datetime(report.year + 1, 1, 15, 10, tzinfo=AMSTERDAM), tick=False):
        with pytest.raises(ValidationError, match="Nog niet alle casustafels"):
            services.publish(a.users["mayor"], report=report)
    services.reopen_redaction(a.users["process_director"], report=report)
    with pytest.raises(PolicyDenied):
        services.join_report(b.users["mayor"], report=report)
    services.join_report(b.users["process_director"], report=AnnualReport.objects.get(pk=report.pk))
    report = AnnualReport.objects.get(pk=report.pk)
    content = build_content(report)
    assert content["joint"] and content["regions"] == sorted([a.region.name, b.region.name])
    # Both tables' five updates: 10 in the combined table.
    assert (
        _cell(_table(content, facts.PLAN_DATA), "Zorg- en Veiligheidshuis", "e. Gegevens voor het plan van aanpak")
        == "10"
    )
    report = _publish(a, report)
    assert report.is_published


# ------------------------------------------------------------------ publication: HTML, PDF, CSV


def test_the_pdf_opens_is_tagged_and_has_the_sections(region_a, client):
    """Art. 18 lid 2: a publication-ready, accessible (tagged PDF/UA) document with every section."""
    annual_data(region_a)
    report = _draft(region_a)
    login(client, region_a.users["analyst"])
    response = client.get(reverse("reporting:annual_pdf", kwargs={"pk": report.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert "/StructTreeRoot" in root
    assert root.get("/Lang") == "nl"
    text = " ".join(page.extract_text() for page in reader.pages)
    for section in SECTIONS:
        assert str(section.title) in text
    assert "artikel 18" in text and "< 5" in text


def test_pdftotext_reads_every_section_in_reading_order(region_a, client, tmp_path):
    """Art. 18 lid 2: what Poppler's pdftotext (as text-to-speech and indexing tools read a PDF)
    extracts from the published report has every section, in the order of the report."""
    annual_data(region_a)
    report = _draft(region_a)
    login(client, region_a.users["analyst"])
    pdf = tmp_path / "jaarverslag.pdf"
    pdf.write_bytes(client.get(reverse("reporting:annual_pdf", kwargs={"pk": report.pk})).content)

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    text = " ".join(text.decode("utf-8").split())

    positions = [text.find(" ".join(str(section.title).split())) for section in SECTIONS]
    assert -1 not in positions, positions
    assert positions == sorted(positions)
    assert "< 5" in text


def test_the_html_page_is_standalone_and_the_csv_has_every_cell(region_a, client):
    annual_data(region_a)
    report = _draft(region_a)
    login(client, region_a.users["mayor"])
    html = client.get(reverse("reporting:annual_html", kwargs={"pk": report.pk}))
    body = html.content.decode()
    assert html["Content-Disposition"].startswith("attachment;")
    assert '<html lang="nl">' in body and "<caption>" in body and 'scope="row"' in body
    assert "Jaarverslagen" not in body  # no application menu
    response = client.get(reverse("reporting:annual_csv", kwargs={"pk": report.pk}))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["hoofdstuk", "tabel", "rij", "kolom", "waarde"]
    assert [
        "Bruikbaarheid van de inbreng",
        "Inbreng bij eensluidende besluiten",
        "Totaal",
        "Bepalend: standpunt werd het eensluidende besluit",
        "< 5",
    ] in rows


# ------------------------------------------------------------------ access, log, queries


def test_the_analyst_reads_the_report_but_does_not_prepare_or_publish_it(region_a, client):
    """Need-to-know: the analyst sees aggregates only and changes nothing."""
    report = _draft(region_a)
    analyst = region_a.users["analyst"]
    login(client, analyst)
    assert client.get(reverse("reporting:annual_list")).status_code == 200
    assert client.get(reverse("reporting:annual_detail", kwargs={"pk": report.pk})).status_code == 200
    assert client.get(reverse("reporting:annual_create")).status_code == 403
    assert client.post(reverse("reporting:annual_finish", kwargs={"pk": report.pk})).status_code == 404
    with pytest.raises(PolicyDenied):
        services.create_report(analyst, year=_year(), regions=[region_a.region])


def test_each_generation_and_publication_is_one_row_in_the_processing_log(region_a, client):
    """Compiling the figures reads personal data in bulk: one row per generation (activity
    'accountability'); reading the published snapshot reads none and is not logged."""
    annual_data(region_a)
    report = _draft(region_a)

    def rows():
        return ProcessingLogEntry.objects.filter(object_id=report.pk, purpose=Purpose.ACCOUNTABILITY).count()

    created = rows()
    assert created == 1
    login(client, region_a.users["process_director"])
    client.get(reverse("reporting:annual_detail", kwargs={"pk": report.pk}))
    assert rows() == created + 1
    report = _publish(region_a, report)
    published = rows()
    client.get(reverse("reporting:annual_detail", kwargs={"pk": report.pk}))
    client.get(reverse("reporting:annual_csv", kwargs={"pk": report.pk}))
    assert rows() == published


def test_the_report_page_reads_a_fixed_number_of_queries(region_a, client):
    """The draft page's cost does not grow with the number of persons: one query per fact part
    (the rows), whatever the data; measured at one and at three cases."""
    report = _draft(region_a)
    login(client, region_a.users["process_director"])
    url = reverse("reporting:annual_detail", kwargs={"pk": report.pk})

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    annual_data(region_a)
    small = queries()
    make_case(region_a, family_name="Tweede")
    make_case(region_a, family_name="Derde")
    assert queries() == small
    assert small <= 80


def test_the_rendered_example_is_a_standalone_page_and_a_pdf(region_a, tmp_path):
    """docs/examples/annual-report.{html,pdf} (issue 13): rendered from a region's data, nothing stored."""
    annual_data(region_a)
    html_path, pdf_path = render_example(region_code=region_a.region.code, out_dir=tmp_path)
    assert '<html lang="nl">' in html_path.read_text(encoding="utf-8")
    assert "Uitgewisselde gegevens" in " ".join(p.extract_text() for p in PdfReader(pdf_path).pages)
    assert not AnnualReport.objects.exists()


def test_a_report_pdf_writes_no_layout_progress_to_the_log(caplog):
    """WeasyPrint logs every layout step at INFO; the service's log keeps what operators need."""
    with caplog.at_level(logging.INFO):
        render.pdf_from_html('<html lang="nl"><head><title>J</title></head><body><h1>Jaarverslag</h1></body></html>')
    assert not [r for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))]
