"""Wet PGA art. 5 lid 3 (last sentence) and lid 4: while analysing the aanmelding, politie, OM
and the burgemeester of the gemeente van verblijf may consult the other participants. The
weighing records whom (an organisation of the table other than the three), when, the question
and the answer (which may follow later); whoever sees the weighing sees them. ADR 0023."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casustafel.cases.services import transition_case
from casustafel.core.errors import PolicyDenied
from casustafel.demo import decide_jointly
from casustafel.processing_log.models import Action, ProcessingLogEntry
from casustafel.weighing import services
from casustafel.weighing.models import Consultation, Outcome
from casustafel.weighing.services import DecisionData

from .api.conftest import API, assert_problem
from .conftest import weigh_all
from .helpers import api_client as api
from .helpers import login

pytestmark = pytest.mark.django_db

WEIGHERS = ("weigher_gemeente", "weigher_politie", "weigher_om")


@pytest.fixture
def weighing(region_a, signal_a):
    from casustafel.flow.services import send_to_weighing

    return send_to_weighing(region_a.users["intake"], signal=signal_a).weighing


def _consult(region, weighing, *, by="weigher_politie", organisation=None, **extra):
    return services.record_consultation(
        region.users[by],
        weighing=weighing,
        organisation=organisation or region.orgs["reclassering"],
        consulted_on=extra.pop("consulted_on", timezone.localdate()),
        question=extra.pop("question", "Is betrokkene bij u in beeld?"),
        **extra,
    )


def _decided(region, weighing):
    weigh_all(region, weighing, view=Outcome.NO_ACTION)
    decide_jointly(
        region.users["weigher_gemeente"],
        weighing=weighing,
        data=DecisionData(outcome=Outcome.NO_ACTION, rationale="Geen zorgen over radicalisering."),
    )
    weighing.refresh_from_db()
    return weighing


def _logged(consultation, action) -> bool:
    return ProcessingLogEntry.objects.filter(
        object_type="consultation", object_id=str(consultation.pk), action=action
    ).exists()


# ---------------------------------------------------------------- recording a consultation


@pytest.mark.parametrize("by", WEIGHERS)
def test_art5_lid3_each_core_party_records_a_consultation_of_another_participant(region_a, weighing, by):
    consultation = _consult(region_a, weighing, by=by, answer="Ja, bekend bij de reclassering sinds 2024.")
    consultation.refresh_from_db()
    assert consultation.organisation == region_a.orgs["reclassering"]
    assert consultation.consulted_on == timezone.localdate()
    assert consultation.recorded_by == region_a.users[by]
    assert consultation.consulting_organisation == region_a.users[by].organisation
    assert consultation.answer_recorded_by == region_a.users[by] and not consultation.awaiting_answer
    assert _logged(consultation, Action.CREATE)


@pytest.mark.parametrize("kind", ["zvh", "reclassering"])
def test_art5_lid3_every_other_participant_of_the_table_can_be_consulted(region_a, weighing, kind):
    assert _consult(region_a, weighing, organisation=region_a.orgs[kind]).organisation.kind == kind


def test_art5_lid3_a_third_party_is_not_one_of_the_participants_consulted(region_a, weighing):
    """Art. 5 lid 3 with art. 3: "de overige deelnemers" are those of art. 3 lid 1."""
    with pytest.raises(ValidationError) as error:
        _consult(region_a, weighing, organisation=region_a.orgs["ggz"])
    assert "art. 3 lid 1" in error.value.message_dict["organisation"][0]
    assert not Consultation.objects.exists()


def test_art5_lid3_the_answer_may_follow_later_once(region_a, weighing):
    consultation = _consult(region_a, weighing)
    assert consultation.awaiting_answer and consultation.answer_recorded_at is None
    answered = services.record_consultation_answer(
        region_a.users["weigher_om"], consultation=consultation, answer="Niet bekend."
    )
    answered.refresh_from_db()
    assert (answered.answer, answered.answer_recorded_by) == ("Niet bekend.", region_a.users["weigher_om"])
    assert answered.recorded_by == region_a.users["weigher_politie"]
    assert _logged(answered, Action.UPDATE)
    with pytest.raises(ValidationError) as error:
        services.record_consultation_answer(region_a.users["weigher_om"], consultation=answered, answer="Anders.")
    assert "al vastgelegd" in error.value.messages[0]
    assert Consultation.objects.get(pk=answered.pk).answer == "Niet bekend."


def test_art5_lid3_an_empty_answer_is_refused(region_a, weighing):
    consultation = _consult(region_a, weighing)
    with pytest.raises(ValidationError) as error:
        services.record_consultation_answer(region_a.users["weigher_om"], consultation=consultation, answer="  ")
    assert "answer" in error.value.message_dict


@pytest.mark.parametrize("kind", ["gemeente", "politie", "om"])
def test_art5_lid3_a_core_party_is_not_consulted_it_weighs_itself(region_a, weighing, kind):
    with pytest.raises(ValidationError) as error:
        _consult(region_a, weighing, organisation=region_a.orgs[kind])
    assert "art. 5 lid 3" in error.value.message_dict["organisation"][0]
    assert not Consultation.objects.exists()


def test_art5_lid3_an_organisation_of_another_table_is_refused(world, weighing):
    with pytest.raises(ValidationError) as error:
        _consult(world["a"], weighing, organisation=world["b"].orgs["reclassering"])
    assert "deze casustafel" in error.value.message_dict["organisation"][0]
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    "days, fragment", [(1, "niet in de toekomst"), (-400, "vóór het begin van de weging")], ids=["future", "before"]
)
def test_art5_lid3_the_date_lies_between_the_opening_of_the_weighing_and_today(region_a, weighing, days, fragment):
    with pytest.raises(ValidationError) as error:
        _consult(region_a, weighing, consulted_on=timezone.localdate() + timedelta(days=days))
    assert fragment in error.value.message_dict["consulted_on"][0]
    assert not Consultation.objects.exists()


def test_art5_lid3_question_is_required_and_short(region_a, weighing):
    for question, fragment in (("   ", "Geef de vraag"), ("x" * 2001, "ten hoogste 2000")):
        with pytest.raises(ValidationError) as error:
            _consult(region_a, weighing, question=question)
        assert fragment in error.value.message_dict["question"][0]
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("user", ["intake", "case_director", "process_director", "participant_reclassering", "mayor"])
def test_art5_lid3_only_the_three_core_parties_record_a_consultation(region_a, weighing, user):
    with pytest.raises(PolicyDenied):
        _consult(region_a, weighing, by=user)
    assert not Consultation.objects.exists()


def test_art5_lid3_a_core_party_of_another_region_cannot_record(world, weighing):
    with pytest.raises(PolicyDenied):
        services.record_consultation(
            world["b"].users["weigher_politie"],
            weighing=weighing,
            organisation=world["a"].orgs["reclassering"],
            consulted_on=timezone.localdate(),
            question="Bekend?",
        )


def test_art5_lid3_no_consultation_after_the_decision(region_a, weighing):
    """The consultation belongs to the analysis; once the three decided, the record is closed."""
    consultation = _consult(region_a, weighing)
    weighing = _decided(region_a, weighing)
    with pytest.raises(ValidationError) as error:
        _consult(region_a, weighing)
    assert "al besloten" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.record_consultation_answer(region_a.users["weigher_om"], consultation=consultation, answer="Laat.")
    assert Consultation.objects.count() == 1 and Consultation.objects.get().awaiting_answer


def test_art5_lid4_a_consultation_is_possible_while_a_decision_is_proposed(region_a, weighing):
    """Lid 4: after a positive assessment the three may consult the others on who takes part."""
    from casustafel.flow.services import propose_decision

    weigh_all(region_a, weighing)
    propose_decision(
        region_a.users["weigher_gemeente"],
        weighing=weighing,
        data=DecisionData(outcome=Outcome.NO_ACTION, rationale="Geen zorgen."),
    )
    weighing.refresh_from_db()
    assert weighing.status == "decision_proposed"
    assert _consult(region_a, weighing).pk


# ---------------------------------------------------------------- the weighing page


def test_art5_lid3_web_records_a_consultation_and_shows_it_to_everyone_who_sees_the_weighing(
    client, region_a, weighing
):
    login(client, region_a.users["weigher_gemeente"])
    response = client.post(
        reverse("weighing:consultation_create", args=[weighing.pk]),
        {
            "organisation": region_a.orgs["reclassering"].pk,
            "consulted_on": timezone.localdate().isoformat(),
            "question": "Loopt er toezicht?",
            "answer": "",
        },
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.awaiting_answer
    client.logout()
    login(client, region_a.users["intake"])  # sees the weighing, may not record
    page = client.get(reverse("weighing:weighing_detail", args=[weighing.pk])).content.decode()
    assert "Raadpleging van overige deelnemers (art. 5 lid 3)" in page
    assert "Loopt er toezicht?" in page and "wacht op antwoord" in page
    assert reverse("weighing:consultation_create", args=[weighing.pk]) not in page
    entry = ProcessingLogEntry.objects.filter(object_type="consultation", action=Action.READ).get()
    assert entry.audit_record.user == region_a.users["intake"]


def test_art5_lid3_web_adds_the_answer_later(client, region_a, weighing):
    consultation = _consult(region_a, weighing)
    login(client, region_a.users["weigher_om"])
    url = reverse("weighing:consultation_answer", args=[weighing.pk])
    assert client.post(url, {"consultation": consultation.pk, "answer": "   "}).status_code == 400
    response = client.post(url, {"consultation": consultation.pk, "answer": "Toezicht loopt tot 2027."})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.answer == "Toezicht loopt tot 2027."
    again = client.post(url, {"consultation": consultation.pk, "answer": "Anders."})
    assert again.status_code == 302  # already answered: a message, nothing changed
    assert Consultation.objects.get().answer == "Toezicht loopt tot 2027."


@pytest.mark.parametrize("kind", ["politie", "other_region"])
def test_art5_lid3_web_refuses_a_core_party_or_another_table_with_a_dutch_message(client, world, weighing, kind):
    organisation = world["b"].orgs["reclassering"] if kind == "other_region" else world["a"].orgs[kind]
    login(client, world["a"].users["weigher_gemeente"])
    response = client.post(
        reverse("weighing:consultation_create", args=[weighing.pk]),
        {"organisation": organisation.pk, "consulted_on": timezone.localdate().isoformat(), "question": "Bekend?"},
    )
    assert response.status_code == 400
    assert "Kies een organisatie van deze casustafel" in response.content.decode()
    assert not Consultation.objects.exists()


def test_art5_lid3_web_refuses_a_future_date(client, region_a, weighing):
    login(client, region_a.users["weigher_gemeente"])
    response = client.post(
        reverse("weighing:consultation_create", args=[weighing.pk]),
        {
            "organisation": region_a.orgs["reclassering"].pk,
            "consulted_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "question": "Bekend?",
        },
    )
    assert response.status_code == 400
    assert "niet in de toekomst" in response.content.decode()
    assert not Consultation.objects.exists()


def test_art5_lid3_web_decided_weighing_has_no_form_and_refuses(client, region_a, weighing):
    weighing = _decided(region_a, weighing)
    login(client, region_a.users["weigher_gemeente"])
    page = client.get(reverse("weighing:weighing_detail", args=[weighing.pk])).content.decode()
    assert reverse("weighing:consultation_create", args=[weighing.pk]) not in page
    response = client.post(
        reverse("weighing:consultation_create", args=[weighing.pk]),
        {
            "organisation": region_a.orgs["reclassering"].pk,
            "consulted_on": timezone.localdate().isoformat(),
            "question": "Bekend?",
        },
    )
    assert response.status_code == 400
    assert "al besloten" in response.content.decode()
    assert not Consultation.objects.exists()


def test_art6_lid3_the_weighing_of_a_closed_case_is_blocked_with_its_consultations(client, region_a, case_a):
    weighing = case_a.origin_decision.weighing
    transition_case(
        region_a.users["case_director"], case=case_a, target="closed", reason="Klaar", closure_reason="verhuisd"
    )
    login(client, region_a.users["weigher_gemeente"])
    response = client.post(
        reverse("weighing:consultation_create", args=[weighing.pk]),
        {
            "organisation": region_a.orgs["reclassering"].pk,
            "consulted_on": timezone.localdate().isoformat(),
            "question": "Bekend?",
        },
    )
    assert response.status_code == 404
    assert not Consultation.objects.exists()


# ---------------------------------------------------------------- the API


def test_art5_lid3_api_records_a_consultation_and_the_weighing_read_lists_it(region_a, weighing):
    body = {
        "organisation": str(region_a.orgs["reclassering"].pk),
        "consulted_on": timezone.localdate().isoformat(),
        "question": "Is er behandeling?",
    }
    response = api(region_a.users["weigher_om"]).post(
        f"{API}/weighings/{weighing.pk}/consultations", body, format="json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["awaiting_answer"] is True and created["organisation"] == region_a.orgs["reclassering"].name
    answer = api(region_a.users["weigher_politie"]).post(
        f"{API}/consultations/{created['id']}/answer", {"answer": "Ja, ambulant."}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["answer"] == "Ja, ambulant."
    read = api(region_a.users["intake"]).get(f"{API}/weighings/{weighing.pk}").json()
    assert [(c["question"], c["answer"], c["awaiting_answer"]) for c in read["consultations"]] == [
        ("Is er behandeling?", "Ja, ambulant.", False)
    ]
    assert ProcessingLogEntry.objects.filter(
        object_type="consultation", action=Action.READ, audit_record__via_api=True
    ).exists()


@pytest.mark.parametrize(
    "kind, reason",
    [
        ("om", "Gemeente, politie en OM wegen zelf"),
        # Another table's organisation is not disclosed: the API's fixed message (core.api).
        ("other_region", "bestaat niet of is voor u niet beschikbaar"),
    ],
)
def test_art5_lid3_api_refuses_a_core_party_or_another_table_as_a_problem(world, weighing, kind, reason):
    organisation = world["b"].orgs["ggz"] if kind == "other_region" else world["a"].orgs[kind]
    response = api(world["a"].users["weigher_politie"]).post(
        f"{API}/weighings/{weighing.pk}/consultations",
        {"organisation": str(organisation.pk), "consulted_on": timezone.localdate().isoformat(), "question": "?"},
        format="json",
    )
    body = assert_problem(response, 400, "organisation")
    assert reason in body["invalidParams"][0]["reason"]
    assert not Consultation.objects.exists()


def test_art5_lid3_api_refuses_a_decided_weighing_and_a_future_date(region_a, weighing):
    client = api(region_a.users["weigher_politie"])
    body = {
        "organisation": str(region_a.orgs["reclassering"].pk),
        "consulted_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "question": "Bekend?",
    }
    assert_problem(
        client.post(f"{API}/weighings/{weighing.pk}/consultations", body, format="json"), 400, "consulted_on"
    )
    _decided(region_a, weighing)
    body["consulted_on"] = timezone.localdate().isoformat()
    assert_problem(client.post(f"{API}/weighings/{weighing.pk}/consultations", body, format="json"), 400)
    assert not Consultation.objects.exists()


def test_art5_lid3_api_intake_sees_the_weighing_but_may_not_record(region_a, weighing):
    response = api(region_a.users["intake"]).post(
        f"{API}/weighings/{weighing.pk}/consultations",
        {
            "organisation": str(region_a.orgs["reclassering"].pk),
            "consulted_on": timezone.localdate().isoformat(),
            "question": "Bekend?",
        },
        format="json",
    )
    assert_problem(response, 403)
    assert not Consultation.objects.exists()
