"""Information governance: provenance refusals and visibility, the NCTV gate, ambtsberichten,
transparency, objections and the access-request export."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from casustafel.access import policy
from casustafel.access.policy import Visibility
from casustafel.core.errors import PolicyDenied
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.governance import selectors
from casustafel.governance import services as governance
from casustafel.governance.models import LegalBasis, Objection, RestrictedDocument
from casustafel.processing_log.models import Action, ProcessingLogEntry, Status
from casustafel.signals.models import Signal
from casustafel.weighing.models import Contribution
from casustafel.weighing.services import submit_contribution

from .conftest import weigh_all
from .factories import OrganisationFactory, contribution, governance_objects, signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- legal bases as data


def test_legal_bases_are_seeded_as_versioned_data():
    codes = set(LegalBasis.objects.filter(is_active=True).values_list("code", flat=True))
    assert {"wpg-18-2-pga", "wpg-20", "wjsg-39f", "avg-6-1e", "wet-pga", "twbmt", "paspoortwet", "wctnv"} <= codes
    assert LegalBasis.objects.get(code="wet-pga").to_be_confirmed
    assert "te bevestigen" in str(LegalBasis.objects.get(code="wctnv"))


def test_management_command_loads_a_new_version(tmp_path):
    spec = {
        "version": 2,
        "source": "test",
        "classifications": {},
        "bases": [
            {
                "code": "avg-6-1e",
                "use": "sharing",
                "label": "AVG art. 6 lid 1 sub e",
                "explanation": "Nieuw.",
                "organisation_kinds": ["gemeente"],
                "classifications": ["ordinary"],
            }
        ],
    }
    path = tmp_path / "legal_bases_v2.json"
    path.write_text(json.dumps(spec))
    call_command("load_legal_bases", str(path))
    active = LegalBasis.objects.filter(is_active=True)
    assert list(active.values_list("code", "basis_set__version")) == [("avg-6-1e", 2)]


def test_sharing_guide_offers_only_bases_of_the_organisation_kind():
    police = {b.code for b in selectors.available_bases("politie")}
    municipality = {b.code for b in selectors.available_bases("gemeente")}
    assert "wpg-18-2-pga" in police and "avg-6-1e" not in police
    assert "avg-6-1e" in municipality and "wpg-18-2-pga" not in municipality
    guide = selectors.sharing_guide("politie")
    ambtsbericht = next(c for c in guide["classifications"] if c["value"] == "ambtsbericht")
    assert not ambtsbericht["available"] and ambtsbericht["guidance"]


def test_intake_form_shows_the_guide(client, region_a):
    login(client, region_a.users["intake"])
    page = client.get(reverse("signals:signal_create")).content.decode()
    assert 'value="avg-6-1e"' in page and 'value="wpg-18-2-pga"' not in page
    assert "alleen delen als dat strikt noodzakelijk is" in page


# ---------------------------------------------------------------- provenance refusals


@pytest.mark.parametrize(
    "overrides, field, fragment",
    [
        ({"legal_basis": None}, "legal_basis", "Zonder grondslag"),
        ({"legal_basis": "wpg-18-2-pga"}, "legal_basis", "niet beschikbaar voor Gemeente"),
        ({"legal_basis": "twbmt"}, "legal_basis", "geen actieve grondslag"),
        ({"classification": "criminal_law"}, "classification", "Strafrechtelijke gegevens mag niet"),
        ({"visibility": "iedereen"}, "visibility", "zichtbaar"),
    ],
)
def test_signal_without_a_fitting_basis_is_refused(region_a, overrides, field, fragment):
    before = Signal.objects.count()
    with pytest.raises(ValidationError) as error:
        register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields(**overrides))
    assert field in error.value.message_dict
    assert fragment in " ".join(error.value.message_dict[field])
    assert Signal.objects.count() == before


def test_ambtsbericht_classification_is_for_the_gemeente_only(region_a, signal_a):
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    with pytest.raises(ValidationError) as error:
        submit_contribution(
            region_a.users["weigher_politie"],
            weighing=weighing,
            data=contribution(region_a.region, legal_basis="wet-pga", classification="ambtsbericht"),
        )
    assert "classification" in error.value.message_dict
    submit_contribution(
        region_a.users["weigher_gemeente"],
        weighing=weighing,
        data=contribution(region_a.region, legal_basis="avg-6-1e", classification="ambtsbericht"),
    )


def test_contribution_records_its_provenance(region_a, signal_a):
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    c = submit_contribution(
        region_a.users["weigher_politie"],
        weighing=weighing,
        data=contribution(
            region_a.region, legal_basis="wpg-18-2-pga", classification="criminal_law", visibility="core_parties"
        ),
    )
    c.refresh_from_db()
    assert (c.legal_basis.code, c.classification, c.visibility) == ("wpg-18-2-pga", "criminal_law", "core_parties")
    with pytest.raises(ValidationError) as error:
        submit_contribution(
            region_a.users["weigher_om"],
            weighing=weighing,
            data=contribution(region_a.region, legal_basis="avg-6-1e", classification="criminal_law"),
        )
    assert "niet beschikbaar" in error.value.message_dict["legal_basis"][0]


def test_web_intake_without_basis_is_refused(client, region_a):
    from .test_web import intake_post

    login(client, region_a.users["intake"])
    response = client.post(reverse("signals:signal_create"), intake_post(legal_basis=""))
    assert response.status_code == 400
    assert not Signal.objects.exists()


# ---------------------------------------------------------------- visibility


@pytest.fixture
def shielded_weighing(region_a, signal_a):
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    weigh_all(region_a, weighing)
    submit_contribution(
        region_a.users["weigher_politie"],
        weighing=weighing,
        data=contribution(
            region_a.region,
            legal_basis="wpg-18-2-pga",
            classification="criminal_law",
            visibility=Visibility.ORIGIN_AND_MAYOR,
        ),
    )
    Contribution.objects.filter(party="politie").update(information="Geheim politiedetail")
    return weighing


def test_policy_item_visibility(region_a, world, shielded_weighing):
    item = shielded_weighing.contributions.get(party="politie")
    users = region_a.users
    assert policy.can(users["weigher_politie"], policy.Action.ITEM_VIEW, item)
    assert policy.can(users["mayor"], policy.Action.ITEM_VIEW, item)
    assert not policy.can(users["weigher_om"], policy.Action.ITEM_VIEW, item)
    assert not policy.can(users["intake"], policy.Action.ITEM_VIEW, item)
    assert not policy.can(world["b"].users["mayor"], policy.Action.ITEM_VIEW, item)
    item.visibility = Visibility.CORE_PARTIES
    assert policy.can(users["weigher_om"], policy.Action.ITEM_VIEW, item)
    assert not policy.can(users["participant_reclassering"], policy.Action.ITEM_VIEW, item)


def test_weighing_page_hides_a_shielded_contribution(client, region_a, shielded_weighing):
    url = reverse("weighing:weighing_detail", args=[shielded_weighing.pk])
    login(client, region_a.users["weigher_om"])
    page = client.get(url).content.decode()
    assert "Geheim politiedetail" not in page
    assert "afgeschermd: alleen zichtbaar voor politie a en de burgemeester" in page
    client.logout()
    login(client, region_a.users["weigher_politie"])
    assert "Geheim politiedetail" in client.get(url).content.decode()


def test_shielded_signal_hides_its_facts(client, region_a):
    signal = register_signal(
        region_a.users["intake"],
        subject=subject_data(family_name="Afgeschermd"),
        fields=signal_fields(facts="Uiterst gevoelig feit", visibility=Visibility.ORIGIN_AND_MAYOR),
    ).signal
    login(client, region_a.users["weigher_politie"])
    page = client.get(reverse("signals:signal_detail", args=[signal.pk])).content.decode()
    assert "Uiterst gevoelig feit" not in page and "afgeschermd" in page


# ---------------------------------------------------------------- NCTV gate


@pytest.fixture
def nctv(region_a):
    return OrganisationFactory(region=region_a.region, kind="nctv", name="NCTV a")


def test_nctv_joins_a_case_only_with_a_basis(region_a, case_a, nctv):
    from casustafel.cases.services import add_participant

    director = region_a.users["case_director"]
    with pytest.raises(ValidationError) as error:
        add_participant(director, case=case_a, organisation=nctv, reason="Uitreisverbod overwegen")
    assert "NCTV kan alleen deelnemen" in error.value.message_dict["legal_basis"][0]
    with pytest.raises(ValidationError) as error:
        add_participant(
            director, case=case_a, organisation=nctv, reason="Uitreisverbod overwegen", legal_basis="avg-6-1e"
        )
    assert "legal_basis" in error.value.message_dict
    participant = add_participant(
        director, case=case_a, organisation=nctv, reason="Uitreisverbod overwegen", legal_basis="paspoortwet"
    )
    assert participant.legal_basis.code == "paspoortwet"


def test_nctv_in_the_decision_needs_a_basis(region_a, signal_a, nctv):
    from casustafel.flow.services import record_decision
    from casustafel.weighing.models import Outcome
    from casustafel.weighing.services import DecisionData

    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    weigh_all(region_a, weighing)
    data = DecisionData(
        outcome=Outcome.INCLUDE,
        rationale="Zorgen.",
        case_director=region_a.users["case_director"],
        participants=[(nctv, "Maatregel")],
    )
    with pytest.raises(ValidationError) as error:
        record_decision(region_a.users["weigher_gemeente"], weighing=weighing, data=data)
    assert "participants_legal_basis" in error.value.message_dict
    data.participants = [(nctv, "Maatregel", "twbmt")]
    case = record_decision(region_a.users["weigher_gemeente"], weighing=weighing, data=data).case
    assert case.participants.get(organisation=nctv).legal_basis.code == "twbmt"


def test_nctv_gate_in_the_web_form(client, region_a, case_a, nctv):
    login(client, region_a.users["case_director"])
    url = reverse("cases:case_add_participant", args=[case_a.pk])
    response = client.post(url, {"organisation": nctv.pk, "reason": "Maatregel"})
    assert response.status_code == 400 and "NCTV kan alleen deelnemen" in response.content.decode()
    response = client.post(url, {"organisation": nctv.pk, "reason": "Maatregel", "legal_basis": "twbmt"})
    assert response.status_code == 302


# ---------------------------------------------------------------- ambtsberichten


@pytest.fixture
def document(region_a, case_a):
    pk = governance_objects(region_a, case=case_a)["restricted_document"]["pk"]
    return RestrictedDocument.objects.get(pk=pk)


def test_content_is_encrypted_and_has_no_source_field(document):
    assert "Vertrouwelijke" not in document.content_encrypted
    assert not any("source" in f.name or "bron" in f.name for f in RestrictedDocument._meta.get_fields())


@pytest.mark.parametrize(
    "key, readable",
    [
        ("mayor", True),
        ("weigher_gemeente", True),
        ("weigher_politie", False),
        ("intake", False),
        ("case_director", False),
        ("privacy_officer", False),
        ("functional_admin", False),
    ],
)
def test_ambtsbericht_access_matrix(client, region_a, document, key, readable):
    user = region_a.users[key]
    login(client, user)
    response = client.get(reverse("governance:restricted_detail", args=[document.pk]))
    assert response.status_code == (200 if readable else 404)
    assert ("Vertrouwelijke inhoud" in response.content.decode()) is readable
    reads = ProcessingLogEntry.objects.filter(
        audit_record__user=user, action=Action.READ, object_type="restricteddocument"
    )
    assert reads.filter(status=Status.OK).exists() is readable
    # A refused read is logged too (Wet PGA art. 17), type and id only.
    assert reads.filter(status=Status.REFUSED, object_id=document.pk).exists() is not readable


def test_other_regions_mayor_gets_404(client, world, document):
    login(client, world["b"].users["mayor"])
    assert client.get(reverse("governance:restricted_detail", args=[document.pk])).status_code == 404


def test_withdrawn_designation_closes_access(region_a, document):
    official = region_a.users["weigher_gemeente"]
    governance.set_designation(region_a.users["mayor"], document=document, user=official, designated=False)
    with pytest.raises(Http404):
        selectors.get_document(official, document.pk)


def test_only_gemeente_officials_can_be_designated(region_a, document):
    with pytest.raises(ValidationError):
        governance.set_designation(
            region_a.users["mayor"], document=document, user=region_a.users["weigher_politie"], designated=True
        )


def test_table_sees_existence_and_released_summary_only(client, region_a, case_a, document):
    login(client, region_a.users["participant_reclassering"])
    page = client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    assert document.reference in page and "nog geen samenvatting" in page
    assert "Vertrouwelijke inhoud" not in page
    client.logout()
    login(client, region_a.users["mayor"])
    response = client.post(
        reverse("governance:restricted_release", args=[document.pk]),
        {"released_summary": "Zorgen over contacten in het buitenland."},
    )
    assert response.status_code == 302
    client.logout()
    login(client, region_a.users["participant_reclassering"])
    page = client.get(reverse("cases:case_detail", args=[case_a.pk])).content.decode()
    assert "Zorgen over contacten in het buitenland." in page and "Vertrouwelijke inhoud" not in page
    login(client, region_a.users["weigher_om"])
    page = client.get(reverse("weighing:weighing_detail", args=[case_a.origin_decision.weighing_id])).content.decode()
    assert "Zorgen over contacten in het buitenland." in page


def test_mayor_registers_via_the_web(client, region_a, case_a):
    login(client, region_a.users["mayor"])
    response = client.post(
        reverse("governance:restricted_create"),
        {
            "case_reference": case_a.reference,
            "received_at": timezone.localdate().isoformat(),
            "content": "Inhoud van het bericht.",
        },
    )
    assert response.status_code == 302
    assert RestrictedDocument.objects.get(case=case_a).subject_id == case_a.subject_id
    response = client.post(
        reverse("governance:restricted_create"),
        {"case_reference": "PGA-0000-NOPE00", "received_at": timezone.localdate().isoformat(), "content": "x"},
    )
    assert response.status_code == 400


# ---------------------------------------------------------------- transparency and objections


def test_transparency_requires_reason_and_review_date(region_a, case_a):
    director = region_a.users["case_director"]
    with pytest.raises(ValidationError) as error:
        governance.record_transparency(
            director, case=case_a, informed=False, informed_at=None, not_informed_reason="", review_on=None
        )
    assert {"not_informed_reason", "review_on"} <= set(error.value.message_dict)
    review = timezone.localdate() + timedelta(days=90)
    t = governance.record_transparency(
        director,
        case=case_a,
        informed=False,
        informed_at=None,
        not_informed_reason="Lopend strafrechtelijk onderzoek",
        review_on=review,
    )
    assert t.review_on == review
    t = governance.record_transparency(
        director,
        case=case_a,
        informed=True,
        informed_at=timezone.localdate(),
        not_informed_reason="ignored",
        review_on=None,
    )
    assert t.informed and t.not_informed_reason == "" and t.review_on is None


def test_transparency_only_by_case_managers(region_a, case_a):
    with pytest.raises(PolicyDenied):
        governance.record_transparency(
            region_a.users["participant_reclassering"],
            case=case_a,
            informed=True,
            informed_at=timezone.localdate(),
            not_informed_reason="",
            review_on=None,
        )


def test_objection_workflow(client, region_a, case_a):
    login(client, region_a.users["case_director"])
    response = client.post(
        reverse("governance:objection_create", args=[case_a.pk]),
        {"received_on": timezone.localdate().isoformat(), "summary": "Ik wil niet in de PGA."},
    )
    assert response.status_code == 302
    objection = Objection.objects.get(case=case_a)
    assert objection.status == Objection.RECEIVED
    client.post(
        reverse("governance:objection_handle", args=[objection.pk]),
        {"outcome": "ongegrond", "outcome_rationale": "Zorgen blijven bestaan."},
    )
    objection.refresh_from_db()
    assert (objection.status, objection.outcome) == (Objection.HANDLED, "ongegrond") and objection.handled_at
    with pytest.raises(ValidationError):
        governance.handle_objection(
            region_a.users["case_director"], objection=objection, outcome="gegrond", rationale="x"
        )
    page = client.get(reverse("governance:case_transparency", args=[case_a.pk])).content.decode()
    assert "Ik wil niet in de PGA." in page and "Ongegrond" in page


# ---------------------------------------------------------------- access requests


def test_access_request_export_with_withheld_items(client, region_a, case_a):
    subject = case_a.subject
    signal = Signal.objects.get(subject=subject)
    officer = region_a.users["privacy_officer"]
    login(client, officer)
    response = client.post(
        reverse("governance:access_request_list"),
        {
            "given_names": subject.given_names,
            "family_name": subject.family_name,
            "date_of_birth": subject.date_of_birth.isoformat(),
            "received_on": timezone.localdate().isoformat(),
            "exempted_references": signal.reference,
            "exemption_ground": "Lopend opsporingsonderzoek (art. 41 AVG)",
        },
    )
    assert response.status_code == 302
    request = selectors.visible_access_requests(officer).get()
    before = ProcessingLogEntry.objects.filter(audit_record__user=officer, action=Action.EXPORT).count()
    response = client.get(reverse("governance:access_request_export", args=[request.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    export = json.loads(response.content)
    assert export["signals"] == [
        {"reference": signal.reference, "withheld": True, "ground": "Lopend opsporingsonderzoek (art. 41 AVG)"}
    ]
    assert len(export["weighing_contributions"]) == 3
    assert all(c["provenance"]["legal_basis"] for c in export["weighing_contributions"])
    assert export["cases"][0]["reference"] == case_a.reference
    assert {e["action"] for e in export["processing_log"]} >= {"Vastleggen"}
    assert all(
        set(e) == {"timestamp", "organisation", "action", "activity", "object_type"} for e in export["processing_log"]
    )
    exported = ProcessingLogEntry.objects.filter(audit_record__user=officer, action=Action.EXPORT)
    assert exported.count() > before
    assert not exported.filter(object_id=signal.pk).exists()  # withheld items are not exported
    csv_response = client.get(reverse("governance:access_request_export", args=[request.pk]) + "?formaat=csv")
    assert signal.reference in csv_response.content.decode() and ",ja," in csv_response.content.decode()


def test_ambtsbericht_is_always_withheld_from_the_export(region_a, case_a, document):
    officer = region_a.users["privacy_officer"]
    request = governance.register_access_request(officer, subject=case_a.subject, received_on=timezone.localdate())
    export = selectors.access_request_export(officer, request)
    assert export["restricted_documents"][0]["withheld"] is True
    assert "Vertrouwelijke" not in json.dumps(export)


def test_exemption_needs_a_ground(region_a, case_a):
    with pytest.raises(ValidationError) as error:
        governance.register_access_request(
            region_a.users["privacy_officer"],
            subject=case_a.subject,
            received_on=timezone.localdate(),
            exempted_references=["SIG-1"],
        )
    assert "exemption_ground" in error.value.message_dict


def test_access_requests_only_for_the_privacy_officer(region_a, case_a):
    with pytest.raises(PolicyDenied):
        governance.register_access_request(
            region_a.users["case_director"], subject=case_a.subject, received_on=timezone.localdate()
        )
