"""Migration import (issue 14 item 4, ADR 0046): ``casustafel import cases FILE``.

Fixture files under tests/fixtures/import/: a CSV in UTF-8 with BOM with good and bad rows,
an all-good CSV in Latin-1, a CSV with one bad row, and a JSON file with good and bad items.
The day is pinned, so the retention dates (art. 9 Wet PGA) do not drift with the calendar.
"""

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.cli import main
from casustafel.core.errors import PolicyDenied
from casustafel.governance.models import DataCategory
from casustafel.imports.models import ImportedItem
from casustafel.imports.report import report_csv
from casustafel.imports.services import import_cases
from casustafel.processing_log.models import Action, AuditRecord, ProcessingLogEntry
from casustafel.retention.selectors import assess_subject
from casustafel.signals import states as signal_states
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Decision, Weighing

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TODAY = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
SYSTEM = "OudSysteem"


@pytest.fixture(autouse=True)
def pinned_day():
    with time_machine.travel(TODAY, tick=True):
        yield


def _import(world_region, name, *, dry_run=False, user="functional_admin", data=None):
    return import_cases(
        world_region.users[user],
        region=world_region.region,
        system=SYSTEM,
        data=(FIXTURES / name).read_bytes() if data is None else data,
        name=name,
        dry_run=dry_run,
    )


def _written() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Subject, Signal, Weighing, Decision, Case, ImportedItem, ProcessingLogEntry)
    }


def _problems(result) -> set:
    return {(p.row, p.external_id, p.column) for p in result.problems}


def test_dry_run_reports_every_bad_row_and_why_and_writes_nothing(region_a):
    before = _written()
    result = _import(region_a, "mixed_utf8_bom.csv", dry_run=True)

    assert result.encoding == "UTF-8 met BOM"
    assert result.rows == 7
    assert _problems(result) == {
        (4, "S-1003", "ontvangen_op"),  # 31-02-2026
        (5, "S-1004", "bsn"),  # fails the elfproef
        (6, "S-1001", "extern_kenmerk"),  # same external id as row 2
        (7, "S-1005", "fenomeen"),  # unknown code
        (8, "S-1006", "ontvangen_op"),  # retention period over (art. 9)
    }
    reasons = {p.row: p.reason for p in result.problems}
    assert reasons[4] == "Geen geldige datum (JJJJ-MM-DD of DD-MM-JJJJ)."
    assert "elfproef" in reasons[5]
    assert reasons[6] == "Dubbele rij: dit externe kenmerk staat ook in rij 2."
    assert "Onbekende code" in reasons[7]
    assert "bewaartermijn is verstreken" in reasons[8] and "art. 9" in reasons[8]
    # The good rows were checked all the way (written, assessed, rolled back).
    assert {(i.row, i.external_id) for i in result.imported} == {(2, "S-1001"), (3, "C-2001")}
    assert not result.committed
    assert _written() == before


def test_the_report_names_rows_by_number_and_external_id_only(region_a):
    """No personal data in the report: no name, date of birth, BSN or other value of the file."""
    report = report_csv(_import(region_a, "mixed_utf8_bom.csv", dry_run=True))

    lines = report.splitlines()
    assert lines[0] == "rij;extern_kenmerk;kolom;uitkomst;toelichting"
    assert "4;S-1003;ontvangen_op;fout;Geen geldige datum (JJJJ-MM-DD of DD-MM-JJJJ)." in lines
    for value in ("Özdemir", "Ayşe", "Ægir", "N'Diaye", "Datumfout", "Bsnfout", "111222333", "123456789", "1999"):
        assert value not in report
    assert "1980-01-01" not in report and "01-01-1980" not in report


def test_the_real_run_of_a_file_with_one_bad_row_imports_nothing(region_a):
    before = _written()
    result = _import(region_a, "one_bad_row.csv")

    assert _problems(result) == {(4, "S-4003", "bsn")}
    assert not result.committed
    assert _written() == before


