"""The register of processing activities as the Wet PGA stands (version 2 from 2025-07-01)
and the use of the processing log for the purposes of Wet PGA art. 14 lid 2 only."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.urls import reverse

from casustafel.flow.services import register_signal
from casustafel.governance.models import LegalBasis
from casustafel.processing_log import register, selectors
from casustafel.processing_log.models import (
    Action,
    LogConsultation,
    LogUsePurpose,
    ProcessingActivity,
    ProcessingLogEntry,
    Purpose,
)
from casustafel.processing_log.services import LogPurposeMissingError, activity_id, record
from casustafel.processing_log.verify import verify

from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db

URL = reverse("processing_log:logbook")
BSN = "123456782"
WET_PGA = dt.date(2025, 7, 1)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PRE_LAW = ("Wpg art. 18", "machtigingsbesluit", "Modelconvenant", "convenant", "Wet PGA (te bevestigen)")
PURPOSE_REQUIRED = "Kies het doel waarvoor u het logboek raadpleegt"


def v2() -> list[ProcessingActivity]:
    return list(ProcessingActivity.objects.filter(version=2).order_by("code"))


# ------------------------------------------------------------------ register version 2 (issue 10 item 10)


def test_register_v2_covers_every_activity_from_the_day_the_wet_pga_took_effect():
    """Version 2 (Wet PGA) is valid from 2025-07-01; version 1 stays for the rows made under it."""
    assert {a.code for a in v2()} == set(Purpose.values)
    assert {a.valid_from for a in v2()} == {WET_PGA}
    assert set(ProcessingActivity.objects.filter(version=1).values_list("code", flat=True)) == set(Purpose.values)
    assert set(ProcessingActivity.objects.filter(version=1).values_list("valid_from", flat=True)) == {None}


@pytest.mark.parametrize("code", Purpose.values)
def test_new_log_rows_link_to_v2_from_2025_07_01(code):
    """Wet PGA art. 4, 5, 6, 8: a row of 30 June 2025 links to version 1, from 1 July to version 2."""
    version = dict(ProcessingActivity.objects.filter(code=code).values_list("pk", "version"))
    assert version[activity_id(code, dt.date(2025, 6, 30))] == 1
    assert version[activity_id(code, WET_PGA)] == 2
    assert version[activity_id(code)] == 2  # today


def test_a_record_written_under_each_version_keeps_it(region_a):
    """Old rows keep their version; loading the register again adds nothing and changes nothing."""
    intake = region_a.users["intake"]
    signal = register_signal(intake, subject=subject_data(family_name="Voorwet"), fields=signal_fields()).signal
    with time_machine.travel(dt.datetime(2025, 6, 30, 23, 30, tzinfo=AMSTERDAM), tick=False):
        record(intake, action=Action.UPDATE, purpose=Purpose.INTAKE, objects=[signal])
    with time_machine.travel(dt.datetime(2025, 7, 1, 0, 30, tzinfo=AMSTERDAM), tick=False):
        record(intake, action=Action.TRANSITION, purpose=Purpose.INTAKE, objects=[signal])

    def versions():
        rows = ProcessingLogEntry.objects.filter(object_id=signal.pk, action__in=[Action.UPDATE, Action.TRANSITION])
        return dict(rows.values_list("action", "activity__version"))

    assert versions() == {Action.UPDATE: 1, Action.TRANSITION: 2}
    count = ProcessingActivity.objects.count()
    for version in (1, 2):
        spec = register.read_spec(register.DATA_DIR / f"processing_activities_v{version}.json")
        assert register.load(spec, ProcessingActivity) == 0
    assert ProcessingActivity.objects.count() == count
    assert versions() == {Action.UPDATE: 1, Action.TRANSITION: 2}


def test_v2_names_the_bases_of_the_law_and_no_pre_law_basis():
    """Wet PGA art. 4, 5, 6, 8 for the casusoverleg, Wpg art. 20 and Wjsg, Twbmt and
    Paspoortwet for the NCTV, art. 9 for retention, art. 14 for the log; no Wpg-machtigingsbesluit
    or Modelconvenant any more (those stay in version 1)."""
    by_code = {a.code: a for a in v2()}
    for activity in by_code.values():
        text = f"{activity.name} {activity.purpose} {activity.legal_basis}"
        assert "Wet PGA art." in activity.legal_basis, activity.code
        assert not [old for old in PRE_LAW if old.lower() in text.lower()], activity.code
    for code in ("intake", "weighing"):
        basis = by_code[code].legal_basis
        assert all(part in basis for part in ("art. 4", "art. 5", "art. 8", "Wpg art. 20", "Wjsg")), code
    case_basis = by_code["case_management"].legal_basis
    assert all(part in case_basis for part in ("art. 4", "art. 6", "art. 8", "Wpg art. 20", "Wjsg"))
    assert "Tijdelijke wet bestuurlijke maatregelen terrorismebestrijding" in case_basis and "Paspoortwet" in case_basis
    assert "Wet PGA art. 9" in by_code["retention"].legal_basis
    assert "Wet PGA art. 14 lid 2" in by_code["privacy_supervision"].legal_basis
    # The codes are the legal bases of governance version 2.
    governance_v2 = set(LegalBasis.objects.filter(basis_set__version=2).values_list("code", flat=True))
    assert {code for a in v2() for code in a.legal_basis_codes} == governance_v2
    # Version 1 is left as it was: its rows keep the text they were written under.
    assert "Wpg art. 18 lid 2" in ProcessingActivity.objects.get(code="intake", version=1).legal_basis


def test_v2_says_te_bevestigen_only_where_the_amvb_must_decide():
    """'Te bevestigen' only for art. 12 lid 4 and art. 16 lid 5 (the AMvB), as data."""
    pending = []
    for activity in v2():
        assert "te bevestigen" not in f"{activity.name} {activity.purpose} {activity.legal_basis}".lower()
        pending += activity.pending_amvb
    assert sorted(point["article"] for point in pending) == ["art. 12 lid 4", "art. 16 lid 5"]
    assert all(point["text"].startswith("Te bevestigen bij de AMvB") for point in pending)


def test_a_register_file_cannot_leave_a_point_open_the_law_settles(tmp_path):
    """Only art. 12 lid 4 and 16 lid 5 wait for the AMvB; another 'pending' point is refused."""
    spec = register.read_spec(register.DATA_DIR / "processing_activities_v2.json")
    spec["activities"][0]["pending_amvb"] = [{"article": "art. 9", "text": "Te bevestigen."}]
    path = tmp_path / "register.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match="wacht niet op de AMvB"):
        register.read_spec(path)


# ------------------------------------------------------------------ art. 14 lid 2: use of the log (issue 11 item 8)


@pytest.fixture
def person(region_a):
    return register_signal(
        region_a.users["intake"], subject=subject_data(bsn=BSN, family_name="Doelbinding"), fields=signal_fields()
    ).signal


@pytest.fixture
def officer(client, region_a):
    login(client, region_a.users["privacy_officer"])
    return region_a.users["privacy_officer"]


def officer_rows(officer):
    return ProcessingLogEntry.objects.filter(audit_record__user=officer)


def test_art_14_purposes_are_the_four_of_the_law():
    """Art. 14 lid 2: rechtmatigheid, interne controle, integriteit en beveiliging, gerechtelijke procedures."""
    labels = [str(label) for label in LogUsePurpose.labels]
    assert labels == [
        "Controle van de rechtmatigheid van de gegevensverwerking",
        "Interne controle",
        "Waarborging van de integriteit en de beveiliging van de persoonsgegevens",
        "Gerechtelijke procedure",
    ]


def test_art_14_the_page_without_a_purpose_reads_no_log(client, officer, person):
    """Opening the logbook shows the purpose choice, no rows, and reads or logs nothing."""
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Doel van de raadpleging" in html and "Interne controle" in html
    assert response.context["page"] is None and person.reference not in html
    assert not LogConsultation.objects.exists() and not officer_rows(officer).exists()


@pytest.mark.parametrize(
    "method,data",
    [
        ("post", {"bsn": BSN}),
        ("post", {"case_reference": "C-1", "purpose": "curiosity"}),
        ("get", {"date_from": "2025-01-01"}),
        ("get", {"purpose": ""}),
    ],
)
def test_art_14_a_query_without_a_lawful_purpose_is_refused(client, officer, person, method, data):
    """Art. 14 lid 2: no purpose (or one the law does not name) → Dutch form error, 400, nothing read or logged."""
    response = getattr(client, method)(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert PURPOSE_REQUIRED in html and "art. 14 lid 2" in html
    assert person.reference not in html
    assert not LogConsultation.objects.exists() and not officer_rows(officer).exists()


def test_art_14_the_selector_refuses_a_query_without_a_purpose(officer, person):
    """The rule holds below the page too: any future export or API reaches it through ``search``."""
    with pytest.raises(LogPurposeMissingError):
        selectors.search(officer, selectors.Criteria(bsn=BSN))
    assert not LogConsultation.objects.exists() and not officer_rows(officer).exists()


def test_art_14_a_search_is_logged_with_its_purpose(client, officer, person):
    """Art. 14 lid 2: the consultation is recorded with its purpose, in the span of the person found."""
    response = client.post(URL, {"purpose": LogUsePurpose.INTERNAL_CONTROL, "bsn": BSN})
    assert response.status_code == 200 and person.reference in response.content.decode()
    consultation = LogConsultation.objects.get()
    assert consultation.purpose == LogUsePurpose.INTERNAL_CONTROL and consultation.user == officer
    assert consultation.criteria == ["bsn"] and BSN not in str(consultation.criteria)
    rows = list(officer_rows(officer).order_by("id"))
    assert [(r.action, r.purpose, r.object_type) for r in rows] == [
        (Action.SEARCH, Purpose.PRIVACY_SUPERVISION, "logconsultation"),
        (Action.SEARCH, Purpose.PRIVACY_SUPERVISION, "subject"),
    ]
    assert rows[0].object_id == consultation.pk and rows[0].data_subject_id is None
    assert rows[0].audit_record_id == rows[1].audit_record_id
    assert rows[1].data_subject_id == person.subject_id
    assert verify().intact


def test_art_14_the_region_view_is_logged_and_shows_the_purpose(client, officer, person):
    """A GET with a purpose lists the region's rows, logs the consultation and shows it with its purpose;
    the purpose (not personal data) travels with the page links."""
    response = client.get(URL, {"purpose": LogUsePurpose.LAWFULNESS_CHECK})
    assert response.status_code == 200
    html = response.content.decode()
    assert person.reference in html
    assert "Raadpleging logboek (doel: Controle van de rechtmatigheid van de gegevensverwerking)" in html
    assert "purpose=lawfulness_check" in response.context["period_query"]
    consultation = LogConsultation.objects.get()
    assert consultation.purpose == LogUsePurpose.LAWFULNESS_CHECK and consultation.criteria == []
    assert list(officer_rows(officer).values_list("object_type", "object_id")) == [("logconsultation", consultation.pk)]


def test_art_14_each_purpose_is_accepted_and_recorded(client, officer, person):
    for purpose in LogUsePurpose.values:
        assert client.post(URL, {"purpose": purpose, "date_from": "2000-01-01"}).status_code == 200
    assert sorted(LogConsultation.objects.values_list("purpose", flat=True)) == sorted(LogUsePurpose.values)


def test_art_14_a_recorded_consultation_cannot_be_changed_or_removed(client, officer, person):
    """The record of the purpose is append-only, like the log itself."""
    client.post(URL, {"purpose": LogUsePurpose.COURT_PROCEEDINGS})
    consultation = LogConsultation.objects.get()
    for change in (
        lambda: LogConsultation.objects.filter(pk=consultation.pk).update(purpose=LogUsePurpose.INTERNAL_CONTROL),
        lambda: LogConsultation.objects.filter(pk=consultation.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert LogConsultation.objects.get().purpose == LogUsePurpose.COURT_PROCEEDINGS


def test_art_14_another_role_gets_not_found(client, region_a):
    login(client, region_a.users["case_director"])
    assert client.post(URL, {"purpose": LogUsePurpose.INTERNAL_CONTROL}).status_code == 404
    assert not LogConsultation.objects.exists()
