"""Wet PGA art. 15: the joint lawfulness advisory committee (rechtmatigheidsadviescommissie).

Its members read, without case content, the art. 11 motivations and the register of
processing changes, and record advice to the casusoverleg, which the chair answers.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casustafel.access import policy
from casustafel.core.errors import PolicyDenied
from casustafel.governance import informing
from casustafel.oversight import selectors, services
from casustafel.oversight.models import Advice, AdviceStatus
from casustafel.processing_log.models import ProcessingLogEntry

from .helpers import login

pytestmark = pytest.mark.django_db


def _defer(case, user, motivation="Lopend opsporingsonderzoek (fictief)."):
    return informing.record_informing_decision(
        user,
        case=case,
        outcome="deferred",
        ground="d_criminal_offences",
        motivation=motivation,
        review_on=timezone.localdate() + timedelta(days=30),
    )


def _advice(world_region, **kw):
    return services.record_advice(
        world_region.users["committee"],
        subject_line=kw.get("subject_line", "Bewaartermijn wegingen"),
        text=kw.get("text", "Stel de bewaartermijn vast tegen art. 9 (fictief)."),
    )


def test_art15_the_committee_reads_the_art11_motivations_without_names(client, region_a, case_a):
    _defer(case_a, region_a.users["case_director"], motivation="Motivering voor de commissie (fictief).")
    login(client, region_a.users["committee"])
    response = client.get(reverse("oversight:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Motivering voor de commissie (fictief)." in page
    assert case_a.reference in page
    # Without case content: not the person's name, not who decided (only the organisation).
    assert case_a.subject.family_name not in page
    assert region_a.users["case_director"].display_name not in page
    assert region_a.users["case_director"].organisation.name in page


def test_art15_informed_decisions_and_other_regions_are_not_listed(world, case_a):
    a, b = world["a"], world["b"]
    _defer(case_a, a.users["case_director"])
    informing.record_informing_decision(
        a.users["case_director"], case=case_a, outcome="informed", informed_on=timezone.localdate()
    )
    assert len(selectors.motivations_page(a.users["committee"]).object_list) == 1
    assert selectors.motivations_page(b.users["committee"]).object_list == []
    assert selectors.motivations_page(a.users["privacy_officer"]).object_list == []


def test_art15_the_register_lists_every_data_version(region_a):
    changes = selectors.processing_changes(region_a.users["committee"])
    kinds = {c.kind for c in changes}
    for kind in (
        "Grondslagen",
        "Wegingskader",
        "Verwerkingsactiviteit",
        "Belangen art. 41 UAVG (informeren)",
        "Onderdelen privacy-audit",
        "Geheimhoudingstekst",
    ):
        assert kind in kinds
    assert {c.version for c in changes if c.kind == "Grondslagen"} >= {1, 2}
    dates = [c.date for c in changes if c.date is not None]
    assert dates == sorted(dates, reverse=True)
    assert selectors.processing_changes(region_a.users["case_director"]) == []


def test_art15_advice_is_recorded_by_the_committee_and_answered_by_the_chair_only(client, region_a):
    login(client, region_a.users["committee"])
    response = client.post(
        reverse("oversight:advice_create"), {"subject_line": "Grondslag", "text": "Voorstel (fictief)."}
    )
    advice = Advice.objects.get()
    assert response.status_code == 302
    assert advice.status == AdviceStatus.OPEN and advice.region_id == region_a.region.pk
    # The committee cannot answer its own advice; nor can a case director.
    assert client.post(reverse("oversight:advice_detail", args=[advice.pk]), {"response": "x"}).status_code == 404
    with pytest.raises(PolicyDenied):
        services.respond_to_advice(region_a.users["case_director"], advice=advice, response="Nee.")
    chair = region_a.users["process_director"]
    login(client, chair)
    assert "Reactie vastleggen" in client.get(reverse("oversight:advice_detail", args=[advice.pk])).content.decode()
    response = client.post(reverse("oversight:advice_detail", args=[advice.pk]), {"response": "Overgenomen."})
    assert response.status_code == 302
    advice.refresh_from_db()
    assert (advice.status, advice.response, advice.responded_by) == (AdviceStatus.ANSWERED, "Overgenomen.", chair)
    with pytest.raises(ValidationError):
        services.respond_to_advice(chair, advice=advice, response="Nog eens.")


def test_art15_advice_without_text_is_refused_and_nothing_written(client, region_a):
    login(client, region_a.users["committee"])
    response = client.post(reverse("oversight:advice_create"), {"subject_line": "  ", "text": ""})
    assert response.status_code == 400
    assert Advice.objects.count() == 0
    advice = _advice(region_a)
    login(client, region_a.users["process_director"])
    response = client.post(reverse("oversight:advice_detail", args=[advice.pk]), {"response": " "})
    assert response.status_code == 400
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.OPEN


def test_art15_advice_stays_in_its_region(world):
    advice = _advice(world["a"])
    assert list(selectors.advice_page(world["b"].users["committee"]).object_list) == []
    with pytest.raises(PolicyDenied):
        services.respond_to_advice(world["b"].users["process_director"], advice=advice, response="Nee.")


def test_art15_the_committee_is_refused_every_case_page(client, region_a, case_a, signal_a):
    committee = region_a.users["committee"]
    for action in (policy.Action.CASE_VIEW, policy.Action.SIGNAL_VIEW, policy.Action.WEIGHING_VIEW):
        assert not policy.can(committee, action)
    login(client, committee)
    for url in (
        reverse("cases:case_detail", args=[case_a.pk]),
        reverse("signals:signal_detail", args=[signal_a.pk]),
        reverse("governance:case_transparency", args=[case_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # The lists say plainly that the role has no access (issue 12 item 11): no object involved.
    for url in (reverse("cases:case_list"), reverse("weighing:weighing_list")):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_art15_the_committees_reads_are_logged(client, region_a, case_a):
    decision = _defer(case_a, region_a.users["case_director"])
    advice = _advice(region_a)
    login(client, region_a.users["committee"])
    client.get(reverse("oversight:overview"))
    read = ProcessingLogEntry.objects.filter(object_id=decision.pk, action="list")
    assert read.count() == 1 and read.get().data_subject_id == case_a.subject_id
    assert ProcessingLogEntry.objects.filter(object_id=advice.pk, action="list").count() == 1
    client.get(reverse("oversight:advice_detail", args=[advice.pk]))
    assert ProcessingLogEntry.objects.filter(object_id=advice.pk, action="read").count() == 1


def test_art15_the_menu_links_the_committee_and_the_chair(client, region_a):
    url = reverse("oversight:overview")
    for key, shown in (("committee", True), ("process_director", True), ("case_director", False)):
        login(client, region_a.users[key])
        assert (url in client.get(reverse("web:dashboard")).content.decode()) is shown, key
