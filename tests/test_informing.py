"""Wet PGA art. 11 with AVG art. 14 and art. 41 lid 1 UAVG: informing the person of their
inclusion is the default (within a month); not informing or deferring is a recorded decision with
the interest of art. 41 lid 1 UAVG it protects, a written motivation for the casusoverleg and a
review date; every decision is kept. ADR 0010, revision 2026-11-30."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casustafel.core.errors import PolicyDenied
from casustafel.demo import admit_jointly
from casustafel.governance import informing
from casustafel.governance import selectors as governance_selectors
from casustafel.governance import services as governance_services
from casustafel.governance.models import GROUND_NOT_RECORDED, InformingDecision, InformingOutcome
from casustafel.processing_log.models import ProcessingLogEntry

from .helpers import login

pytestmark = pytest.mark.django_db

DEFER = "deferred"


def _defer(case, user, *, review_on=None, ground="d_criminal_offences", motivation="Lopend opsporingsonderzoek.", **kw):
    return informing.record_informing_decision(
        user,
        case=case,
        outcome=kw.pop("outcome", DEFER),
        ground=ground,
        motivation=motivation,
        review_on=review_on or timezone.localdate() + timedelta(days=30),
        **kw,
    )


def _page(client, case):
    return client.get(reverse("governance:case_transparency", args=[case.pk]))


# ---------------------------------------------------------------- the grounds, as data


def test_art11_the_grounds_are_the_interests_a_to_j_of_art41_lid1_uavg_as_versioned_data():
    first = informing.grounds_valid_on(date(2025, 7, 1))
    assert first is not None and first.version == 1
    assert [letter for _code, letter, _label in first.grounds] == list("abcdefghij")
    assert "openbare veiligheid" in first.label("c_public_security")
    assert "art. 41 lid 1 onder d UAVG" in first.label("d_criminal_offences")
    assert informing.grounds_valid_on(date(2025, 6, 30)) is None


def test_art11_informing_is_the_default_the_deadline_is_a_month_after_inclusion(client, region_a, case_a):
    opened = timezone.localdate(case_a.opened_at)
    deadline = informing.informing_deadline(case_a)
    assert deadline == informing.add_months(opened, 1) and deadline > opened
    assert informing.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    login(client, region_a.users["case_director"])
    page = _page(client, case_a).content.decode()
    assert "uiterlijk op" in page and "binnen een maand" in page
    assert str(deadline.day) in page


# ---------------------------------------------------------------- refusals


def test_art11_not_informing_without_a_ground_or_motivation_is_refused_and_nothing_written(region_a, case_a):
    director = region_a.users["case_director"]
    for outcome in (InformingOutcome.DEFERRED, InformingOutcome.NOT_INFORMED):
        with pytest.raises(ValidationError) as error:
            _defer(case_a, director, outcome=outcome, ground="", motivation="  ")
        assert {"ground", "motivation"} <= set(error.value.message_dict)
        assert "art. 11" in error.value.message_dict["motivation"][0]
    with pytest.raises(ValidationError) as error:
        _defer(case_a, director, ground="national_interest_in_general")
    assert set(error.value.message_dict) == {"ground"}
    with pytest.raises(ValidationError) as error:
        _defer(case_a, director, ground=GROUND_NOT_RECORDED)
    assert set(error.value.message_dict) == {"ground"}, "the migration's marker is never a ground for a new decision"
    assert not InformingDecision.objects.exists()


def test_art11_a_review_date_is_required_and_not_in_the_past(region_a, case_a):
    director = region_a.users["case_director"]
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        informing.record_informing_decision(
            director, case=case_a, outcome=DEFER, ground="c_public_security", motivation="Gevaar.", review_on=None
        )
    assert set(error.value.message_dict) == {"review_on"}
    with pytest.raises(ValidationError) as error:
        _defer(case_a, director, review_on=today - timedelta(days=1))
    assert error.value.message_dict["review_on"] == ["De datum van heroverweging ligt in het verleden."]
    assert not InformingDecision.objects.exists()
    assert _defer(case_a, director, review_on=today).review_on == today


def test_art11_informed_records_a_date_not_in_the_future(region_a, case_a):
    director = region_a.users["case_director"]
    today = timezone.localdate()
    for informed_on in (None, today + timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            informing.record_informing_decision(director, case=case_a, outcome="informed", informed_on=informed_on)
        assert set(error.value.message_dict) == {"informed_on"}
    assert not InformingDecision.objects.exists()
    decision = informing.record_informing_decision(
        director, case=case_a, outcome="informed", informed_on=today, ground="c_public_security", motivation="x"
    )
    assert (decision.informed_on, decision.ground, decision.motivation, decision.review_on) == (today, "", "", None)


def test_art11_web_refusals_are_dutch_form_errors_400_with_nothing_written(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    url = reverse("governance:case_transparency", args=[case_a.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    cases = [
        ({"outcome": "not_informed", "ground": "", "motivation": "", "review_on": tomorrow}, "Kies het belang"),
        (
            {"outcome": "deferred", "ground": "i_rights_of_others", "motivation": "", "review_on": tomorrow},
            "motivering",
        ),
        (
            {"outcome": "deferred", "ground": "i_rights_of_others", "motivation": "M", "review_on": yesterday},
            "verleden",
        ),
        ({"outcome": "informed", "informed_on": tomorrow}, "toekomst"),
        ({}, "verplicht"),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not InformingDecision.objects.exists()


# ---------------------------------------------------------------- history


def test_art11_each_decision_is_a_new_row_and_the_page_shows_the_history(client, region_a, case_a):
    director = region_a.users["case_director"]
    first = _defer(case_a, director, motivation="Lopend opsporingsonderzoek (fictief).")
    login(client, director)
    response = client.post(
        reverse("governance:case_transparency", args=[case_a.pk]),
        {"outcome": "informed", "informed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    decisions = list(InformingDecision.objects.filter(case=case_a))
    assert [d.outcome for d in decisions] == ["informed", DEFER], "newest first, the earlier one kept"
    first.refresh_from_db()
    assert first.motivation == "Lopend opsporingsonderzoek (fictief)." and first.grounds_version == 1
    page = _page(client, case_a).content.decode()
    assert "De betrokkene is geïnformeerd op" in page
    assert "Lopend opsporingsonderzoek (fictief)." in page
    assert "art. 41 lid 1 onder d UAVG" in page
    assert director.display_name in page


# ---------------------------------------------------------------- who records, who reads, logged


def test_art11_only_the_case_managers_record_a_decision(client, region_a, case_a):
    participant = region_a.users["participant_reclassering"]
    with pytest.raises(PolicyDenied):
        _defer(case_a, participant)
    login(client, participant)
    assert _page(client, case_a).status_code == 200
    response = client.post(
        reverse("governance:case_transparency", args=[case_a.pk]),
        {"outcome": "informed", "informed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert not InformingDecision.objects.exists()


def test_art11_participants_of_art3_lid1_read_the_motivation_a_third_party_never(client, region_a, case_a):
    _defer(case_a, region_a.users["case_director"], motivation="Motivering voor het casusoverleg (fictief).")
    admit_jointly(
        region_a.users["weigher_gemeente"],
        case=case_a,
        organisation=region_a.orgs["ggz"],
        expertise="Behandeling.",
        necessary_data=["identifying", "plan_of_action"],
    )
    login(client, region_a.users["participant_reclassering"])
    assert "Motivering voor het casusoverleg (fictief)." in _page(client, case_a).content.decode()
    third_party = region_a.users["participant_ggz"]
    with pytest.raises(PolicyDenied):
        informing.informing_state(third_party, case_a)
    login(client, third_party)
    assert _page(client, case_a).status_code == 404


def test_art11_reads_and_writes_of_the_decisions_are_logged(client, region_a, case_a):
    director = region_a.users["case_director"]
    decision = _defer(case_a, director)
    entries = ProcessingLogEntry.objects.filter(object_id=decision.pk)
    assert list(entries.values_list("action", flat=True)) == ["create"]
    assert entries.get().data_subject_id == case_a.subject_id
    login(client, region_a.users["participant_reclassering"])
    _page(client, case_a)
    assert entries.filter(action="list").count() == 1


def test_art11_the_data_subject_export_lists_the_informing_decisions(region_a, case_a):
    _defer(case_a, region_a.users["case_director"], motivation="Motivering (fictief).")
    officer = region_a.users["privacy_officer"]
    request = governance_services.register_access_request(
        officer, subject=case_a.subject, received_on=timezone.localdate()
    )
    (row,) = governance_selectors.access_request_export(officer, request)["cases"][0]["informing_decisions"]
    assert (row["outcome"], row["ground"], row["motivation"]) == (DEFER, "d_criminal_offences", "Motivering (fictief).")


# ---------------------------------------------------------------- the director's work


def _dashboard(client, user):
    login(client, user)
    return client.get(reverse("web:dashboard")).content.decode()


def test_art11_a_passed_review_date_is_in_the_case_directors_work_until_decided_again(client, region_a, case_a):
    director = region_a.users["case_director"]
    today = timezone.localdate()
    _defer(case_a, director, review_on=today + timedelta(days=10))
    link = reverse("governance:case_transparency", args=[case_a.pk])
    with time_machine.travel(today + timedelta(days=10), tick=False):
        assert link not in _dashboard(client, director), "on the review date itself it has not passed"
    with time_machine.travel(today + timedelta(days=11), tick=False):
        page = _dashboard(client, director)
        assert link in page and "is verstreken" in page
        assert link in _dashboard(client, region_a.users["process_director"])
        assert link not in _dashboard(client, region_a.users["participant_reclassering"])
        assert "De datum van heroverweging is verstreken" in _page(client, case_a).content.decode()
        _defer(case_a, director, outcome="not_informed", review_on=today + timedelta(days=60))
        assert link not in _dashboard(client, director)


def test_art11_a_month_without_any_decision_is_in_the_case_directors_work(client, region_a, case_a):
    director = region_a.users["case_director"]
    deadline = informing.informing_deadline(case_a)
    link = reverse("governance:case_transparency", args=[case_a.pk])
    with time_machine.travel(deadline, tick=False):
        assert link not in _dashboard(client, director)
    with time_machine.travel(deadline + timedelta(days=1), tick=False):
        page = _dashboard(client, director)
        assert link in page and "de termijn liep af" in page
        informing.record_informing_decision(director, case=case_a, outcome="informed", informed_on=timezone.localdate())
        assert link not in _dashboard(client, director)


# ---------------------------------------------------------------- migration of the former record


def test_art11_the_former_transparency_records_become_the_first_decisions(region_a, case_a):
    """Migration 0006: informed → informed with its date; not informed with a free-text reason →
    a deferral with the ground "not recorded (before the Wet PGA)", the reason as motivation."""
    import importlib

    migration = importlib.import_module("casustafel.governance.migrations.0006_informing_decisions")
    director = region_a.users["case_director"]
    other = SimpleNamespace(pk=case_a.pk)
    saved = timezone.now() - timedelta(days=400)
    rows = [
        SimpleNamespace(
            case_id=other.pk,
            informed=False,
            informed_at=None,
            not_informed_reason="Reden van vroeger (fictief).",
            review_on=date(2025, 1, 1),
            updated_by_id=director.pk,
            updated_at=saved,
        ),
        SimpleNamespace(
            case_id=other.pk,
            informed=True,
            informed_at=date(2025, 2, 1),
            not_informed_reason="",
            review_on=None,
            updated_by_id=director.pk,
            updated_at=saved + timedelta(days=30),
        ),
    ]
    old = SimpleNamespace(objects=SimpleNamespace(using=lambda alias: SimpleNamespace(all=lambda: rows)))
    models = {"CaseTransparency": old, "InformingDecision": InformingDecision}
    fake_apps = SimpleNamespace(get_model=lambda app, name: models[name])
    migration.forward(fake_apps, SimpleNamespace(connection=connection))
    informed, deferred = InformingDecision.objects.filter(case=case_a)
    assert (informed.outcome, informed.informed_on) == ("informed", date(2025, 2, 1))
    assert (deferred.outcome, deferred.ground, deferred.motivation, deferred.review_on, deferred.decided_at) == (
        DEFER,
        GROUND_NOT_RECORDED,
        "Reden van vroeger (fictief).",
        date(2025, 1, 1),
        saved,
    )
    assert "vóór de Wet PGA" in informing.ground_label(deferred)
