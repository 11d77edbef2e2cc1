"""Wet PGA art. 16: privacy audits. The casusoverleg has periodic privacy audits done (lid 1),
sends a copy of the results to the Autoriteit Persoonsgegevens (lid 2), and has every part that
failed re-audited within a year (lid 3). The region's privacy officer records them. ADR 0026."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from casustafel.access import policy
from casustafel.core.errors import PolicyDenied
from casustafel.governance import audits
from casustafel.governance.models import AuditPartResult, PrivacyAudit
from casustafel.processing_log.models import ProcessingLogEntry

from .factories import USER_SPECS
from .helpers import login

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)


def _record(world_region, *, on=date(2026, 3, 2), results=None, by="privacy_officer", **extra):
    return audits.record_audit(
        world_region.users[by],
        audited_on=on,
        scope=extra.pop("scope", "Casustafel: autorisaties en logging, eerste kwartaal 2026"),
        auditor=extra.pop("auditor", "Auditbureau Voorbeeld (fictief)"),
        results=[{"part": "logging", "passed": True, "note": ""}] if results is None else results,
        today=TODAY,
        **extra,
    )


def _fail(part, note="Niet op orde"):
    return {"part": part, "passed": False, "note": note}


def _pass(part):
    return {"part": part, "passed": True, "note": ""}


def _open(world_region, today=TODAY):
    return [
        (row.result.part, row.result.reaudit_due_on)
        for row in audits.open_reaudits(world_region.users["privacy_officer"], today=today)
    ]


def _logged(obj, action):
    return ProcessingLogEntry.objects.filter(
        object_type=obj._meta.model_name, object_id=obj.pk, action=action, status="ok"
    ).exists()


# ---------------------------------------------------------------- lid 1: recording an audit


def test_art16_lid1_the_fg_records_an_audit_with_a_result_per_part(region_a):
    audit = _record(region_a, results=[_pass("authorisation"), _fail("logging", "Leesacties niet gelogd")])
    assert audit.region_id == region_a.region.pk and audit.parts_version == 1
    assert audit.reference.startswith("AUD-")
    results = {r.part: r for r in audit.results.all()}
    assert results["authorisation"].passed and results["authorisation"].reaudit_due_on is None
    assert not results["logging"].passed and results["logging"].note == "Leesacties niet gelogd"


def test_art16_lid1_the_parts_are_versioned_data_citing_the_law():
    """The parts come from audit_parts_v1.json, valid from 1 July 2025; each names its articles,
    and the AMvB point of lid 5 is data."""
    first = audits.parts_valid_on(date(2025, 7, 1))
    assert first is not None and first.version == 1
    assert {"authorisation", "logging", "security", "retention", "data_subject_rights"} <= set(first.codes)
    assert all("art." in articles for _code, _label, articles in first.parts)
    assert first.pending_amvb["article"] == "art. 16 lid 5"
    assert audits.parts_valid_on(date(2025, 6, 30)) is None


def test_art16_lid1_an_audit_without_any_result_is_refused_and_nothing_written(region_a):
    with pytest.raises(ValidationError) as error:
        _record(region_a, results=[])
    assert "zonder resultaat" in str(error.value.message_dict["results"])
    assert PrivacyAudit.objects.count() == 0


@pytest.mark.parametrize(
    "field, extra",
    [
        ("scope", {"scope": "  "}),
        ("auditor", {"auditor": ""}),
        ("audited_on", {"on": TODAY + timedelta(days=1)}),  # an audit that has not happened yet
        ("audited_on", {"on": date(2025, 6, 30)}),  # before the law and the first parts list
        ("audited_on", {"on": None}),
        ("results", {"results": [_pass("unknown_part")]}),
        ("results", {"results": [_pass("logging"), _fail("logging")]}),
        ("note_logging", {"results": [_fail("logging", note=" ")]}),  # the re-audit needs to know what failed
    ],
)
def test_art16_bad_input_is_refused_with_a_message_and_nothing_written(region_a, field, extra):
    with pytest.raises(ValidationError) as error:
        _record(region_a, **extra)
    assert error.value.message_dict[field]
    assert PrivacyAudit.objects.count() == 0 and AuditPartResult.objects.count() == 0


# ---------------------------------------------------------------- lid 3: re-audit within a year


def test_art16_lid3_a_failed_part_gets_a_reaudit_within_one_year(region_a):
    _record(region_a, on=date(2026, 3, 2), results=[_pass("authorisation"), _fail("logging")])
    assert _open(region_a) == [("logging", date(2027, 3, 2))]


def test_art16_lid3_a_reaudit_due_on_29_february_falls_on_28_february():
    assert audits.reaudit_due(date(2028, 2, 29), 1) == date(2029, 2, 28)


def test_art16_lid3_an_overdue_reaudit_is_marked(region_a):
    _record(region_a, on=date(2025, 9, 1), results=[_fail("retention")])
    (row,) = audits.open_reaudits(region_a.users["privacy_officer"], today=TODAY)
    assert row.overdue and "art. 9" in row.label


def test_art16_lid3_the_reaudit_disappears_once_a_later_audit_passes_the_part(region_a):
    first = _record(region_a, on=date(2026, 3, 2), results=[_fail("logging"), _fail("security")])
    second = _record(region_a, on=date(2026, 9, 1), results=[_pass("logging")])
    assert _open(region_a) == [("security", date(2027, 3, 2))]
    reaudit = second.results.get(part="logging")
    assert reaudit.reaudit_of == first.results.get(part="logging")


def test_art16_lid3_a_failing_reaudit_schedules_the_next_one(region_a):
    _record(region_a, on=date(2026, 3, 2), results=[_fail("logging")])
    _record(region_a, on=date(2026, 9, 1), results=[_fail("logging", "Nog steeds onvolledig")])
    assert _open(region_a) == [("logging", date(2027, 9, 1))]


def test_art16_lid3_an_earlier_dated_audit_does_not_close_a_later_failure(region_a):
    _record(region_a, on=date(2026, 3, 2), results=[_fail("logging")])
    earlier = _record(region_a, on=date(2026, 1, 15), results=[_pass("logging")])
    assert _open(region_a) == [("logging", date(2027, 3, 2))]
    assert earlier.results.get().reaudit_of is None


def test_art16_lid3_reaudits_of_another_region_are_not_shown(world):
    _record(world["b"], results=[_fail("logging")])
    assert _open(world["a"]) == []


# ---------------------------------------------------------------- lid 2: results to the AP


def test_art16_lid2_the_fg_records_that_the_results_were_sent_to_the_ap(region_a):
    audit = _record(region_a, on=date(2026, 3, 2))
    assert [a.pk for a in audits.unsent_audits(region_a.users["privacy_officer"])] == [audit.pk]
    audits.mark_sent_to_ap(region_a.users["privacy_officer"], audit=audit, sent_on=date(2026, 3, 20), today=TODAY)
    audit.refresh_from_db()
    assert audit.sent_to_ap_on == date(2026, 3, 20) and audit.sent_to_ap_by == region_a.users["privacy_officer"]
    assert audits.unsent_audits(region_a.users["privacy_officer"]) == []
    assert _logged(audit, "update")


@pytest.mark.parametrize(
    "sent_on, message", [(date(2026, 3, 1), "vóór de audit"), (TODAY + timedelta(days=1), "toekomst"), (None, "datum")]
)
def test_art16_lid2_an_impossible_dispatch_date_is_refused(region_a, sent_on, message):
    audit = _record(region_a, on=date(2026, 3, 2))
    with pytest.raises(ValidationError) as error:
        audits.mark_sent_to_ap(region_a.users["privacy_officer"], audit=audit, sent_on=sent_on, today=TODAY)
    assert message in str(error.value.message_dict["sent_on"])
    audit.refresh_from_db()
    assert audit.sent_to_ap_on is None


def test_art16_lid2_the_dispatch_date_is_recorded_once(region_a):
    audit = _record(region_a, on=date(2026, 3, 2))
    officer = region_a.users["privacy_officer"]
    audits.mark_sent_to_ap(officer, audit=audit, sent_on=date(2026, 3, 20), today=TODAY)
    with pytest.raises(ValidationError):
        audits.mark_sent_to_ap(officer, audit=audit, sent_on=date(2026, 4, 1), today=TODAY)
    audit.refresh_from_db()
    assert audit.sent_to_ap_on == date(2026, 3, 20)


# ---------------------------------------------------------------- only the FG of the region


@pytest.mark.parametrize("key", sorted(USER_SPECS))
def test_art16_only_the_regions_privacy_officer_manages_its_audits(world, key):
    audit = _record(world["a"])
    expected = key == "privacy_officer"
    assert policy.can(world["a"].users[key], policy.Action.AUDIT_MANAGE) is expected
    assert policy.can(world["a"].users[key], policy.Action.AUDIT_MANAGE, audit) is expected
    assert policy.can(world["b"].users[key], policy.Action.AUDIT_MANAGE, audit) is False


@pytest.mark.parametrize("key", sorted(set(USER_SPECS) - {"privacy_officer"}))
def test_art16_anyone_else_cannot_record_an_audit(region_a, key):
    with pytest.raises(PolicyDenied):
        _record(region_a, by=key)
    assert PrivacyAudit.objects.count() == 0


def test_art16_another_regions_fg_cannot_read_or_mark_an_audit_and_the_refusal_is_logged(world):
    audit = _record(world["a"])
    other = world["b"].users["privacy_officer"]
    with pytest.raises(Http404):
        audits.get_audit(other, audit.pk)
    assert ProcessingLogEntry.objects.filter(object_id=audit.pk, status="refused").exists()
    with pytest.raises(PolicyDenied):
        audits.mark_sent_to_ap(other, audit=audit, sent_on=date(2026, 3, 20), today=TODAY)
    assert audits.audits_in_region(other) == []


# ---------------------------------------------------------------- processing log


def test_art16_recording_and_reading_audits_is_logged(region_a):
    audit = _record(region_a, results=[_fail("logging")])
    officer = region_a.users["privacy_officer"]
    assert _logged(audit, "create") and _logged(audit.results.get(), "create")
    audits.audits_in_region(officer)
    assert _logged(audit, "list")
    audits.get_audit(officer, audit.pk)
    assert _logged(audit, "read")
    assert ProcessingLogEntry.objects.filter(object_id=audit.pk, purpose="privacy_supervision").count() == 3


# ---------------------------------------------------------------- pages


def test_art16_the_fg_records_an_audit_on_the_web(client, region_a):
    login(client, region_a.users["privacy_officer"])
    response = client.post(
        reverse("governance:audit_create"),
        {
            "audited_on": "2026-03-02",
            "auditor": "Auditbureau (fictief)",
            "scope": "Casustafel",
            "result_logging": "failed",
            "note_logging": "Leesacties niet gelogd",
            "result_security": "passed",
        },
    )
    audit = PrivacyAudit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("governance:audit_detail", args=[audit.pk])
    assert {(r.part, r.passed) for r in audit.results.all()} == {("logging", False), ("security", True)}
    page = client.get(reverse("governance:audit_list")).content.decode()
    assert audit.reference in page and "Hercontroles" in page


def test_art16_an_audit_without_results_is_a_dutch_form_error_on_the_web(client, region_a):
    login(client, region_a.users["privacy_officer"])
    response = client.post(
        reverse("governance:audit_create"), {"audited_on": "2026-03-02", "auditor": "Bureau", "scope": "Alles"}
    )
    assert response.status_code == 400
    assert "Een audit zonder resultaat wordt niet vastgelegd" in response.content.decode()
    assert PrivacyAudit.objects.count() == 0


def test_art16_the_fg_marks_the_results_sent_to_the_ap_on_the_web(client, region_a):
    audit = _record(region_a, on=date(2026, 3, 2))
    login(client, region_a.users["privacy_officer"])
    url = reverse("governance:audit_sent", args=[audit.pk])
    assert client.post(url, {"sent_on": "2026-02-01"}).status_code == 400
    response = client.post(url, {"sent_on": "2026-03-20"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.sent_to_ap_on == date(2026, 3, 20)
    assert (
        "Verzending vastleggen" not in client.get(reverse("governance:audit_detail", args=[audit.pk])).content.decode()
    )


def test_art16_open_reaudits_and_unsent_results_are_on_the_fgs_dashboard(client, region_a):
    audit = _record(region_a, on=date(2026, 3, 2), results=[_fail("logging")])
    login(client, region_a.users["privacy_officer"])
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "Hercontrole privacy-audit (art. 16 lid 3)" in page and "2 mrt 2027" in page.lower()  # work queue
    assert "nog niet verzonden aan de Autoriteit Persoonsgegevens" in page and audit.reference in page
    assert reverse("governance:audit_list") in page  # the menu link
    _record(region_a, on=date(2026, 9, 1), results=[_pass("logging")])
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "Hercontrole privacy-audit" not in page


def test_art16_others_see_neither_the_menu_link_nor_the_dashboard_section(client, region_a):
    _record(region_a, results=[_fail("logging")])
    login(client, region_a.users["weigher_gemeente"])
    page = client.get(reverse("web:dashboard")).content.decode()
    assert reverse("governance:audit_list") not in page and "Privacy-audits" not in page
