"""Wet PGA art. 12: the coordinating privacy officer (lid 2) and the contact point for the data
subject (lid 4 b), and the data subject's requests of AVG art. 15 (access), 16 (rectification),
17 (erasure), 18 (restriction) and 21 (objection) tracked to their deadline of AVG art. 12 lid 3:
a month, extendable once by at most two months with a reason. ADR 0031."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from casustafel.accounts.models import Role
from casustafel.core.errors import PolicyDenied
from casustafel.governance import rights
from casustafel.governance.models import RegionPrivacySettings, RightsRequest, RightsRequestKind
from casustafel.processing_log.models import ProcessingLogEntry

from .factories import UserFactory
from .helpers import login

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)
CONTACT = "Privacyloket Casustafel, Postbus 1, 1000 AA Voorbeeld, privacy@example.invalid"


def _fg(world_region, kind, name):
    return UserFactory(username=name, organisation=world_region.orgs[kind], role=Role.PRIVACY_OFFICER)


def _register(world_region, *, kind="rectification", received_on=date(2026, 11, 10), **extra):
    return rights.register_rights_request(
        world_region.users["privacy_officer"],
        kind=kind,
        received_on=received_on,
        summary=extra.pop("summary", "Verzoek per brief, kenmerk 2026-17"),
        today=TODAY,
        **extra,
    )


def _logged(obj, action):
    return ProcessingLogEntry.objects.filter(
        object_type=obj._meta.model_name, object_id=obj.pk, action=action, status="ok"
    ).exists()


# ---------------------------------------------------------------- art. 12 lid 2 and lid 4


def test_art_12_lid_2_an_fg_of_a_public_participant_designates_the_coordinating_fg(world):
    a = world["a"]
    politie_fg = _fg(a, "politie", "fg-politie")
    row = rights.set_privacy_coordination(
        a.users["privacy_officer"], coordinating_officer=politie_fg, contact_point=CONTACT
    )
    assert row.region_id == a.region.pk and row.coordinating_officer == politie_fg
    assert row.contact_point == CONTACT
    assert _logged(row, "create")
    assert rights.is_coordinating_officer(politie_fg)
    assert not rights.is_coordinating_officer(a.users["privacy_officer"])


def test_art_12_lid_2_the_fg_of_a_private_participant_is_never_coordinating_fg(world):
    a = world["a"]
    ggz_fg = _fg(a, "ggz", "fg-ggz")
    with pytest.raises(ValidationError) as error:
        rights.set_privacy_coordination(a.users["privacy_officer"], coordinating_officer=ggz_fg, contact_point=CONTACT)
    assert "coordinating_officer" in error.value.message_dict
    # Nor may they designate one.
    with pytest.raises(PolicyDenied):
        rights.set_privacy_coordination(ggz_fg, coordinating_officer=a.users["privacy_officer"], contact_point=CONTACT)
    assert not RegionPrivacySettings.objects.exists()


def test_art_12_lid_2_nor_an_fg_of_another_table(world):
    with pytest.raises(ValidationError):
        rights.set_privacy_coordination(
            world["a"].users["privacy_officer"],
            coordinating_officer=world["b"].users["privacy_officer"],
            contact_point=CONTACT,
        )
    assert not RegionPrivacySettings.objects.exists()


def test_art_12_lid_2_once_designated_only_the_coordinating_fg_changes_it(world):
    a = world["a"]
    politie_fg, om_fg = _fg(a, "politie", "fg-politie"), _fg(a, "om", "fg-om")
    rights.set_privacy_coordination(a.users["privacy_officer"], coordinating_officer=politie_fg, contact_point=CONTACT)
    with pytest.raises(PolicyDenied):
        rights.set_privacy_coordination(a.users["privacy_officer"], coordinating_officer=om_fg, contact_point="x")
    row = rights.set_privacy_coordination(politie_fg, coordinating_officer=om_fg, contact_point="Nieuw loket")
    assert row.coordinating_officer == om_fg and row.contact_point == "Nieuw loket"
    assert RegionPrivacySettings.objects.count() == 1
    assert _logged(row, "update")


def test_art_12_lid_2_a_coordinating_fg_who_left_can_be_replaced(world):
    a = world["a"]
    politie_fg = _fg(a, "politie", "fg-politie")
    rights.set_privacy_coordination(a.users["privacy_officer"], coordinating_officer=politie_fg, contact_point=CONTACT)
    politie_fg.is_active = False
    politie_fg.save(update_fields=["is_active"])
    row = rights.set_privacy_coordination(
        a.users["privacy_officer"], coordinating_officer=a.users["privacy_officer"], contact_point=CONTACT
    )
    assert row.coordinating_officer == a.users["privacy_officer"]


def test_art_12_lid_4_the_contact_point_is_required_and_nothing_is_written_without_it(world):
    a = world["a"]
    with pytest.raises(ValidationError) as error:
        rights.set_privacy_coordination(
            a.users["privacy_officer"], coordinating_officer=a.users["privacy_officer"], contact_point="  "
        )
    assert "contact_point" in error.value.message_dict
    assert not RegionPrivacySettings.objects.exists()


def test_art_12_lid_4_page_shows_the_pending_amvb_and_sets_the_contact_point(world, client):
    a = world["a"]
    login(client, a.users["privacy_officer"])
    url = reverse("governance:privacy_coordination")
    page = client.get(url)
    assert page.status_code == 200
    assert "art. 12 lid 4" in page.content.decode()
    refused = client.post(url, {"coordinating_officer": a.users["privacy_officer"].pk, "contact_point": ""})
    assert refused.status_code == 400
    assert "Vul het contactpunt" in refused.content.decode() or "verplicht" in refused.content.decode()
    assert not RegionPrivacySettings.objects.exists()
    done = client.post(url, {"coordinating_officer": a.users["privacy_officer"].pk, "contact_point": CONTACT})
    assert done.status_code == 302
    assert RegionPrivacySettings.objects.get().contact_point == CONTACT


# ---------------------------------------------------------------- AVG art. 12 lid 3: the deadline


@pytest.mark.parametrize("kind", [k for k, _label in RightsRequestKind.choices])
def test_avg_art_15_16_17_18_21_each_request_is_due_a_month_after_receipt(world, kind):
    row = _register(world["a"], kind=kind)
    assert row.deadline == date(2026, 12, 10)
    assert row.status == RightsRequest.OPEN
    assert _logged(row, "create")


def test_avg_art_12_lid_3_a_month_after_31_january_is_the_last_day_of_february(world):
    assert _register(world["a"], received_on=date(2026, 1, 31)).deadline == date(2026, 2, 28)


def test_register_refuses_a_future_receipt_or_an_empty_summary(world):
    with pytest.raises(ValidationError) as error:
        _register(world["a"], received_on=date(2026, 12, 1), summary="")
    assert set(error.value.message_dict) == {"received_on", "summary"}
    assert not RightsRequest.objects.exists()


def test_avg_art_12_lid_3_an_extension_by_at_most_two_months_with_a_reason(world):
    a = world["a"]
    row = _register(a)
    row = rights.extend_rights_request(
        a.users["privacy_officer"],
        request=row,
        extended_to=date(2027, 2, 10),
        reason="Complex: gegevens bij vijf deelnemers",
        today=TODAY,
    )
    assert row.extended_deadline == date(2027, 2, 10) and row.due_on == date(2027, 2, 10)
    assert _logged(row, "update")


@pytest.mark.parametrize(
    ("extended_to", "reason", "field"),
    [
        (date(2027, 1, 10), "", "reason"),  # without a reason
        (date(2027, 2, 11), "Complex", "extended_to"),  # beyond two months
        (date(2026, 12, 10), "Complex", "extended_to"),  # not after the deadline
    ],
)
def test_avg_art_12_lid_3_refused_extensions_write_nothing(world, extended_to, reason, field):
    a = world["a"]
    row = _register(a)
    with pytest.raises(ValidationError) as error:
        rights.extend_rights_request(
            a.users["privacy_officer"], request=row, extended_to=extended_to, reason=reason, today=TODAY
        )
    assert field in error.value.message_dict
    row.refresh_from_db()
    assert row.extended_deadline is None and row.extension_reason == ""


def test_avg_art_12_lid_3_extends_once(world):
    a = world["a"]
    row = _register(a)
    rights.extend_rights_request(
        a.users["privacy_officer"], request=row, extended_to=date(2027, 1, 10), reason="Complex", today=TODAY
    )
    with pytest.raises(ValidationError, match="al eenmaal verlengd"):
        rights.extend_rights_request(
            a.users["privacy_officer"], request=row, extended_to=date(2027, 2, 10), reason="Nog complexer", today=TODAY
        )
    row.refresh_from_db()
    assert row.extended_deadline == date(2027, 1, 10) and row.extension_reason == "Complex"


def test_avg_art_12_lid_3_extends_only_within_the_first_month(world):
    a = world["a"]
    row = _register(a, received_on=date(2026, 10, 1))
    with pytest.raises(ValidationError, match="binnen een maand"):
        rights.extend_rights_request(
            a.users["privacy_officer"], request=row, extended_to=date(2026, 12, 31), reason="Complex", today=TODAY
        )


def test_answer_records_when_by_whom_and_the_outcome_once(world):
    a = world["a"]
    row = _register(a)
    row = rights.answer_rights_request(
        a.users["privacy_officer"], request=row, answered_on=TODAY, outcome="Gegevens gerectificeerd", today=TODAY
    )
    assert (row.status, row.answered_on, row.answered_by) == (RightsRequest.ANSWERED, TODAY, a.users["privacy_officer"])
    assert _logged(row, "update")
    with pytest.raises(ValidationError, match="al beantwoord"):
        rights.answer_rights_request(
            a.users["privacy_officer"], request=row, answered_on=TODAY, outcome="Nogmaals", today=TODAY
        )


def test_answer_before_receipt_or_without_outcome_is_refused(world):
    a = world["a"]
    row = _register(a)
    with pytest.raises(ValidationError) as error:
        rights.answer_rights_request(
            a.users["privacy_officer"], request=row, answered_on=date(2026, 11, 9), outcome="", today=TODAY
        )
    assert set(error.value.message_dict) == {"answered_on", "outcome"}
    row.refresh_from_db()
    assert row.status == RightsRequest.OPEN and row.answered_on is None


def test_avg_art_12_lid_3_open_requests_by_deadline_overdue_marked(world):
    a = world["a"]
    late = _register(a, received_on=date(2026, 10, 1))
    on_time = _register(a)
    answered = _register(a, received_on=date(2026, 9, 1))
    rights.answer_rights_request(
        a.users["privacy_officer"], request=answered, answered_on=TODAY, outcome="Afgewezen", today=TODAY
    )
    rows = rights.open_requests(a.users["privacy_officer"], today=TODAY)
    assert [(o.request, o.overdue) for o in rows] == [(late, True), (on_time, False)]
    assert _logged(late, "list")


def test_requests_are_the_tables_own_and_only_the_fg_handles_them(world):
    a, b = world["a"], world["b"]
    row = _register(a)
    assert rights.open_requests(b.users["privacy_officer"]) == []
    with pytest.raises(Http404):
        rights.get_rights_request(b.users["privacy_officer"], row.pk)
    with pytest.raises(PolicyDenied):
        rights.register_rights_request(
            a.users["case_director"], kind="erasure", received_on=TODAY, summary="x", today=TODAY
        )
    with pytest.raises(PolicyDenied):
        rights.answer_rights_request(b.users["privacy_officer"], request=row, answered_on=TODAY, outcome="x")


def test_art_12_the_coordinating_fg_sees_the_open_requests_on_the_dashboard(world, client):
    a = world["a"]
    row = _register(a, received_on=date(2026, 10, 1))
    login(client, a.users["privacy_officer"])
    assert row.reference not in client.get(reverse("web:dashboard")).content.decode()
    RegionPrivacySettings.objects.create(
        region=a.region,
        coordinating_officer=a.users["privacy_officer"],
        contact_point=CONTACT,
        updated_by=a.users["privacy_officer"],
    )
    page = client.get(reverse("web:dashboard")).content.decode()
    assert row.reference in page and "over de termijn" in page  # in the coordinating FG's work queue


# ---------------------------------------------------------------- pages: Dutch 400, nothing written


def test_pages_register_extend_answer_and_refuse_with_a_dutch_400(world, client):
    a = world["a"]
    login(client, a.users["privacy_officer"])
    listing = reverse("governance:rights_request_list")
    refused = client.post(listing, {"kind": "erasure", "received_on": "2999-01-01", "summary": "Wissing"})
    assert refused.status_code == 400 and "toekomst" in refused.content.decode()
    assert not RightsRequest.objects.exists()
    done = client.post(listing, {"kind": "erasure", "received_on": TODAY.isoformat(), "summary": "Wissing"})
    assert done.status_code == 302
    row = RightsRequest.objects.get()
    page = client.get(listing).content.decode()
    assert row.reference in page
    extend = reverse("governance:rights_request_extend", kwargs={"pk": row.pk})
    no_reason = client.post(extend, {"extended_to": "2027-01-15", "reason": ""})
    assert no_reason.status_code == 400 and "reden" in no_reason.content.decode()
    too_long = client.post(extend, {"extended_to": "2027-12-31", "reason": "Complex"})
    assert too_long.status_code == 400 and "twee maanden" in too_long.content.decode()
    row.refresh_from_db()
    assert row.extended_deadline is None
    answer = reverse("governance:rights_request_answer", kwargs={"pk": row.pk})
    early = client.post(answer, {"answered_on": "2020-01-01", "outcome": "Gewist"})
    assert early.status_code == 400 and "vóór de ontvangst" in early.content.decode()
    row.refresh_from_db()
    assert row.status == RightsRequest.OPEN
    assert client.post(answer, {"answered_on": TODAY.isoformat(), "outcome": "Gewist"}).status_code == 302
    row.refresh_from_db()
    assert row.status == RightsRequest.ANSWERED
