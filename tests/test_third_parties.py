"""Wet PGA art. 3: the participants the law designates (lid 1) take part by law; everyone
else only as a third party in one case (lid 3), admitted by the burgemeester of the gemeente
van verblijf, the politie and the OM together, seeing only the data marked necessary for
it, and not a joint controller (lid 4). ADR 0025."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casustafel.accounts.models import OrganisationKind
from casustafel.cases import third_parties
from casustafel.cases.models import AdmissionStatus, Capacity, CaseParticipant, ThirdPartyAdmission
from casustafel.cases.services import add_participant, opening_errors
from casustafel.core.errors import PolicyDenied
from casustafel.demo import admit_jointly
from casustafel.meetings import services as meeting_services
from casustafel.plans import services as plan_services
from casustafel.processing_log.models import ProcessingLogEntry

from .api.conftest import API, assert_problem
from .factories import OrganisationFactory
from .helpers import api_client as api
from .helpers import login
from .meetings_helpers import schedule

pytestmark = pytest.mark.django_db

BOTH = ["identifying", "plan_of_action"]


def _propose(region, case, *, by="case_director", organisation=None, necessary_data=None, **extra):
    return third_parties.propose_third_party(
        region.users[by],
        case=case,
        organisation=organisation or region.orgs["ggz"],
        expertise=extra.pop("expertise", "Ambulante behandeling bij radicalisering."),
        plan_roles=extra.pop("plan_roles", ["carrying_out"]),
        necessary_data=BOTH if necessary_data is None else necessary_data,
        **extra,
    )


def _confirm(region, admission, *keys, agrees=True, reason=""):
    for key in keys:
        admission = third_parties.confirm_third_party(
            region.users[key], admission=admission, agrees=agrees, reason=reason
        )
    return admission


def _participation(case, organisation):
    return CaseParticipant.objects.filter(case=case, organisation=organisation).first()


# ---------------------------------------------------------------- art. 3 lid 1: who takes part by law


@pytest.mark.parametrize(
    "kind", ["ggz", "wijkteam", "werk_inkomen", "onderwijs", "lse_exit", "ind", "dtenv", "jeugdbescherming", "nctv"]
)
def test_art3_lid3_a_third_party_cannot_be_added_as_participant_by_the_case_director(region_a, case_a, kind):
    organisation = region_a.orgs.get(kind) or OrganisationFactory(region=region_a.region, kind=kind)
    with pytest.raises(ValidationError) as error:
        add_participant(region_a.users["case_director"], case=case_a, organisation=organisation, reason="Nodig")
    assert "art. 3 lid 3" in str(error.value.message_dict["organisation"])
    assert _participation(case_a, organisation) is None


@pytest.mark.parametrize("kind", ["reclassering", "rvdk"])
def test_art3_lid1_reclassering_and_raad_take_part_as_participants(region_a, case_a, kind):
    organisation = region_a.orgs.get(kind) or OrganisationFactory(region=region_a.region, kind=kind)
    if _participation(case_a, organisation) is None:
        add_participant(region_a.users["case_director"], case=case_a, organisation=organisation, reason="Toezicht")
    assert _participation(case_a, organisation).capacity == Capacity.PARTICIPANT


def test_art3_lid3_the_opening_decision_cannot_name_a_third_party(region_a):
    errors = opening_errors(
        region_id=region_a.region.pk,
        case_director=region_a.users["case_director"],
        participants=[(region_a.orgs["ggz"], "Behandeling")],
    )
    assert "art. 3 lid 3" in str(errors["participants"])


def test_art3_lid3_adding_a_third_party_as_participant_is_refused_on_the_web_without_writing(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    response = client.post(
        reverse("cases:case_add_participant", args=[case_a.pk]),
        {"organisation": region_a.orgs["ggz"].pk, "reason": "Behandeling"},
    )
    assert response.status_code == 400
    assert _participation(case_a, region_a.orgs["ggz"]) is None


def test_art3_lid3_adding_a_third_party_as_participant_is_a_problem_in_the_api(region_a, case_a):
    response = api(region_a.users["case_director"]).post(
        f"{API}/cases/{case_a.pk}/participants",
        {"organisation": str(region_a.orgs["ggz"].pk), "reason": "Behandeling"},
        format="json",
    )
    assert_problem(response, 400, "organisation")
    assert "art. 3 lid 3" in response.json()["invalidParams"][0]["reason"]


# ---------------------------------------------------------------- art. 3 lid 3: admitted by the three together


def test_art3_lid3_a_third_party_takes_part_only_after_gemeente_politie_and_om_agree(region_a, case_a):
    admission = _propose(region_a, case_a)
    assert admission.status == AdmissionStatus.PROPOSED and admission.confirmations.count() == 0
    admission = _confirm(region_a, admission, "weigher_gemeente", "weigher_politie")
    assert admission.status == AdmissionStatus.PROPOSED
    assert _participation(case_a, region_a.orgs["ggz"]) is None
    admission = _confirm(region_a, admission, "weigher_om")
    assert admission.status == AdmissionStatus.ADMITTED and admission.decided_at
    participant = _participation(case_a, region_a.orgs["ggz"])
    assert participant.capacity == Capacity.THIRD_PARTY
    assert participant.admission == admission and participant.necessary_data == BOTH
    assert participant.reason == admission.expertise
    logged = ProcessingLogEntry.objects.filter(object_id=participant.pk, action="create")
    assert logged.exists()


def test_art3_lid3_a_proposing_weighing_member_agrees_for_its_own_party(region_a, case_a):
    admission = _propose(region_a, case_a, by="weigher_politie")
    assert list(admission.confirmations.values_list("party", "agrees")) == [("politie", True)]
    admission = _confirm(region_a, admission, "weigher_gemeente", "weigher_om")
    assert admission.status == AdmissionStatus.ADMITTED


def test_art3_lid3_one_rejection_with_its_reason_ends_the_proposal(region_a, case_a):
    admission = _propose(region_a, case_a)
    with pytest.raises(ValidationError) as error:
        _confirm(region_a, admission, "weigher_om", agrees=False)
    assert "reason" in error.value.message_dict
    assert admission.confirmations.count() == 0
    admission = _confirm(region_a, admission, "weigher_om", agrees=False, reason="Zorg loopt al via de huisarts.")
    assert admission.status == AdmissionStatus.REJECTED
    with pytest.raises(ValidationError):
        _confirm(region_a, admission, "weigher_politie")
    assert _participation(case_a, region_a.orgs["ggz"]) is None


def test_art3_lid3_a_party_speaks_once(region_a, case_a):
    admission = _propose(region_a, case_a, by="weigher_gemeente")
    with pytest.raises(ValidationError) as error:
        _confirm(region_a, admission, "weigher_gemeente")
    assert "party" in error.value.message_dict


@pytest.mark.parametrize("who", ["case_director", "process_director", "participant_reclassering", "mayor"])
def test_art3_lid3_only_the_three_decide_on_a_third_party(region_a, case_a, who):
    admission = _propose(region_a, case_a)
    with pytest.raises(PolicyDenied):
        third_parties.confirm_third_party(region_a.users[who], admission=admission, agrees=True)
    assert admission.confirmations.count() == 0


def test_art3_lid3_the_three_of_another_table_do_not_decide(world, region_a, case_a):
    admission = _propose(region_a, case_a)
    with pytest.raises(PolicyDenied):
        third_parties.confirm_third_party(world["b"].users["weigher_om"], admission=admission, agrees=True)


@pytest.mark.parametrize("who", ["participant_reclassering", "intake", "privacy_officer"])
def test_art3_lid3_only_case_managers_and_the_three_propose(region_a, case_a, who):
    with pytest.raises(PolicyDenied):
        _propose(region_a, case_a, by=who)
    assert not ThirdPartyAdmission.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("expertise", {"expertise": "  "}),
        ("plan_roles", {"plan_roles": []}),
        ("plan_roles", {"plan_roles": ["approving"]}),
        ("necessary_data", {"necessary_data": []}),
        ("necessary_data", {"necessary_data": ["police_data"]}),
    ],
)
def test_art3_lid3_expertise_role_and_necessary_data_are_recorded(region_a, case_a, field, overrides):
    with pytest.raises(ValidationError) as error:
        _propose(region_a, case_a, **overrides)
    assert field in error.value.message_dict
    assert not ThirdPartyAdmission.objects.exists()


def test_art3_lid1_a_participant_is_not_admitted_as_third_party(region_a, case_a):
    rvdk = OrganisationFactory(region=region_a.region, kind="rvdk")
    with pytest.raises(ValidationError) as error:
        _propose(region_a, case_a, organisation=rvdk)
    assert "art. 3 lid 1" in str(error.value.message_dict["organisation"])


def test_art3_lid3_the_nctv_keeps_its_legal_basis_gate(region_a, case_a):
    nctv = OrganisationFactory(region=region_a.region, kind=OrganisationKind.NCTV)
    with pytest.raises(ValidationError) as error:
        _propose(region_a, case_a, organisation=nctv)
    assert "legal_basis" in error.value.message_dict
    admission = _propose(region_a, case_a, organisation=nctv, legal_basis="twbmt")
    admission = _confirm(region_a, admission, "weigher_gemeente", "weigher_politie", "weigher_om")
    assert _participation(case_a, nctv).legal_basis.code == "twbmt"


def test_art3_lid3_one_open_proposal_per_organisation(region_a, case_a):
    _propose(region_a, case_a)
    with pytest.raises(ValidationError) as error:
        _propose(region_a, case_a)
    assert "organisation" in error.value.message_dict


def test_art3_lid3_the_ind_can_be_admitted_and_then_plan_an_ongewenstverklaring(region_a, case_a):
    ind = OrganisationFactory(region=region_a.region, kind=OrganisationKind.IND, name="IND a")
    admit_jointly(
        region_a.users["weigher_gemeente"],
        case=case_a,
        organisation=ind,
        expertise="Vreemdelingrechtelijke maatregelen.",
        necessary_data=BOTH,
    )
    today = timezone.localdate()
    intervention = plan_services.add_intervention(
        region_a.users["case_director"],
        case=case_a,
        entry_code="ongewenstverklaring",
        organisation=ind,
        starts_on=today,
        planned_end=today + timedelta(days=90),
    )
    assert intervention.organisation == ind


# ---------------------------------------------------------------- art. 3 lid 3: only what is necessary for it


@pytest.fixture
def ggz_user(region_a):
    return region_a.users["participant_ggz"]


def _admit(region_a, case_a, necessary_data):
    return admit_jointly(
        region_a.users["weigher_gemeente"],
        case=case_a,
        organisation=region_a.orgs["ggz"],
        expertise="Behandeling.",
        necessary_data=necessary_data,
    )


def test_art3_lid3_without_identifying_data_the_third_party_does_not_see_who_it_is(client, region_a, case_a, ggz_user):
    _admit(region_a, case_a, ["plan_of_action"])
    name = case_a.subject.family_name
    login(client, ggz_user)
    page = client.get(reverse("cases:case_detail", args=[case_a.pk]))
    assert page.status_code == 200 and name not in page.content.decode()
    assert "afgeschermd" in page.content.decode()
    detail = api(ggz_user).get(f"{API}/cases/{case_a.pk}").json()
    assert detail["subject"] is None and detail["reference"] == case_a.reference
    listed = api(ggz_user).get(f"{API}/cases").json()["results"]
    assert [row["subject"] for row in listed] == [None]


def test_art3_lid3_with_identifying_data_the_third_party_sees_who_it_is(client, region_a, case_a, ggz_user):
    _admit(region_a, case_a, BOTH)
    login(client, ggz_user)
    assert case_a.subject.family_name in client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    assert api(ggz_user).get(f"{API}/cases/{case_a.pk}").json()["subject"]["family_name"] == case_a.subject.family_name


def test_art3_lid3_without_plan_data_the_plan_and_agenda_are_closed_to_the_third_party(
    client, region_a, case_a, ggz_user
):
    _admit(region_a, case_a, ["identifying"])
    meeting = schedule(region_a)
    meeting_services.add_agenda_item(region_a.users["process_director"], meeting=meeting, case=case_a)
    login(client, ggz_user)
    assert client.get(reverse("plans:plan", args=[case_a.pk])).status_code == 404
    assert_problem(api(ggz_user).get(f"{API}/cases/{case_a.pk}/plan"), 403)
    agenda = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert case_a.reference not in agenda
    refused = ProcessingLogEntry.objects.filter(status="refused", object_id=case_a.pk)
    assert refused.exists()


def test_art3_lid3_with_plan_data_but_no_identity_the_agenda_shows_the_case_without_the_name(
    client, region_a, case_a, ggz_user
):
    _admit(region_a, case_a, ["plan_of_action"])
    meeting = schedule(region_a)
    meeting_services.add_agenda_item(region_a.users["process_director"], meeting=meeting, case=case_a)
    login(client, ggz_user)
    assert client.get(reverse("plans:plan", args=[case_a.pk])).status_code == 200
    agenda = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    assert case_a.reference in agenda and case_a.subject.family_name not in agenda


def test_art3_lid3_a_third_party_never_sees_transparency_and_objections(client, region_a, case_a, ggz_user):
    _admit(region_a, case_a, BOTH)
    login(client, ggz_user)
    assert client.get(reverse("governance:case_transparency", args=[case_a.pk])).status_code == 404
    page = client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    assert reverse("governance:case_transparency", args=[case_a.pk]) not in page


def test_art3_lid4_the_admission_record_is_for_the_participants_not_the_third_party(region_a, case_a, ggz_user):
    _admit(region_a, case_a, BOTH)
    assert third_parties.admissions_of_case(ggz_user, case_a) == []
    assert len(third_parties.admissions_of_case(region_a.users["case_director"], case_a)) == 1


# ---------------------------------------------------------------- pages and API of the admission


def test_art3_lid3_admission_through_the_pages(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    url = reverse("cases:third_party_propose", args=[case_a.pk])
    bad = client.post(url, {"organisation": region_a.orgs["ggz"].pk, "expertise": "Zorg"})
    assert bad.status_code == 400 and "verplicht" in bad.content.decode()
    assert not ThirdPartyAdmission.objects.exists()
    response = client.post(
        url,
        {
            "organisation": region_a.orgs["ggz"].pk,
            "expertise": "Zorg",
            "plan_roles": ["carrying_out", "evaluating"],
            "necessary_data": ["plan_of_action"],
        },
    )
    assert response.status_code == 302
    admission = ThirdPartyAdmission.objects.get()
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        login(client, region_a.users[key])
        listing = client.get(reverse("cases:third_party_admissions")).content.decode()
        assert case_a.reference in listing
        decide = reverse("cases:third_party_decide", args=[admission.pk])
        assert client.get(decide).status_code == 200
        assert client.post(decide, {"agrees": "0"}).status_code == 400
        assert client.post(decide, {"agrees": "1"}).status_code == 302
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.ADMITTED
    assert _participation(case_a, region_a.orgs["ggz"]).capacity == Capacity.THIRD_PARTY


def test_art3_lid3_admission_through_the_api(region_a, case_a):
    response = api(region_a.users["weigher_politie"]).post(
        f"{API}/cases/{case_a.pk}/third-parties",
        {
            "organisation": str(region_a.orgs["ggz"].pk),
            "expertise": "Zorg",
            "plan_roles": ["drafting"],
            "necessary_data": ["identifying", "plan_of_action"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    admission_id = response.json()["id"]
    assert_problem(
        api(region_a.users["participant_reclassering"]).post(
            f"{API}/third-party-admissions/{admission_id}/confirmations", {"agrees": True}, format="json"
        ),
        404,
    )
    assert_problem(
        api(region_a.users["weigher_om"]).post(
            f"{API}/third-party-admissions/{admission_id}/confirmations", {"agrees": False}, format="json"
        ),
        400,
        "reason",
    )
    pending = api(region_a.users["weigher_om"]).get(f"{API}/third-party-admissions").json()["results"]
    assert [row["id"] for row in pending] == [admission_id]
    for key in ("weigher_gemeente", "weigher_om"):
        response = api(region_a.users[key]).post(
            f"{API}/third-party-admissions/{admission_id}/confirmations", {"agrees": True}, format="json"
        )
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "admitted"


def test_art3_lid3_proposing_a_participant_kind_is_a_problem_in_the_api(region_a, case_a):
    response = api(region_a.users["case_director"]).post(
        f"{API}/cases/{case_a.pk}/third-parties",
        {
            "organisation": str(region_a.orgs["reclassering"].pk),
            "expertise": "Toezicht",
            "plan_roles": ["carrying_out"],
            "necessary_data": ["plan_of_action"],
        },
        format="json",
    )
    assert_problem(response, 400, "organisation")


def test_the_open_admissions_list_is_flat_in_queries(django_assert_max_num_queries, region_a, case_a):
    from .conftest import make_case

    _propose(region_a, case_a)
    client = api(region_a.users["weigher_om"])
    with django_assert_max_num_queries(40) as one:
        client.get(f"{API}/third-party-admissions")
    for i in range(3):
        _propose(region_a, make_case(region_a, family_name=f"Lijst{i}"))
    with django_assert_max_num_queries(len(one.captured_queries)) as many:
        assert len(client.get(f"{API}/third-party-admissions").json()["results"]) == 4
    assert len(many.captured_queries) == len(one.captured_queries)


#: (route, API?) → marking → status for a third party (the ggz) of case_a, per art. 3 lid 3.
THIRD_PARTY_MATRIX = {
    ("cases:case_detail", False): {"identifying": 200, "plan_of_action": 200, "both": 200},
    ("plans:plan", False): {"identifying": 404, "plan_of_action": 200, "both": 200},
    ("governance:case_transparency", False): {"identifying": 404, "plan_of_action": 404, "both": 404},
    ("cases:case_transition", False): {"identifying": 404, "plan_of_action": 404, "both": 404},
    ("cases:third_party_propose", False): {"identifying": 404, "plan_of_action": 404, "both": 404},
    ("/cases/{id}", True): {"identifying": 200, "plan_of_action": 200, "both": 200},
    ("/cases/{id}/plan", True): {"identifying": 403, "plan_of_action": 200, "both": 200},
    ("/cases/{id}/third-parties", True): {"identifying": 403, "plan_of_action": 403, "both": 403},
}


@pytest.mark.parametrize("marking", ["identifying", "plan_of_action", "both"])
def test_art3_lid3_authorization_matrix_of_a_third_party(client, region_a, case_a, ggz_user, marking):
    _admit(region_a, case_a, BOTH if marking == "both" else [marking])
    plan_services.add_goal(
        region_a.users["case_director"], case=case_a, domain="gezondheid", description="Behandeling volhouden"
    )
    login(client, ggz_user)
    failures = []
    for (route, via_api), expected in THIRD_PARTY_MATRIX.items():
        if via_api:
            status = api(ggz_user).get(API + route.format(id=case_a.pk)).status_code
            if route.endswith("third-parties"):
                status = api(ggz_user).post(API + route.format(id=case_a.pk), {}, format="json").status_code
        else:
            verb = "get" if route in ("cases:case_detail", "plans:plan", "governance:case_transparency") else "post"
            status = getattr(client, verb)(reverse(route, args=[case_a.pk])).status_code
        if status != expected[marking]:
            failures.append(f"{route} → {status}, expected {expected[marking]}")
    assert failures == []