def test_real_run_of_a_latin1_file_keeps_the_diacritics_exactly(region_a):
    result = _import(region_a, "good_latin1.csv")

    assert result.problems == [] and result.committed
    assert result.encoding == "Windows-1252"
    assert len(result.created) == 4
    names = set(Subject.objects.values_list("given_names", "family_name"))
    assert names == {("Ömer", "Özdemir"), ("Renée", "Müller"), ("Ægir", "N'Diaye"), ("Zoë", "Brontë-de Vries")}
    items = {i.external_id: i for i in ImportedItem.objects.select_related("signal", "case")}
    assert set(items) == {"S-3001", "S-3002", "C-3003", "C-3004"}
    # What the flow would have left behind, with the source system's dates.
    referred = items["S-3002"].signal
    assert referred.status == signal_states.REFERRED and referred.weighing.status == Weighing.DECIDED
    assert referred.registered_at.date() == date(2026, 6, 1)
    closed = items["C-3003"].case
    assert closed.status == case_states.CLOSED and closed.closure_reason == "doelen_bereikt"
    assert closed.opened_at.date() == date(2024, 2, 1) and closed.status_changed_at.date() == date(2025, 3, 1)
    assert closed.origin_decision.outcome == "opnemen" and closed.subject.given_names == "Ægir"
    assert items["C-3004"].case.status == case_states.ACTIVE
    assert items["C-3004"].case.case_director == region_a.users["case_director"]


def test_utf8_bom_file_keeps_the_diacritics_exactly(region_a, tmp_path):
    rows = (FIXTURES / "mixed_utf8_bom.csv").read_bytes().decode("utf-8-sig").splitlines()
    good = tmp_path / "good_bom.csv"
    good.write_bytes(("\ufeff" + "\r\n".join(rows[:3]) + "\r\n").encode("utf-8"))

    result = _import(region_a, "good_bom.csv", data=good.read_bytes())

    assert result.committed, result.problems
    assert set(Subject.objects.values_list("given_names", "family_name")) == {("Ayşe", "Özdemir"), ("Ægir", "N'Diaye")}


def test_a_rerun_creates_nothing(region_a):
    _import(region_a, "good_latin1.csv")
    before = _written()

    again = _import(region_a, "good_latin1.csv")

    assert again.problems == [] and again.created == []
    assert {i.external_id for i in again.skipped} == {"S-3001", "S-3002", "C-3003", "C-3004"}
    assert _written() == before


def test_the_same_external_id_from_another_system_is_another_record(region_a):
    _import(region_a, "good_latin1.csv")
    other = import_cases(
        region_a.users["functional_admin"],
        region=region_a.region,
        system="AnderSysteem",
        data=(FIXTURES / "good_latin1.csv").read_bytes(),
    )
    assert other.committed and len(other.created) == 4
    # The same persons (BSN, or name and date of birth): no second person record.
    assert Subject.objects.count() == 4 and ImportedItem.objects.count() == 8


def test_every_imported_item_is_in_the_processing_log_with_its_provenance(region_a):
    """Art. 14 Wet PGA (processing log): who imported what, from which system, per person."""
    result = _import(region_a, "good_latin1.csv")

    audits = AuditRecord.objects.filter(entries__object_type="importeditem").distinct()
    assert audits.count() == 1  # one audit record for the file
    audit = audits.get()
    assert audit.user == region_a.users["functional_admin"]
    for item in ImportedItem.objects.all():
        assert item.provenance == "geïmporteerd uit OudSysteem"
        assert item.batch == result.batch
        logged = ProcessingLogEntry.objects.filter(audit_record=audit, data_subject_id=item.subject_id)
        assert logged.filter(object_type="importeditem", object_id=item.pk, action=Action.IMPORT).exists()
        assert logged.filter(object_type="signal", object_id=item.signal_id, purpose="intake").exists()
        if item.case_id:
            assert logged.filter(object_type="case", object_id=item.case_id, purpose="case_management").exists()


def test_retention_dates_are_the_retention_apps_by_the_wet_pga_rules(region_a):
    """Art. 9 Wet PGA: the destruction date of each imported record is the retention app's own
    (no second copy of the rules); a case closed before 1 July 2025 keeps schedule version 1."""
    _import(region_a, "good_latin1.csv")
    items = {i.external_id: i for i in ImportedItem.objects.select_related("subject")}

    for item in items.values():
        records = {r.object_id: r for r in assess_subject(item.subject, TODAY.date()).records}
        found = records.get(item.case_id or item.signal_id)
        assert item.destruction_date == (found.destruction_date if found else None)
    closed = items["C-3003"]
    assert closed.schedule_version == 1
    assert closed.destruction_date == date(2030, 3, 1)  # 1826 days after the closure on 2025-03-01
    assert items["C-3004"].destruction_date is None  # an open case: the period starts at closure
    assert items["S-3001"].schedule_version == 2  # registered after 1 July 2025: art. 9, last processing


