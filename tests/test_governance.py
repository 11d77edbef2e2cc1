"""Information governance: provenance refusals and visibility, the NCTV gate, ambtsberichten,
transparency, objections and the access-request export."""

from __future__ import annotations

import json
from datetime import date

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
    """Item 10: version 1 stays (old records keep their basis), version 2 is the law as it stands."""
    v1 = set(LegalBasis.objects.filter(basis_set__version=1).values_list("code", flat=True))
    assert {"wpg-18-2-pga", "wpg-20", "wjsg-39f", "avg-6-1e", "wet-pga", "twbmt", "paspoortwet", "wctnv"} <= v1
    active = set(LegalBasis.objects.filter(is_active=True).values_list("code", "basis_set__version"))
    assert active == {("wet-pga", 2), ("wpg-20", 2), ("wjsg-39f", 2), ("twbmt", 2), ("paspoortwet", 2)}


def test_legal_bases_v2_settle_what_the_law_settles_art_4_8_item_10():
    """Wet PGA art. 4 and 8 in force since 1 July 2025: no "te bevestigen" on any v2 basis;
    it stays, as data, only for what the AMvB must decide (art. 12 lid 4, 16 lid 5)."""
    v2 = selectors.current_basis_set()
    assert v2.version == 2 and v2.valid_from == date(2025, 7, 1)
    assert not any(b.to_be_confirmed for b in v2.bases.all())
    assert "te bevestigen" not in str(v2.bases.get(code="wet-pga"))
    assert [p["article"] for p in v2.pending_amvb] == ["art. 12 lid 4", "art. 16 lid 5"]
    assert all("Te bevestigen" in p["text"] for p in v2.pending_amvb)
    assert selectors.current_basis_set(on=date(2025, 6, 30)).version == 1
    assert LegalBasis.objects.get(code="wet-pga", basis_set__version=1).to_be_confirmed


def test_loading_legal_bases_v2_is_idempotent():
    from casustafel.governance import loader
    from casustafel.governance.models import LegalBasisSet

    spec = loader.read_spec(loader.DATA_DIR / "legal_bases_v2.json")
    basis_set, created = loader.load(spec, LegalBasisSet, LegalBasis)
    assert not created and basis_set.bases.count() == 5


