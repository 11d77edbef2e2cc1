"""Wet PGA art. 1, 2, 4 d, 5 lid 1–2: legal persons, the gemeente van verblijf and the two ways
in (aanmelding by a participant, melding by anyone), through the services and the pages."""

import importlib
import uuid

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from casustafel.core.identity import is_valid_kvk_number, is_valid_rsin
from casustafel.flow.services import register_signal
from casustafel.signals.models import Addressee, IntakeRoute, ReporterKind, Signal
from casustafel.subjects.elsewhere import known_elsewhere
from casustafel.subjects.models import Subject, SubjectKind
from casustafel.subjects.services import SubjectData, find_known_subject

from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db

KVK, OTHER_KVK = "12345678", "87654321"
RSIN, OTHER_RSIN = "111222333", "123456782"


def organisation(**overrides) -> SubjectData:
    values = dict(
        kind=SubjectKind.LEGAL_PERSON,
        legal_name="Stichting Testverbond",
        kvk_number=KVK,
        rsin="",
        establishment_place="Lindeveld",
        municipality="Lindeveld",
    )
    values.update(overrides)
    return SubjectData(**values)


def _register(region, subject, **fields):
    return register_signal(region.users["intake"], subject=subject, fields=signal_fields(**fields))


def _intake_post(**overrides):
    data = {
        "intake_route": "referral",
        "addressed_to": "mayor",
        "reporter_kind": "",
        "reporter_name": "",
        "reporter_contact": "",
        "kind": "natural_person",
        "given_names": "Piet",
        "family_name": "Proefpersoon",
        "date_of_birth": "1998-03-02",
        "gender": "man",
        "municipality": "Lindeveld",
        "bsn": "",
        "legal_name": "",
        "kvk_number": "",
        "rsin": "",
        "establishment_place": "",
        "source_type": "school",
        "source_description": "Mentor",
        "phenomenon": "rechts_extremistisch",
        "facts": "Tekent symbolen op schoolspullen.",
        "urgency": "normaal",
        "observed_on": "",
        "submission": str(uuid.uuid4()),
        "legal_basis": "wet-pga",
        "classification": "ordinary",
        "visibility": "all_participants",
        "data_category": "signals",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- art. 2: legal persons


def test_kvk_and_rsin_validation_art_2():
    """Art. 2/5: a KvK number is 8 digits; an RSIN passes the elfproef like the BSN."""
    assert is_valid_kvk_number(KVK)
    assert not is_valid_kvk_number("1234567") and not is_valid_kvk_number("00000000")
    assert not is_valid_kvk_number("1234567a") and not is_valid_kvk_number("١٢٣٤٥٦٧٨")
    assert is_valid_rsin(RSIN) and not is_valid_rsin("123456789")


def test_legal_person_is_a_subject_with_its_numbers_indexed_art_2(region_a):
    """Art. 2 lid 1: the casusoverleg may concern a legal person; its name stands where a
    person's name would, its numbers are found through keyed indexes."""
    signal = _register(region_a, organisation(rsin=RSIN)).signal
    subject = signal.subject
    assert subject.kind == SubjectKind.LEGAL_PERSON and subject.is_legal_person
    assert subject.full_name == "Stichting Testverbond" and str(subject) == "Stichting Testverbond"
    assert subject.date_of_birth is None and subject.bsn_index == ""
    assert subject.kvk_index and subject.kvk_index != KVK and subject.rsin_index and RSIN not in subject.rsin_index


def test_known_subject_check_for_organisations_by_kvk_rsin_and_name_art_2(region_a):
    """Art. 2, 5: the known-subject check works for legal persons: same KvK number or RSIN
    (whatever the name), or same name and place without numbers; another KvK number with the
    same name is another organisation."""
    first = _register(region_a, organisation(rsin=RSIN)).signal.subject
    region = region_a.region
    assert find_known_subject(region, organisation(legal_name="Hernoemd", kvk_number=KVK)) == first
    assert find_known_subject(region, organisation(legal_name="Hernoemd", kvk_number="", rsin=RSIN)) == first
    assert find_known_subject(region, organisation(kvk_number="")) == first
    assert find_known_subject(region, organisation(kvk_number=OTHER_KVK)) is None
    again = _register(region_a, organisation(legal_name="Andere naam"))
    assert again.known_person and again.signal.subject == first
    other = _register(region_a, organisation(kvk_number=OTHER_KVK))
    assert not other.known_person and other.signal.subject != first


def test_organisation_never_matches_a_natural_person_art_2(region_a):
    _register(region_a, subject_data(given_names="Stichting", family_name="Testverbond"))
    assert find_known_subject(region_a.region, organisation(kvk_number="")) is None


def test_known_elsewhere_for_organisations_art_2(world):
    """Art. 2: the cross-region hit / no hit compares the keyed KvK/RSIN indexes of organisations."""
    a, b = world["a"], world["b"]
    mine = _register(a, organisation()).signal.subject
    assert not known_elsewhere(a.users["intake"], mine)
    _register(b, organisation(legal_name="Heel anders", establishment_place="Elders"))
    assert known_elsewhere(a.users["intake"], mine)
    lone = _register(a, organisation(legal_name="Eenling BV", kvk_number=OTHER_KVK)).signal.subject
    _register(b, organisation(legal_name="Eenling BV", kvk_number="11112222"))
    assert not known_elsewhere(a.users["intake"], lone), "same name, other KvK number: another organisation"


def test_database_refuses_a_legal_person_with_a_date_of_birth_art_2(region_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Subject.objects.create(
            region=region_a.region,
            kind=SubjectKind.LEGAL_PERSON,
            legal_name="X",
            municipality="Y",
            date_of_birth="2000-01-01",
        )


# ---------------------------------------------------------------- art. 1: gemeente van verblijf


def test_gemeente_van_verblijf_links_the_regions_gemeente_art_1(region_a):
    """Art. 1, 2 lid 1: the gemeente van verblijf is recorded by name and, when the region has
    it, as the gemeente organisation whose burgemeester carries the casusoverleg."""
    inside = _register(region_a, subject_data(family_name="Binnen", municipality="a")).signal.subject
    assert inside.municipality == "a" and inside.residence_gemeente == region_a.orgs["gemeente"]
    outside = _register(region_a, subject_data(family_name="Buiten", municipality="Elders")).signal.subject
    assert outside.municipality == "Elders" and outside.residence_gemeente is None
    legal = _register(region_a, organisation(municipality="Gemeente A")).signal.subject
    assert legal.residence_gemeente == region_a.orgs["gemeente"], "a legal person: where it is established"


# ---------------------------------------------------------------- art. 5 lid 1–2: two ways in


def test_aanmelding_records_the_registering_participant_art_4_d_art_5_lid_1(region_a):
    """Art. 5 lid 1 and art. 4 d: an aanmelding by a participant records that participant
    (organisation and person) and is addressed to politie, OM or the burgemeester."""
    intake = region_a.users["intake"]
    signal = _register(region_a, subject_data()).signal
    assert signal.intake_route == IntakeRoute.REFERRAL
    assert signal.registered_by_organisation == intake.organisation and signal.registered_by == intake
    assert signal.addressed_to == Addressee.MAYOR, "a gemeente receives it for the burgemeester"
    police = register_signal(
        region_a.users["weigher_politie"],
        subject=subject_data(family_name="Politiezaak"),
        fields=signal_fields(legal_basis="wet-pga"),
    ).signal
    assert police.addressed_to == Addressee.POLICE
    to_om = _register(region_a, subject_data(family_name="Omzaak"), addressed_to=Addressee.PROSECUTION).signal
    assert to_om.addressed_to == Addressee.PROSECUTION


def test_melding_by_anyone_anonymous_allowed_art_5_lid_2(region_a):
    """Art. 5 lid 2: anyone may make a melding — citizen, professional or anonymous."""
    anonymous = _register(
        region_a, subject_data(), intake_route=IntakeRoute.REPORT, reporter_kind=ReporterKind.ANONYMOUS
    ).signal
    assert anonymous.is_report and anonymous.reporter_kind == "anonymous" and not anonymous.reporter_contact
    citizen = _register(
        region_a,
        subject_data(family_name="Ander"),
        intake_route=IntakeRoute.REPORT,
        reporter_kind=ReporterKind.CITIZEN,
        reporter_name="Buurvrouw",
        reporter_contact="06-12345678",
        addressed_to=Addressee.POLICE,
    ).signal
    assert citizen.reporter_contact == "06-12345678" and citizen.addressed_to == Addressee.POLICE


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"intake_route": IntakeRoute.REPORT}, "reporter_kind"),
        (
            {"intake_route": IntakeRoute.REPORT, "reporter_kind": "anonymous", "reporter_contact": "a@b.nl"},
            "reporter_contact",
        ),
        ({"intake_route": IntakeRoute.REFERRAL, "reporter_name": "Iemand"}, "reporter_name"),
    ],
)
def test_ways_in_bad_input_refused_and_nothing_written_art_5(region_a, fields, field):
    """Art. 5 lid 1–2: a melding names who made it (anonymous means no contact details); an
    aanmelding's participant is the registering organisation, not a separate reporter."""
    before = (Signal.objects.count(), Subject.objects.count())
    with pytest.raises(ValidationError) as error:
        _register(region_a, subject_data(family_name="Nooit"), **fields)
    assert field in error.value.message_dict
    assert (Signal.objects.count(), Subject.objects.count()) == before