def test_art_9_the_retention_period_runs_from_the_source_history_not_from_the_migration(region_a):
    """Art. 9 Wet PGA: for a record under the last-processing rule (schedule version 2) the
    migration itself is no substantive processing — logged as Action.IMPORT — so the period runs
    from the record's own last processing in the source system (the referral of 1 July 2026), not
    from the day of the import (1 December 2026). Logging the import as a creation would keep the
    data five months longer than the law allows."""
    _import(region_a, "good_latin1.csv")
    item = ImportedItem.objects.select_related("subject").get(external_id="S-3002")

    record = {r.object_id: r for r in assess_subject(item.subject, TODAY.date()).records}[item.signal_id]

    assert record.rule == "last_processing"
    assert record.last_processing == date(2026, 7, 1)
    assert record.destruction_date == date(2026, 7, 1) + timedelta(days=record.schedule.period_for(record.minor))
    assert item.destruction_date == record.destruction_date


def test_a_record_past_its_retention_date_is_refused_not_migrated(region_a, tmp_path):
    """Art. 9 Wet PGA: data past their destruction date are destroyed in the source system."""
    lines = (FIXTURES / "mixed_utf8_bom.csv").read_bytes().decode("utf-8-sig").splitlines()
    data = "\n".join([lines[0], lines[7]]).encode("utf-8")

    result = _import(region_a, "verlopen.csv", data=data)

    assert _problems(result) == {(2, "S-1006", "ontvangen_op")}
    assert "01-02-2024" in result.problems[0].reason  # 365 days after the decision (schedule v1)
    assert ImportedItem.objects.count() == 0 and Signal.objects.count() == 0


def test_data_categories_are_tagged(region_a):
    """Art. 4 Wet PGA: the categories (a–h) an imported record holds; police data (f) keep the
    basis the governance rules require (Wpg art. 20) and its category decides the signal's visibility."""
    _import(region_a, "good_latin1.csv")
    items = {i.external_id: i for i in ImportedItem.objects.select_related("signal")}

    assert items["S-3001"].data_categories == ["identifying", "bsn", "signals", "registering_participant"]
    police = items["S-3002"]
    assert DataCategory.POLICE_DATA in police.data_categories
    assert police.signal.data_category == DataCategory.POLICE_DATA
    assert police.signal.legal_basis.code == "wpg-20"
    assert police.signal.registered_by_organisation == region_a.orgs["politie"]
    assert DataCategory.PLAN_OF_ACTION in items["C-3003"].data_categories


def test_police_data_from_a_gemeente_without_its_basis_is_refused(region_a):
    """Art. 4 f: police data only on the basis of Wpg art. 20 — the governance rules decide."""
    text = (FIXTURES / "good_latin1.csv").read_bytes().decode("latin-1").splitlines()
    row = text[2].replace(";wpg-20;;politie a", ";;;gemeente a")
    result = _import(region_a, "f.csv", data="\n".join([text[0], row]).encode("utf-8"))
    assert {p.column for p in result.problems} == {"categorieen"}
    assert Signal.objects.count() == 0


def test_json_dry_run_reports_bad_items(region_a):
    result = _import(region_a, "mixed.json", dry_run=True)

    assert result.encoding == "UTF-8"
    assert _problems(result) == {
        (3, "J-5003", "status"),
        (3, "J-5003", "ontvangen_op"),
        (3, "J-5003", "geopend_op"),
        (3, "J-5003", "bsn"),
        (3, "J-5003", "geslacht"),
        (4, "J-5004", "ontvangen_op"),
    }
    assert {i.external_id for i in result.imported} == {"J-5001", "J-5002"}
    assert ImportedItem.objects.count() == 0