def test_management_command_loads_a_new_version(tmp_path):
    spec = {
        "version": 3,
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
    path = tmp_path / "legal_bases_v3.json"
    path.write_text(json.dumps(spec))
    call_command("load_legal_bases", str(path))
    active = LegalBasis.objects.filter(is_active=True)
    assert list(active.values_list("code", "basis_set__version")) == [("avg-6-1e", 3)]


def test_sharing_guide_offers_only_bases_of_the_organisation_kind():
    police = {b.code for b in selectors.available_bases("politie")}
    municipality = {b.code for b in selectors.available_bases("gemeente")}
    assert {"wpg-20", "wet-pga"} <= police and "wpg-18-2-pga" not in police and "wjsg-39f" not in police
    assert "wet-pga" in municipality and not {"wpg-20", "avg-6-1e"} & municipality
    guide = selectors.sharing_guide("politie")
    ambtsbericht = next(c for c in guide["classifications"] if c["value"] == "ambtsbericht")
    assert not ambtsbericht["available"] and ambtsbericht["guidance"]


def test_intake_form_shows_the_guide(client, region_a):
    login(client, region_a.users["intake"])
    page = client.get(reverse("signals:signal_create")).content.decode()
    assert 'value="wet-pga"' in page and 'value="wpg-20"' not in page and 'value="avg-6-1e"' not in page
    assert "art. 8 lid 1 Wet PGA" in page and 'value="social_relations"' in page


# ---------------------------------------------------------------- provenance refusals


@pytest.mark.parametrize(
    "overrides, field, fragment",
    [
        ({"legal_basis": None}, "legal_basis", "Zonder grondslag"),
        ({"legal_basis": "wpg-20"}, "legal_basis", "niet beschikbaar voor Gemeente"),
        ({"legal_basis": "twbmt"}, "legal_basis", "geen actieve grondslag"),
        ({"legal_basis": "avg-6-1e"}, "legal_basis", "alleen voor vastleggingen van vóór 1 juli 2025"),
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
        data=contribution(region_a.region, legal_basis="wet-pga", classification="ambtsbericht"),
    )


def test_contribution_records_its_provenance(region_a, signal_a):
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    c = submit_contribution(
        region_a.users["weigher_politie"],
        weighing=weighing,
        data=contribution(
            region_a.region, legal_basis="wpg-20", classification="criminal_law", visibility="core_parties"
        ),
    )
    c.refresh_from_db()
    assert (c.legal_basis.code, c.classification, c.visibility) == ("wpg-20", "criminal_law", "core_parties")
    assert c.legal_basis.basis_set.version == 2
    with pytest.raises(ValidationError) as error:
        submit_contribution(
            region_a.users["weigher_om"],
            weighing=weighing,
            data=contribution(region_a.region, legal_basis="wpg-20", classification="criminal_law"),
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
            region_a.region, legal_basis="wpg-20", classification="criminal_law", visibility=Visibility.ORIGIN_AND_MAYOR
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
    """The NCTV is a third party (Wet PGA art. 3 lid 3) that also needs its legal basis."""
    from casustafel.cases.services import add_participant
    from casustafel.cases.third_parties import confirm_third_party, propose_third_party

    director = region_a.users["case_director"]
    with pytest.raises(ValidationError) as error:
        add_participant(director, case=case_a, organisation=nctv, reason="Uitreisverbod overwegen")
    assert "art. 3 lid 3" in error.value.message_dict["organisation"][0]
    proposal = dict(
        case=case_a,
        organisation=nctv,
        expertise="Uitreisverbod overwegen",
        plan_roles=["carrying_out"],
        necessary_data=["identifying", "plan_of_action"],
    )
    with pytest.raises(ValidationError) as error:
        propose_third_party(director, **proposal)
    assert "NCTV kan alleen deelnemen" in error.value.message_dict["legal_basis"][0]
    with pytest.raises(ValidationError) as error:
        propose_third_party(director, **proposal, legal_basis="avg-6-1e")
    assert "legal_basis" in error.value.message_dict
    admission = propose_third_party(director, **proposal, legal_basis="paspoortwet")
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        admission = confirm_third_party(region_a.users[key], admission=admission, agrees=True)
    assert case_a.participants.get(organisation=nctv).legal_basis.code == "paspoortwet"


def test_nctv_is_not_named_in_the_opening_decision(region_a, signal_a, nctv):
    """Art. 3 lid 3: the NCTV, a third party, is admitted after opening, not in the decision."""
    from casustafel.demo import decide_jointly
    from casustafel.weighing.models import Outcome
    from casustafel.weighing.services import DecisionData

    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    weigh_all(region_a, weighing)
    data = DecisionData(
        outcome=Outcome.INCLUDE,
        rationale="Zorgen.",
        case_director=region_a.users["case_director"],
        participants=[(nctv, "Maatregel", "twbmt")],
    )
    with pytest.raises(ValidationError) as error:
        decide_jointly(region_a.users["weigher_gemeente"], weighing=weighing, data=data)
    assert "art. 3 lid 3" in error.value.message_dict["participants"][0]


def test_nctv_gate_in_the_web_form(client, region_a, case_a, nctv):
    login(client, region_a.users["case_director"])
    url = reverse("cases:third_party_propose", args=[case_a.pk])
    body = {
        "organisation": nctv.pk,
        "expertise": "Maatregel",
        "plan_roles": ["carrying_out"],
        "necessary_data": ["plan_of_action"],
    }
    response = client.post(url, body)
    assert response.status_code == 400 and "NCTV kan alleen deelnemen" in response.content.decode()
    response = client.post(url, {**body, "legal_basis": "twbmt"})
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


# ---------------------------------------------------------------- objections


# Informing the person (art. 11 Wet PGA): tests/test_informing.py.


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


# ---------------------------------------------------------------- Wet PGA art. 8: special categories


@pytest.mark.parametrize("refused", ["sexual_orientation", "genetic", "biometric", "trade_union", "special_category"])
def test_special_category_the_law_does_not_permit_is_refused_art_8(region_a, refused):
    """Art. 8 Wet PGA permits only race/ethnic origin, beliefs and health (and criminal data)."""
    before = Signal.objects.count()
    with pytest.raises(ValidationError) as error:
        register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields(classification=refused))
    message = " ".join(error.value.message_dict["classification"])
    assert "art. 8 wet pga" in message.lower()
    assert Signal.objects.count() == before


@pytest.mark.parametrize("permitted", ["special_ethnicity", "special_beliefs", "special_health", "criminal_law"])
def test_special_categories_the_law_permits_are_accepted_art_8(region_a, permitted):
    """Art. 8 lid 1 (race or ethnic origin; political, religious or philosophical beliefs;
    health) and lid 2 (criminal-law data), under the Wet PGA basis."""
    signal = register_signal(
        region_a.users["intake"], subject=subject_data(), fields=signal_fields(classification=permitted)
    ).signal
    signal.refresh_from_db()
    assert signal.classification == permitted


def test_web_intake_refuses_a_special_category_with_a_form_error_art_8(client, region_a):
    from .test_web import intake_post

    login(client, region_a.users["intake"])
    response = client.post(reverse("signals:signal_create"), intake_post(classification="biometric"))
    assert response.status_code == 400
    assert "biometrische gegevens" in response.content.decode()
    assert not Signal.objects.exists()


# ---------------------------------------------------------------- Wet PGA art. 4: data categories


@pytest.mark.parametrize(
    "category, user, basis",
    [
        ("identifying", "intake", "wet-pga"),
        ("bsn", "intake", "wet-pga"),
        ("signals", "intake", "wet-pga"),
        ("registering_participant", "intake", "wet-pga"),
        ("plan_of_action", "intake", "wet-pga"),
        ("police_data", "weigher_politie", "wpg-20"),
        ("judicial_data", "weigher_om", "wjsg-39f"),
        ("social_relations", "intake", "wet-pga"),
    ],
)
def test_each_art_4_category_is_accepted(region_a, category, user, basis):
    """Art. 4 a–h: every item is tagged with its category (f under Wpg art. 20, g under the Wjsg)."""
    fields = signal_fields(legal_basis=basis, data_category=category)
    fields.pop("visibility")
    signal = register_signal(region_a.users[user], subject=subject_data(), fields=fields).signal
    signal.refresh_from_db()
    assert signal.data_category == category


def test_unknown_category_is_refused_art_4(region_a):
    with pytest.raises(ValidationError) as error:
        register_signal(region_a.users["intake"], subject=subject_data(), fields=signal_fields(data_category="dna"))
    assert "art. 4 Wet PGA" in error.value.message_dict["data_category"][0]
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    "category, user, fragment", [("police_data", "weigher_politie", "Wet politiegegevens art. 20")]
)
def test_police_data_only_on_wpg_20_art_4_f(region_a, category, user, fragment):
    """Art. 4 f: police data are those provided under art. 20 Wpg, not on another basis."""
    with pytest.raises(ValidationError) as error:
        register_signal(
            region_a.users[user],
            subject=subject_data(),
            fields=signal_fields(legal_basis="wet-pga", data_category=category),
        )
    assert fragment in error.value.message_dict["data_category"][0]


@pytest.mark.parametrize("user, basis", [("weigher_om", "wet-pga"), ("weigher_politie", "wpg-20")])
def test_judicial_data_only_on_the_wjsg_art_4_g(region_a, signal_a, user, basis):
    """Art. 4 g: judicial and criminal-procedure data are those provided under the Wjsg, not on
    another basis (the Wet PGA itself, or the police's Wpg art. 20) — for a signal and for a
    weighing contribution; nothing is written."""
    fragment = "Wet justitiële en strafvorderlijke gegevens"
    with pytest.raises(ValidationError) as error:
        register_signal(
            region_a.users[user],
            subject=subject_data(),
            fields=signal_fields(legal_basis=basis, data_category="judicial_data"),
        )
    assert fragment in error.value.message_dict["data_category"][0]
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    data = contribution(region_a.region, legal_basis=basis)
    data.data_category = "judicial_data"
    with pytest.raises(ValidationError) as error:
        submit_contribution(region_a.users[user], weighing=weighing, data=data)
    assert fragment in error.value.message_dict["data_category"][0]
    assert not Signal.objects.filter(registered_by=region_a.users[user]).exists()
    assert not Contribution.objects.filter(weighing=weighing).exists()


def test_social_relations_are_narrower_by_default_art_4_h(region_a, signal_a):
    """Art. 4 h: data on people in the person's social circle default to the core parties and
    may never be shown to all participants."""
    fields = signal_fields(data_category="social_relations", facts="Broer van betrokkene")
    fields.pop("visibility")
    signal = register_signal(region_a.users["intake"], subject=subject_data(), fields=fields).signal
    assert signal.visibility == Visibility.CORE_PARTIES
    assert not policy.can(region_a.users["participant_reclassering"], policy.Action.ITEM_VIEW, signal)
    assert policy.can(region_a.users["weigher_om"], policy.Action.ITEM_VIEW, signal)
    with pytest.raises(ValidationError) as error:
        register_signal(
            region_a.users["intake"],
            subject=subject_data(),
            fields=signal_fields(data_category="social_relations", visibility=Visibility.ALL_PARTICIPANTS),
        )
    assert "sociale relatie" in error.value.message_dict["visibility"][0]
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    contribution_data = contribution(region_a.region)
    contribution_data.data_category, contribution_data.visibility = "social_relations", ""
    c = submit_contribution(region_a.users["weigher_gemeente"], weighing=weighing, data=contribution_data)
    assert (c.data_category, c.visibility) == ("social_relations", Visibility.CORE_PARTIES)


def test_social_relations_are_shown_as_such_art_4_h(client, region_a, signal_a):
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    contribution_data = contribution(region_a.region)
    contribution_data.data_category, contribution_data.visibility = "social_relations", ""
    submit_contribution(region_a.users["weigher_gemeente"], weighing=weighing, data=contribution_data)
    login(client, region_a.users["weigher_om"])
    page = client.get(reverse("weighing:weighing_detail", args=[weighing.pk])).content.decode()
    assert "h. Personen met wie betrokkene een sociale relatie onderhoudt" in page
    assert "sociale omgeving: beperkt zichtbaar" in page


# ---------------------------------------------------------------- legal bases v2 for new records, v1 kept (item 10)


def test_new_records_resolve_against_v2_and_old_records_keep_v1_art_4_8(region_a, signal_a):
    """Records made since 1 July 2025 carry a version-2 basis; a record made before keeps its
    version-1 basis (Wpg-machtigingsbesluit), which new records can no longer use."""
    assert signal_a.legal_basis.basis_set.version == 2
    old_basis = LegalBasis.objects.get(code="wpg-18-2-pga", basis_set__version=1)
    Signal.objects.filter(pk=signal_a.pk).update(legal_basis=old_basis)
    signal_a.refresh_from_db()
    assert signal_a.legal_basis == old_basis and signal_a.legal_basis.basis_set.version == 1
    with pytest.raises(ValidationError) as error:
        register_signal(
            region_a.users["weigher_politie"], subject=subject_data(), fields=signal_fields(legal_basis="wpg-18-2-pga")
        )
    assert "alleen voor vastleggingen van vóór 1 juli 2025" in error.value.message_dict["legal_basis"][0]
    assert governance.resolve_basis("wet-pga").basis_set.version == 2


# ---------------------------------------------------------------- withheld for weighty reasons (art. 4 aanhef)


def test_withheld_record_has_no_content_and_is_seen_by_core_parties_and_fg_art_4_aanhef(region_a, signal_a):
    from casustafel.governance.models import WithheldData

    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    police = region_a.users["weigher_politie"]
    withheld = governance.record_withheld(
        police, subject=weighing.subject, weighing=weighing, data_category="police_data", reason="ongoing_investigation"
    )
    content_fields = {f.name for f in WithheldData._meta.concrete_fields} - {
        "id", "region", "subject", "weighing", "organisation", "recorded_by", "recorded_at",
        "data_category", "reason", "motivation",
    }  # fmt: skip
    assert content_fields == set()
    assert withheld.organisation == police.organisation and withheld.recorded_by == police
    assert ProcessingLogEntry.objects.filter(
        object_type="withhelddata", object_id=withheld.pk, action=Action.CREATE
    ).exists()
    users = region_a.users
    for who in ("weigher_gemeente", "weigher_om", "privacy_officer"):
        assert selectors.withheld_records(users[who], weighing=weighing) == [withheld], who
    for who in ("participant_reclassering", "analyst"):
        assert selectors.withheld_records(users[who], weighing=weighing) == [], who


def test_withheld_other_reason_needs_a_short_motivation_art_4_aanhef(region_a, signal_a):
    from casustafel.governance.models import WithheldData

    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    with pytest.raises(ValidationError) as error:
        governance.record_withheld(
            region_a.users["weigher_om"],
            subject=weighing.subject,
            weighing=weighing,
            data_category="judicial_data",
            reason="other",
        )
    assert "motivation" in error.value.message_dict
    with pytest.raises(PolicyDenied):
        governance.record_withheld(
            region_a.users["analyst"], subject=weighing.subject, data_category="signals", reason="safety"
        )
    assert not WithheldData.objects.exists()


def test_withheld_form_on_the_weighing_page_art_4_aanhef(client, region_a, signal_a):
    from casustafel.governance.models import WithheldData

    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    url = reverse("governance:weighing_withheld", args=[weighing.pk])
    login(client, region_a.users["weigher_politie"])
    response = client.post(url, {"data_category": "police_data", "reason": "other", "motivation": ""})
    assert response.status_code == 400 and "Motiveer kort" in response.content.decode()
    assert not WithheldData.objects.exists()
    response = client.post(url, {"data_category": "police_data", "reason": "source_protection"})
    assert response.status_code == 302
    page = client.get(reverse("weighing:weighing_detail", args=[weighing.pk])).content.decode()
    assert "Bescherming van een bron of melder" in page and "f. Politiegegevens" in page


def test_withheld_overview_for_the_fg_and_core_parties_only_art_4_aanhef(client, region_a, signal_a):
    weighing = send_to_weighing(region_a.users["intake"], signal=signal_a).weighing
    governance.record_withheld(
        region_a.users["weigher_om"],
        subject=weighing.subject,
        weighing=weighing,
        data_category="judicial_data",
        reason="legal_secrecy",
    )
    url = reverse("governance:withheld_list")
    login(client, region_a.users["privacy_officer"])
    page = client.get(url).content.decode()
    assert "Wettelijke geheimhoudingsplicht van de deelnemer" in page and weighing.reference in page
    assert "Achtergehouden gegevens" in page  # in the FG's menu
    client.logout()
    login(client, region_a.users["participant_reclassering"])
    # A section the role cannot use says so plainly (issue 12 item 11); it names no object.
    assert client.get(url).status_code == 403