def test_migration_makes_existing_signals_aanmeldingen_art_5_lid_1(region_a):
    """Art. 5 lid 1: signals from before the law are aanmeldingen by their registering
    organisation, addressed to that organisation's side (politie → politie)."""
    signal = register_signal(
        region_a.users["weigher_politie"], subject=subject_data(), fields=signal_fields(legal_basis="wet-pga")
    ).signal
    Signal.objects.filter(pk=signal.pk).update(addressed_to=Addressee.MAYOR)
    migration = importlib.import_module("casustafel.signals.migrations.0004_intake_route_addressee_reporter")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.existing_signals_are_referrals(django_apps, editor)
    signal.refresh_from_db()
    assert signal.intake_route == IntakeRoute.REFERRAL and signal.addressed_to == Addressee.POLICE


# ---------------------------------------------------------------- the pages


def test_intake_form_registers_a_legal_person_and_a_melding_art_2_art_5(client, region_a):
    login(client, region_a.users["intake"])
    form = client.get(reverse("signals:signal_create")).content.decode()
    assert "Rechtspersoon / organisatie" in form and "Melding (art. 5 lid 2)" in form and "KvK-nummer" in form
    response = client.post(
        reverse("signals:signal_create"),
        _intake_post(
            kind="legal_person",
            given_names="",
            family_name="",
            date_of_birth="",
            gender="",
            legal_name="Stichting Webverbond",
            kvk_number=KVK,
            rsin=RSIN,
            establishment_place="Lindeveld",
            intake_route="report",
            reporter_kind="professional",
            reporter_name="Wijkagent",
            addressed_to="police",
        ),
    )
    assert response.status_code == 302
    signal = Signal.objects.get(subject__legal_name="Stichting Webverbond")
    assert signal.subject.kvk_number == KVK and signal.intake_route == "report" and signal.addressed_to == "police"
    detail = client.get(reverse("signals:signal_detail", args=[signal.pk])).content.decode()
    assert "Stichting Webverbond" in detail and "Melding (art. 5 lid 2)" in detail and "Politie" in detail
    assert "Professional" in detail and KVK in detail
    listing = client.get(reverse("signals:signal_list")).content.decode()
    assert "Stichting Webverbond" in listing and "Melding" in listing and "Gericht aan" in listing