def test_json_real_run_tags_social_relations(region_a):
    items = json.loads((FIXTURES / "mixed.json").read_text(encoding="utf-8"))["items"][:2]
    data = json.dumps({"items": items}, ensure_ascii=False).encode("utf-8")
    result = _import(region_a, "goed.json", data=data)
    assert result.committed, result.problems
    signal = ImportedItem.objects.get(external_id="J-5001").signal
    assert signal.data_category == DataCategory.SOCIAL_RELATIONS
    assert Case.objects.get().status == case_states.SCALED_DOWN
    assert Subject.objects.get(bsn_index__gt="").family_name == "Özdemir"


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("leeg.csv", b"", "Het bestand is leeg."),
        ("alleen-bom.csv", b"\xef\xbb\xbf\r\n", "Het bestand is leeg."),
        ("kop.csv", b"extern_kenmerk;soort;status\n", "De kolom ‘ontvangen_op’ ontbreekt."),
        (
            "utf16.csv",
            "extern_kenmerk;soort\n".encode("utf-16"),
            "Het bestand is geen tekst in UTF-8 of Latin-1/Windows-1252 (bijvoorbeeld UTF-16); sla het op als UTF-8.",
        ),
        ("kapot.json", b'{"items": [', "Het bestand is geen geldige JSON."),
        (
            "latin1.json",
            '{"items": [{"achternaam": "Özdemir"}]}'.encode("latin-1"),
            "Een JSON-bestand moet in UTF-8 zijn opgeslagen.",
        ),
    ],
)
def test_an_unusable_file_is_one_clear_line(region_a, name, data, reason):
    result = _import(region_a, name, data=data)
    assert reason in [p.reason for p in result.problems]
    assert result.problems[0].row == 0 and not result.committed
    assert ImportedItem.objects.count() == 0


def test_only_a_functional_administrator_of_the_region_imports(world):
    for user, region in (("intake", "a"), ("process_director", "a"), ("functional_admin", "b")):
        with pytest.raises(PolicyDenied):
            import_cases(
                world[region].users[user],
                region=world["a"].region,
                system=SYSTEM,
                data=(FIXTURES / "good_latin1.csv").read_bytes(),
            )
    assert ImportedItem.objects.count() == 0


def test_command_dry_run_then_real_run_then_rerun(region_a, tmp_path, capsys):
    report = tmp_path / "verslag.csv"
    base = ["import", "cases", str(FIXTURES / "good_latin1.csv"), "--region", "a", "--system", SYSTEM]
    base += ["--by", "functional_admin-a"]

    assert main([*base, "--dry-run", "--report", str(report)]) == 0
    out = capsys.readouterr()
    assert "4 zouden worden geïmporteerd" in out.out and "Proefimport" in out.out
    assert "zou worden geïmporteerd" in report.read_text(encoding="utf-8")
    assert ImportedItem.objects.count() == 0

    assert main(base) == 0
    out = capsys.readouterr()
    assert "4 geïmporteerd" in out.out
    assert "[" in out.err  # the progress bar
    assert ImportedItem.objects.count() == 4

    assert main(base) == 0
    assert "4 al eerder geïmporteerd" in capsys.readouterr().out
    assert ImportedItem.objects.count() == 4


def test_command_with_a_bad_file_reports_and_fails(region_a, tmp_path, capsys):
    report = tmp_path / "verslag.csv"
    args = ["import", "cases", str(FIXTURES / "mixed_utf8_bom.csv"), "--region", "a", "--system", SYSTEM]
    assert main([*args, "--by", "functional_admin-a", "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "5 fouten" in out and "Er is niets geïmporteerd" in out
    assert "5;S-1004;bsn;fout;" in report.read_text(encoding="utf-8")
    assert "Özdemir" not in out + report.read_text(encoding="utf-8")
    assert main([*args, "--by", "nobody"]) == 2


def test_an_imported_signal_is_an_aanmelding_by_its_registering_participant(region_a):
    """Art. 5 lid 1 Wet PGA: an imported signal is an aanmelding, addressed as the registering
    participant's kind is (politie → politie, otherwise the burgemeester), and art. 4 d names that
    participant (the ``organisatie`` column, else the importing administrator's organisation)."""
    _import(region_a, "good_latin1.csv")
    items = {i.external_id: i.signal for i in ImportedItem.objects.select_related("signal")}

    assert {s.intake_route for s in items.values()} == {"referral"}
    assert items["S-3002"].addressed_to == "police"
    assert items["S-3001"].registered_by_organisation == region_a.orgs["zvh"]
    assert items["S-3001"].addressed_to == "mayor"
    assert items["C-3004"].registered_by_organisation == region_a.orgs["gemeente"]


def test_a_comma_separated_utf8_file_reads_the_same(region_a):
    text = (FIXTURES / "good_latin1.csv").read_bytes().decode("latin-1")
    result = _import(region_a, "komma.csv", data=text.replace(";", ",").encode("utf-8"), dry_run=True)
    assert result.encoding == "UTF-8" and result.problems == [] and len(result.created) == 4
