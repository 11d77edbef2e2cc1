"""Transfer of a case to another table (overdracht): propose, accept, decline, access after."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from casustafel.cases import states
from casustafel.cases.models import Case, CaseTransfer, TransferStatus
from casustafel.cases.selectors import get_case
from casustafel.cases.services import transition_case
from casustafel.cases.transfer import decide_transfer, propose_transfer
from casustafel.core.errors import PolicyDenied
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.signals.models import Signal
from casustafel.subjects.models import Subject
from casustafel.weighing.models import Weighing

from .conftest import make_case
from .helpers import login

pytestmark = pytest.mark.django_db


def incoming_transfer_to(world, to="a", reason="Verhuisd naar een gemeente van de ontvangende tafel"):
    """A case of the other region proposed for transfer to region ``to``."""
    sender = world["b" if to == "a" else "a"]
    case = make_case(sender, family_name="Verhuizer")
    return propose_transfer(sender.users["case_director"], case=case, to_region=world[to].region, reason=reason)


def test_propose_records_an_open_transfer(world, case_a):
    transfer = propose_transfer(
        world["a"].users["case_director"], case=case_a, to_region=world["b"].region, reason="Verhuisd"
    )
    assert transfer.status == TransferStatus.OPEN
    assert (transfer.from_region, transfer.to_region) == (world["a"].region, world["b"].region)
    assert ProcessingLogEntry.objects.filter(object_id=str(transfer.pk)).exists()


def test_transfer_to_the_same_table_is_refused(world, case_a):
    with pytest.raises(ValidationError) as error:
        propose_transfer(world["a"].users["case_director"], case=case_a, to_region=world["a"].region, reason="Verhuisd")
    assert "eigen casustafel" in str(error.value.message_dict["to_region"])
    assert not CaseTransfer.objects.exists()


def test_second_open_transfer_is_refused(world, case_a):
    propose_transfer(world["a"].users["case_director"], case=case_a, to_region=world["b"].region, reason="Verhuisd")
    with pytest.raises(ValidationError) as error:
        propose_transfer(
            world["a"].users["process_director"], case=case_a, to_region=world["b"].region, reason="Nogmaals"
        )
    assert "al een overdracht open" in str(error.value.message_dict["case"])
    assert CaseTransfer.objects.count() == 1


def test_closed_case_cannot_be_transferred_and_reason_is_required(world, case_a):
    transition_case(
        world["a"].users["case_director"],
        case=case_a,
        target=states.CLOSED,
        reason="Klaar",
        closure_reason="doelen_bereikt",
    )
    with pytest.raises(ValidationError) as error:
        propose_transfer(world["a"].users["case_director"], case=case_a, to_region=world["b"].region, reason="  ")
    assert set(error.value.message_dict) == {"status", "reason"}


def test_only_managers_propose(world, case_a):
    with pytest.raises(PolicyDenied):
        propose_transfer(
            world["a"].users["participant_reclassering"], case=case_a, to_region=world["b"].region, reason="Verhuisd"
        )
    with pytest.raises(PolicyDenied):
        propose_transfer(world["b"].users["case_director"], case=case_a, to_region=world["b"].region, reason="Verhuisd")


def test_accept_moves_case_subject_signals_and_weighings(world):
    transfer = incoming_transfer_to(world)
    a, b = world["a"], world["b"]
    case = transfer.case
    decide_transfer(a.users["process_director"], transfer=transfer, accept=True, case_director=a.users["case_director"])
    case.refresh_from_db()
    transfer.refresh_from_db()
    assert case.region == a.region and case.case_director == a.users["case_director"]
    assert Subject.objects.get(pk=case.subject_id).region == a.region
    assert set(Signal.objects.filter(subject_id=case.subject_id).values_list("region", flat=True)) == {a.region.pk}
    assert set(Weighing.objects.filter(subject_id=case.subject_id).values_list("region", flat=True)) == {a.region.pk}
    orgs = {p.organisation for p in case.participants.all()}
    assert orgs == {a.orgs["gemeente"], a.orgs["politie"], a.orgs["om"], a.orgs["zvh"]}
    assert transfer.status == TransferStatus.ACCEPTED and transfer.decided_by == a.users["process_director"]
    assert transfer.decided_at and transfer.new_case_director == a.users["case_director"]
    assert ProcessingLogEntry.objects.filter(object_id=str(transfer.pk), action="update").exists()
    # The person's records are provided to the receiving table: logged as shared (verstrekt).
    shared = ProcessingLogEntry.objects.filter(action="share", data_subject_id=case.subject_id)
    assert {"case", "subject", "signal", "weighing"} <= set(shared.values_list("object_type", flat=True))
    # Sending table loses access; receiving table gains it.
    for key in ("case_director", "process_director", "participant_reclassering", "weigher_gemeente"):
        with pytest.raises(Http404):
            get_case(b.users[key], case.pk)
    for key in ("case_director", "process_director", "weigher_gemeente", "weigher_om"):
        assert get_case(a.users[key], case.pk) == case


def test_decline_leaves_everything_unchanged(world):
    transfer = incoming_transfer_to(world)
    case = transfer.case
    before = set(case.participants.values_list("organisation", flat=True))
    with pytest.raises(ValidationError):
        decide_transfer(world["a"].users["weigher_om"], transfer=transfer, accept=False, reason="")
    decide_transfer(
        world["a"].users["weigher_om"], transfer=transfer, accept=False, reason="Persoon woont niet bij ons"
    )
    case.refresh_from_db()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED and transfer.decision_reason
    assert case.region == world["b"].region and case.case_director == world["b"].users["case_director"]
    assert set(case.participants.values_list("organisation", flat=True)) == before
    with pytest.raises(ValidationError):
        decide_transfer(
            world["a"].users["weigher_om"],
            transfer=transfer,
            accept=True,
            case_director=world["a"].users["case_director"],
        )


def test_accept_requires_own_case_director_and_writes_nothing_otherwise(world):
    transfer = incoming_transfer_to(world)
    with pytest.raises(ValidationError) as error:
        decide_transfer(
            world["a"].users["process_director"],
            transfer=transfer,
            accept=True,
            case_director=world["b"].users["case_director"],
        )
    assert "case_director" in error.value.message_dict
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.OPEN
    assert Case.objects.get(pk=transfer.case_id).region == world["b"].region


def test_person_already_known_at_receiving_table_needs_manual_merge(world):
    transfer = incoming_transfer_to(world)
    make_case(world["a"], family_name="Verhuizer")  # same person, already known in region a
    with pytest.raises(ValidationError) as error:
        decide_transfer(
            world["a"].users["process_director"],
            transfer=transfer,
            accept=True,
            case_director=world["a"].users["case_director"],
        )
    assert "handmatig" in str(error.value.message_dict["subject"])
    assert Case.objects.get(pk=transfer.case_id).region == world["b"].region


def test_only_receiving_table_decides(world):
    transfer = incoming_transfer_to(world)
    for user in (
        world["b"].users["process_director"],
        world["a"].users["participant_reclassering"],
        world["a"].users["case_director"],
    ):
        with pytest.raises(PolicyDenied):
            decide_transfer(user, transfer=transfer, accept=False, reason="Nee")


# ------------------------------------------------------------------ web


def test_web_propose_and_refusal_message(client, world, case_a):
    login(client, world["a"].users["case_director"])
    url = reverse("cases:case_transfer", kwargs={"pk": case_a.pk})
    response = client.post(url, {"to_region": str(world["a"].region.pk), "reason": "Verhuisd"})
    assert response.status_code == 400
    assert "niet worden overgedragen aan de eigen casustafel" in response.content.decode()
    response = client.post(url, {"to_region": str(world["b"].region.pk), "reason": "Verhuisd"})
    assert response.status_code == 302
    assert CaseTransfer.objects.get(case=case_a).to_region == world["b"].region


def test_web_receiving_side_sees_no_case_content_before_acceptance(client, world):
    transfer = incoming_transfer_to(world, reason="Verhuisd naar Ameide")
    a = world["a"]
    login(client, a.users["process_director"])
    listing = client.get(reverse("cases:transfer_list")).content.decode()
    assert transfer.case.reference in listing and "Verhuisd naar Ameide" in listing
    assert transfer.case.subject.municipality in listing
    assert transfer.case.subject.family_name not in listing
    page = client.get(reverse("cases:transfer_decide", kwargs={"pk": transfer.pk})).content.decode()
    assert transfer.case.subject.family_name not in page
    assert client.get(reverse("cases:case_detail", kwargs={"pk": transfer.case_id})).status_code == 404

    response = client.post(
        reverse("cases:transfer_decide", kwargs={"pk": transfer.pk}),
        {"decision": "accept", "case_director": str(a.users["case_director"].pk)},
    )
    assert response.status_code == 302
    assert client.get(reverse("cases:case_detail", kwargs={"pk": transfer.case_id})).status_code == 200
    login(client, world["b"].users["case_director"])
    assert client.get(reverse("cases:case_detail", kwargs={"pk": transfer.case_id})).status_code == 404


def test_web_decline_without_reason_is_400(client, world):
    transfer = incoming_transfer_to(world)
    login(client, world["a"].users["weigher_politie"])
    response = client.post(reverse("cases:transfer_decide", kwargs={"pk": transfer.pk}), {"decision": "decline"})
    assert response.status_code == 400
    assert "reden van afwijzing" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.OPEN


# ------------------------------------------------------------------ API


def _api(user):
    from .helpers import api_client

    return api_client(user)


def test_api_propose_accept_and_access(world):
    from .api.conftest import assert_problem

    a, b = world["a"], world["b"]
    case = make_case(b, family_name="Verhuizer")
    sender = _api(b.users["case_director"])
    url = f"/api/v1/cases/{case.pk}/transfers"
    assert_problem(
        sender.post(url, {"to_region": str(b.region.pk), "reason": "Verhuisd"}, format="json"), 400, "to_region"
    )
    assert_problem(sender.post(url, {"to_region": "geen-id", "reason": ""}, format="json"), 400, "to_region")
    created = sender.post(url, {"to_region": str(a.region.pk), "reason": "Verhuisd"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "open" and body["case_reference"] == case.reference
    assert_problem(sender.post(url, {"to_region": str(a.region.pk), "reason": "Nogmaals"}, format="json"), 400)

    receiver = _api(a.users["weigher_gemeente"])
    assert_problem(receiver.get(f"/api/v1/cases/{case.pk}"), 404)
    decision = f"/api/v1/case-transfers/{body['id']}/decision"
    assert_problem(sender.post(decision, {"decision": "decline", "reason": "Nee"}, format="json"), 404)
    assert_problem(receiver.post(decision, {"decision": "misschien"}, format="json"), 400, "decision")
    assert_problem(receiver.post(decision, {"decision": "accept"}, format="json"), 400, "case_director")
    accepted = receiver.post(
        decision, {"decision": "accept", "case_director": str(a.users["case_director"].pk)}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert receiver.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert_problem(sender.get(f"/api/v1/cases/{case.pk}"), 404)
    assert_problem(_api(b.users["participant_reclassering"]).get(f"/api/v1/cases/{case.pk}"), 404)


def test_case_page_links_to_transfer_for_managers_only(client, region_a, case_a):
    from django.urls import reverse

    from .helpers import login

    url = reverse("cases:case_transfer", args=[case_a.pk])
    login(client, region_a.users["case_director"])
    assert url in client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    client.logout()
    login(client, region_a.users["participant_reclassering"])
    assert url not in client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()


# ---------------------------------------------------------------- Wet PGA art. 7: per supplying participant


def test_art7_lid2_objection_by_a_supplier_keeps_its_items_behind(world):
    """An organisation that supplied items objects for weighty reasons: its items do not travel."""
    from casustafel.cases.transfer import object_to_transfer, supplying_organisations

    transfer = incoming_transfer_to(world)
    a, b = world["a"], world["b"]
    assert set(supplying_organisations(transfer)) == {b.orgs["gemeente"], b.orgs["politie"], b.orgs["om"]}
    objection = object_to_transfer(b.users["weigher_politie"], transfer=transfer, reason="Lopend opsporingsonderzoek")
    assert (objection.organisation, objection.objected_by) == (b.orgs["politie"], b.users["weigher_politie"])
    assert ProcessingLogEntry.objects.filter(object_id=str(objection.pk), action="create").exists()
    case = transfer.case
    decide_transfer(a.users["process_director"], transfer=transfer, accept=True, case_director=a.users["case_director"])
    case.refresh_from_db()
    assert case.region == a.region
    # The signal was registered by the gemeente (no objection): it travels. The weighing holds
    # the politie's contribution (objected): the joint record stays with the sending table.
    assert set(Signal.objects.filter(subject_id=case.subject_id).values_list("region", flat=True)) == {a.region.pk}
    assert set(Weighing.objects.filter(subject_id=case.subject_id).values_list("region", flat=True)) == {b.region.pk}
    shared = ProcessingLogEntry.objects.filter(action="share", data_subject_id=case.subject_id)
    assert "weighing" not in set(shared.values_list("object_type", flat=True))


def test_art7_lid2_objected_signal_stays_with_the_sending_table(world):
    from casustafel.cases.transfer import object_to_transfer

    transfer = incoming_transfer_to(world)
    a, b = world["a"], world["b"]
    object_to_transfer(b.users["intake"], transfer=transfer, reason="Bron moet worden beschermd")
    decide_transfer(a.users["weigher_om"], transfer=transfer, accept=True, case_director=a.users["case_director"])
    assert set(Signal.objects.filter(subject_id=transfer.subject_id).values_list("region", flat=True)) == {b.region.pk}


def test_art7_lid2_objection_refusals(world):
    from casustafel.cases.transfer import object_to_transfer

    transfer = incoming_transfer_to(world)
    a, b = world["a"], world["b"]
    with pytest.raises(ValidationError) as error:  # reclassering supplied nothing about the person
        object_to_transfer(b.users["participant_reclassering"], transfer=transfer, reason="Liever niet")
    assert "geen gegevens over deze persoon ingebracht" in str(error.value.message_dict["transfer"])
    with pytest.raises(ValidationError) as error:
        object_to_transfer(b.users["weigher_om"], transfer=transfer, reason=" ")
    assert "zwaarwegende reden" in str(error.value.message_dict["reason"])
    with pytest.raises(PolicyDenied):  # the receiving table does not object to its own intake
        object_to_transfer(a.users["weigher_om"], transfer=transfer, reason="Geen idee")
    object_to_transfer(b.users["weigher_om"], transfer=transfer, reason="Strafzaak loopt")
    with pytest.raises(ValidationError):
        object_to_transfer(b.users["weigher_om"], transfer=transfer, reason="Nogmaals")
    decide_transfer(a.users["weigher_om"], transfer=transfer, accept=False, reason="Niet bij ons")
    with pytest.raises(ValidationError) as error:  # only before the transfer is decided
        object_to_transfer(b.users["weigher_politie"], transfer=transfer, reason="Te laat")
    assert "al besloten" in str(error.value.message_dict["transfer"])
    assert transfer.objections.count() == 1


def test_art7_regie_and_gemeente_van_verblijf_move_with_an_accepted_transfer(world):
    transfer = incoming_transfer_to(world)
    a = world["a"]
    decide_transfer(a.users["weigher_om"], transfer=transfer, accept=True, case_director=a.users["case_director"])
    case = Case.objects.get(pk=transfer.case_id)
    assert case.case_director == a.users["case_director"]
    subject = Subject.objects.get(pk=case.subject_id)
    assert subject.municipality == a.orgs["gemeente"].name.removeprefix("Gemeente ")
    assert subject.municipality_organisation == a.orgs["gemeente"]


def test_art7_web_objection_page(client, world):
    transfer = incoming_transfer_to(world)
    b = world["b"]
    login(client, b.users["weigher_politie"])
    assert transfer.case_reference in client.get(reverse("cases:transfer_outgoing")).content.decode()
    url = reverse("cases:transfer_object", args=[transfer.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and not transfer.objections.exists()
    assert client.post(url, {"reason": "Lopend onderzoek"}).status_code == 302
    assert transfer.objections.get().organisation == b.orgs["politie"]
    # The receiving table cannot reach the objection page.
    login(client, world["a"].users["weigher_politie"])
    assert client.get(url).status_code == 404
    # The case director sees the objection on the transfer page.
    login(client, b.users["case_director"])
    page = client.get(reverse("cases:case_transfer", args=[transfer.case_id])).content.decode()
    assert "Lopend onderzoek" in page and "art. 7 lid 2" in page