def test_intake_form_aanmelding_shows_registering_participant_art_4_d(client, region_a):
    login(client, region_a.users["intake"])
    response = client.post(reverse("signals:signal_create"), _intake_post())
    signal = Signal.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    detail = client.get(reverse("signals:signal_detail", args=[signal.pk])).content.decode()
    assert "Aangemeld door (art. 4 d)" in detail and region_a.users["intake"].display_name in detail
    assert "Aanmelding door een deelnemer (art. 5 lid 1)" in detail


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"kind": "legal_person", "legal_name": "X", "kvk_number": "1234567"}, "kvk_number", "geen geldig KvK-nummer"),
        ({"kind": "legal_person", "legal_name": "X", "kvk_number": "12345a78"}, "kvk_number", "geen geldig KvK-nummer"),
        ({"kind": "legal_person", "legal_name": "X", "rsin": "123456789"}, "rsin", "geen geldig RSIN"),
        ({"kind": "legal_person", "legal_name": ""}, "legal_name", "naam van de organisatie"),
        ({"kind": "legal_person", "legal_name": "X", "bsn": RSIN}, "bsn", "geen BSN"),
        ({"family_name": ""}, "family_name", "achternaam"),
        ({"kvk_number": KVK}, "kvk_number", "Alleen voor een rechtspersoon"),
        ({"intake_route": "report"}, "reporter_kind", "wie de melding deed"),
        ({"intake_route": "report", "reporter_kind": "anonymous", "reporter_name": "Jan"}, "reporter_name", "anonieme"),
        ({"reporter_contact": "06"}, "reporter_contact", "aanmelding"),
    ],
)
def test_intake_form_bad_subject_or_way_in_refused_in_dutch_art_2_art_5(client, region_a, overrides, field, message):
    """Art. 2, 5: a bad KvK number or RSIN, or a way in without its reporter, is refused
    with a Dutch message and nothing is written."""
    login(client, region_a.users["intake"])
    legal = overrides.get("kind") == "legal_person"
    base = {"given_names": "", "family_name": "", "date_of_birth": "", "gender": ""} if legal else {}
    before = (Signal.objects.count(), Subject.objects.count())
    response = client.post(reverse("signals:signal_create"), _intake_post(**{**base, **overrides}))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert (Signal.objects.count(), Subject.objects.count()) == before


def test_known_person_check_finds_an_organisation_by_kvk_art_2(client, region_a):
    _register(region_a, organisation())
    login(client, region_a.users["intake"])
    response = client.post(
        reverse("signals:known_person_check"), {"kind": "legal_person", "legal_name": "Iets", "kvk_number": KVK}
    )
    assert "al bekend" in response.content.decode()
