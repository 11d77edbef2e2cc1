"""Retention: the destruction report as PDF (CLI and web download) and CSV download, logged as an export."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from casustafel.cases import states as case_states
from casustafel.cases.services import transition_case
from casustafel.cli import main
from casustafel.demo import decide_jointly
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.retention import services
from casustafel.retention.models import DestructionRun
from casustafel.retention.report_pdf import render_report_pdf
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Outcome
from casustafel.weighing.services import DecisionData

from .conftest import weigh_all
from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db

FIVE_YEARS = 1826
GIVEN, FAMILY, BSN, DOB = "Zebulon", "Quaxtrumvelde", "582937164", date(1987, 11, 23)
FACTS = "Kwispelende-okapi-feit gezien bij het buurthuis"
HELD_FAMILY = "Blokkadepersoon"


def retention_objects(world_region) -> dict:
    """A (proposed, empty) destruction run and a person of the region, for the authorization matrix."""
    run = DestructionRun.objects.create(region=world_region.region, run_date=timezone.localdate())
    subject = Subject.objects.filter(region=world_region.region).order_by("created_at").first()
    assert subject is not None, "the matrix's region has a person (its case)"
    return {"destruction_run": {"pk": run.pk}, "retention_subject": {"pk": subject.pk}}


def _closed_case(world_region, **subject):
    users = world_region.users
    signal = register_signal(users["intake"], subject=subject_data(**subject), fields=signal_fields(facts=FACTS)).signal
    signal = send_to_weighing(users["intake"], signal=signal)
    weigh_all(world_region, signal.weighing)
    case = decide_jointly(
        users["weigher_gemeente"],
        weighing=signal.weighing,
        data=DecisionData(
            outcome=Outcome.INCLUDE, rationale="Samenhangende zorgen.", case_director=users["case_director"]
        ),
    ).case
    return transition_case(
        users["case_director"],
        case=case,
        target=case_states.CLOSED,
        reason="Doelen bereikt.",
        closure_reason="doelen_bereikt",
    )


@pytest.fixture
def approved_run(region_a):
    """An approved run: one person to destroy (name, BSN, free text) and one under a legal hold."""
    destroyed = _closed_case(region_a, given_names=GIVEN, family_name=FAMILY, bsn=BSN, date_of_birth=DOB)
    held = _closed_case(region_a, family_name=HELD_FAMILY)
    officer = region_a.users["privacy_officer"]
    services.place_hold(
        officer,
        subject=held.subject,
        reason="court_case",
        explanation="Zaak bij de rechtbank.",
        review_date=timezone.localdate() + timedelta(days=90),
    )
    on = timezone.localdate() + timedelta(days=FIVE_YEARS)
    run = services.propose_run(region_a.region, on)
    run = services.approve_run(officer, run=run)
    return run, on, destroyed, held


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _assert_no_personal_data(text):
    for secret in (
        GIVEN,
        FAMILY,
        HELD_FAMILY,
        BSN,
        FACTS,
        "Zaak bij de rechtbank",
        DOB.isoformat(),
        DOB.strftime("%d-%m-%Y"),
        "23 november 1987",
    ):
        assert secret not in text, secret


def test_pdf_report_lists_run_items_and_totals_without_personal_data(approved_run, region_a):
    run, on, destroyed, held = approved_run
    before = _text(render_report_pdf(run))  # persons still exist: nothing of them may leak into the report
    assert run.reference in before and "Status Goedgekeurd" in before and "nog niets vernietigd" in before
    _assert_no_personal_data(before)

    run = services.execute_run(run, on)
    text = _text(render_report_pdf(run))
    assert text.startswith(f"Vernietigingsverslag {run.reference}")
    assert region_a.region.code in text and "Uitgevoerd" in text
    assert region_a.users["privacy_officer"].username in text
    # Art. 9 Wet PGA: the report names the rule and the version that applied to each item.
    assert "Casus afgesloten" in text and "v2" in text and "Bevestigd" in text
    assert "laatste verwerking (art. 9 Wet PGA)" in text and "versie 2" in text
    for case in (destroyed, held):
        assert case.reference in text
    assert f"{destroyed.reference} Casus afgesloten" in text
    assert "Vernietigd" in text and "Opgeschort: juridische blokkade" in text
    assert on.strftime("%d-%m-%Y") in text and "nee" in text
    assert "Gegevens in de ronde 2" in text and "Personen vernietigd 1" in text
    assert "Personen opgeschort door juridische blokkade 1" in text and "Personen overgeslagen 0" in text
    assert "cases.Case 1" in text and "subjects.Subject 1" in text
    assert "anonieme statistische spoor" in text and "pseudonieme logboek" in text
    _assert_no_personal_data(text)


def test_cli_writes_a_pdf_and_keeps_csv(approved_run, tmp_path, capsys):
    run, on, destroyed, _held = approved_run
    services.execute_run(run, on)
    pdf, csv_path = tmp_path / "verslag.pdf", tmp_path / "verslag.csv"
    assert main(["retention", "report", run.reference, "--pdf", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert run.reference in _text(pdf.read_bytes()) and destroyed.reference in _text(pdf.read_bytes())
    out = capsys.readouterr().out
    assert "verslag.pdf" in out and "onderdeel,naam" not in out  # no CSV on stdout when a file is asked for

    assert main(["retention", "report", str(run.pk), "--pdf", str(pdf), "--csv", str(csv_path)]) == 0
    assert csv_path.read_text(encoding="utf-8").startswith("onderdeel,naam")
    capsys.readouterr()
    assert main(["retention", "report", run.reference]) == 0
    assert capsys.readouterr().out.startswith("onderdeel,naam")


def test_web_download_for_the_region_privacy_officer_and_logged(client, world, approved_run):
    a, b = world["a"], world["b"]
    run, on, destroyed, held = approved_run
    run = services.execute_run(run, on)
    officer = a.users["privacy_officer"]
    login(client, officer)
    page = client.get(reverse("retention:overview")).content.decode()
    assert reverse("retention:report_pdf", args=[run.pk]) in page and "Verslag (PDF)" in page
    assert reverse("retention:report_csv", args=[run.pk]) in page and "Verslag (CSV)" in page

    response = client.get(reverse("retention:report_pdf", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{run.reference}.pdf"'
    assert destroyed.reference in _text(response.content)
    _assert_no_personal_data(_text(response.content))

    # The export is logged per listed record and person, by the officer, under the retention activity.
    logged = ProcessingLogEntry.objects.filter(action="export", audit_record__user=officer, object_type="case")
    assert set(logged.values_list("object_id", "data_subject_id", "purpose")) == {
        (destroyed.pk, destroyed.subject_id, "retention"),
        (held.pk, held.subject_id, "retention"),
    }

    response = client.get(reverse("retention:report_csv", args=[run.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="{run.reference}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == services.REPORT_COLUMNS and FAMILY not in response.content.decode()
    assert logged.count() == 4

    # Another region's officer, or a role without the right, gets "not found" and logs nothing.
    for user in (b.users["privacy_officer"], a.users["case_director"]):
        client.logout()
        login(client, user)
        for name in ("retention:report_pdf", "retention:report_csv"):
            assert client.get(reverse(name, args=[run.pk])).status_code == 404
    assert ProcessingLogEntry.objects.filter(action="export", object_type="case").count() == 4


def test_functional_admin_may_download_and_an_unknown_run_is_not_found(client, region_a, approved_run):
    run, _on, _destroyed, _held = approved_run
    login(client, region_a.users["functional_admin"])
    response = client.get(reverse("retention:report_pdf", args=[run.pk]))
    assert response.status_code == 200 and _text(response.content).startswith("Vernietigingsverslag")
    assert client.get(reverse("retention:report_csv", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
