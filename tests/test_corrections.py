"""Wet PGA art. 10: incorrect personal data are corrected without delay, and the organisation
they came from gets a melding so it can check its own files. The supplier of a signal or a
weighing contribution corrects its content fields with a reason; the earlier value is kept
(encrypted) for the log and shown to nobody; readers see the correction as a correction; the
melding is a task in the supplying organisation's work queue until someone marks it handled.
ADR 0032."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casustafel.cases.services import transition_case
from casustafel.core.errors import PolicyDenied
from casustafel.corrections import services
from casustafel.corrections.models import Correction, CorrectionNotice
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.weighing.models import Contribution

from .helpers import login

pytestmark = pytest.mark.django_db

OLD_FACTS = "Deelt gewelddadige teksten in een besloten groep."
NEW_FACTS = "Deelt gewelddadige teksten in een besloten groep van vijf personen."


def _correct_signal(client, signal, **data):
    data.setdefault("version", type(signal).objects.get(pk=signal.pk).version)  # as the form carries it (ADR 0052)
    return client.post(reverse("corrections:signal_correct", args=[signal.pk]), data)


def _politie_contribution(case):
    return Contribution.objects.get(weighing__decisions__case=case, party="politie")


# ---------------------------------------------------------------- a signal


def test_art10_the_supplier_corrects_a_signal_and_readers_see_the_correction(client, region_a, signal_a):
    intake = region_a.users["intake"]
    login(client, intake)
    response = _correct_signal(
        client, signal_a, facts=NEW_FACTS, opinions="", counter_indications="", reason="Aantal personen ontbrak."
    )
    assert response.status_code == 302
    signal_a.refresh_from_db()
    assert signal_a.facts == NEW_FACTS
    correction = Correction.objects.get(item_id=signal_a.pk)
    assert correction.fields == ["facts"]
    assert correction.corrected_by == intake and correction.corrected_by_organisation == intake.organisation
    # The earlier value is kept for the log, encrypted, and shown to nobody.
    assert OLD_FACTS not in correction.previous_values
    assert services.previous_values(correction) == {"facts": OLD_FACTS}
    assert ProcessingLogEntry.objects.filter(action="update", object_id=signal_a.pk).exists()
    assert ProcessingLogEntry.objects.filter(action="update", object_id=correction.pk).exists()
    # Another reader of the signal sees that, when, by whom, which field and why — not the old text.
    login(client, region_a.users["weigher_politie"])
    page = client.get(reverse("signals:signal_detail", args=[signal_a.pk])).content.decode()
    assert "gecorrigeerd op" in page and "Aantal personen ontbrak." in page
    assert intake.display_name in page and "waargenomen feiten" in page
    assert NEW_FACTS in page and OLD_FACTS + "<" not in page
    assert "Corrigeren" not in page  # not the supplier


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"facts": NEW_FACTS, "reason": ""}, "Geef de reden van de correctie"),
        ({"facts": OLD_FACTS, "reason": "Niets"}, "Er is niets gewijzigd"),
        ({"facts": "", "reason": "Leeg"}, "mag niet leeg worden"),
    ],
)
def test_art10_a_correction_without_reason_or_change_is_refused_and_nothing_written(
    client, region_a, signal_a, data, message
):
    login(client, region_a.users["intake"])
    response = _correct_signal(client, signal_a, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    signal_a.refresh_from_db()
    assert signal_a.facts == OLD_FACTS
    assert not Correction.objects.exists() and not CorrectionNotice.objects.exists()


def test_art10_another_organisation_cannot_correct_a_signal(client, region_a, signal_a):
    politie = region_a.users["weigher_politie"]
    login(client, politie)
    assert client.get(reverse("corrections:signal_correct", args=[signal_a.pk])).status_code == 404
    response = _correct_signal(client, signal_a, facts=NEW_FACTS, reason="Anders")
    assert response.status_code == 404
    signal_a.refresh_from_db()
    assert signal_a.facts == OLD_FACTS and not Correction.objects.exists()
    assert ProcessingLogEntry.objects.filter(
        status="refused", object_id=signal_a.pk, audit_record__user=politie
    ).exists()
    with pytest.raises(PolicyDenied) as refused:
        services.correct_item(politie, item=signal_a, changes={"facts": NEW_FACTS}, reason="Anders")
    assert refused.value.visible  # it may see the signal: the API would answer 403
    assert "art. 10 Wet PGA" in str(refused.value)


# ---------------------------------------------------------------- a contribution


def test_art10_a_weighing_member_corrects_its_own_partys_contribution_only(client, region_a, case_a):
    contribution = _politie_contribution(case_a)
    login(client, region_a.users["weigher_om"])
    url = reverse("corrections:contribution_correct", args=[contribution.pk])
    assert client.post(url, {"information": "Anders", "reason": "Nee"}).status_code == 404
    login(client, region_a.users["weigher_politie"])
    weighing_page = client.get(reverse("weighing:weighing_detail", args=[contribution.weighing_id])).content.decode()
    assert url in weighing_page  # "Corrigeren" on its own contribution
    response = client.post(
        url,
        {
            "information": "Bekend uit BVH, twee registraties.",
            "view_rationale": contribution.view_rationale,
            "reason": "Tweede registratie gemist.",
            "version": contribution.version,
        },
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.information == "Bekend uit BVH, twee registraties."
    correction = Correction.objects.get(item_id=contribution.pk)
    assert correction.fields == ["information"]
    assert correction.notice.organisation == region_a.orgs["politie"]
    login(client, region_a.users["weigher_om"])
    page = client.get(reverse("weighing:weighing_detail", args=[contribution.weighing_id])).content.decode()
    assert "Tweede registratie gemist." in page and "gecorrigeerd op" in page
    assert url not in page


def test_art10_with_art6_lid3_a_closed_cases_items_are_not_correctable(client, region_a, case_a):
    contribution = _politie_contribution(case_a)
    signal = contribution.weighing.signals.first()
    transition_case(
        region_a.users["case_director"], case=case_a, target="closed", reason="Klaar", closure_reason="verhuisd"
    )
    login(client, region_a.users["weigher_politie"])
    url = reverse("corrections:contribution_correct", args=[contribution.pk])
    assert client.post(url, {"information": "Anders", "reason": "Te laat"}).status_code == 404
    login(client, region_a.users["intake"])
    assert _correct_signal(client, signal, facts=NEW_FACTS, reason="Te laat").status_code == 404
    assert not Correction.objects.exists()


# ---------------------------------------------------------------- the melding


def test_art10_the_melding_is_a_task_of_the_organisation_the_data_came_from_until_handled(client, region_a, signal_a):
    services.correct_item(
        region_a.users["intake"], item=signal_a, changes={"facts": NEW_FACTS}, reason="Aantal personen ontbrak."
    )
    notice = CorrectionNotice.objects.get()
    assert notice.organisation == signal_a.registered_by_organisation
    # Another organisation's dashboard does not show it, nor may it mark it handled.
    login(client, region_a.users["weigher_politie"])
    assert "controleer uw eigen bestanden" not in client.get(reverse("web:dashboard")).content.decode()
    assert client.post(reverse("corrections:notice_done", args=[notice.pk])).status_code == 404
    # A colleague of the supplier sees it in the work queue and marks it handled, logged.
    colleague = region_a.users["weigher_gemeente"]
    login(client, colleague)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "controleer uw eigen bestanden" in page and "Aantal personen ontbrak." in page
    assert client.post(reverse("corrections:notice_done", args=[notice.pk])).status_code == 302
    notice.refresh_from_db()
    assert notice.done_at is not None and notice.done_by == colleague
    assert ProcessingLogEntry.objects.filter(
        action="update", object_id=notice.pk, audit_record__user=colleague
    ).exists()
    assert "controleer uw eigen bestanden" not in client.get(reverse("web:dashboard")).content.decode()
