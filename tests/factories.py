"""factory_boy factories and a small two-region world for tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import factory
from django.utils import timezone

from casustafel.accounts.models import (
    Designation,
    DesignationPurpose,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
    is_private_participant_kind,
)
from casustafel.accounts.services import ensure_totp_device
from casustafel.signals.models import Phenomenon, SourceType, Urgency
from casustafel.subjects.services import SubjectData
from casustafel.weighing.models import Assessment, Outcome
from casustafel.weighing.services import ContributionData, active_framework

PASSWORD = "Correct-Horse-Battery-9"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"regio-{n}")
    name = factory.Sequence(lambda n: f"Regio {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    region = factory.SubFactory(RegionFactory)
    kind = OrganisationKind.GEMEENTE
    name = factory.Sequence(lambda n: f"Organisatie {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.INTAKE_OFFICER
    is_demo = True
    # Wet PGA art. 17: test users are bound to secrecy already, so they are not asked to
    # acknowledge it (tests/test_confidentiality.py builds users who are).
    has_other_secrecy_duty = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the built object
        if create:
            obj.save()
            ensure_totp_device(obj)

    @factory.post_generation
    def designation(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the built object
        """Wet PGA art. 13: a designation by the user's organisation, valid from long before any
        date the tests travel to, so every test user has access (tests/test_designation.py
        builds users without one: ``UserFactory(designation=False)``)."""
        if create and extracted is not False and obj.organisation_id is not None:
            Designation.objects.create(
                user=obj,
                organisation=obj.organisation,
                purpose=DesignationPurpose.PROCESSING,
                valid_from=date(2000, 1, 1),
                designated_by="Teamleider (test)",
                no_commercial_tasks=is_private_participant_kind(obj.organisation.kind),
                recorded_at=timezone.now(),
            )


def subject_data(**overrides) -> SubjectData:
    values = dict(
        given_names="Jan",
        family_name="Testpersoon",
        date_of_birth=date(1999, 4, 12),
        gender="man",
        municipality="Lindeveld",
        bsn="",
    )
    values.update(overrides)
    return SubjectData(**values)


def signal_fields(**overrides) -> dict:
    values = dict(
        source_type=SourceType.POLICE,
        phenomenon=Phenomenon.RIGHT_WING,
        facts="Deelt gewelddadige teksten in een besloten groep.",
        opinions="",
        counter_indications="",
        online_component=True,
        urgency=Urgency.NORMAL,
        # Provenance: the test intake officers work for a gemeente.
        legal_basis="wet-pga",
        classification="ordinary",
        visibility="all_participants",
    )
    values.update(overrides)
    return values


def contribution(
    region,
    *,
    view=Outcome.INCLUDE,
    holds=True,
    legal_basis="wet-pga",
    classification="ordinary",
    visibility="all_participants",
) -> ContributionData:
    framework = active_framework(region)
    return ContributionData(
        holds_information=holds,
        information="Bekend uit eigen systemen." if holds else "",
        view=view,
        view_rationale="Zorgen over samenhang van signalen.",
        assessments={c.code: (Assessment.PRESENT, "Onderbouwing.") for c in framework.criteria.all()},
        legal_basis=legal_basis,
        classification=classification,
        visibility=visibility,
    )


@dataclass
class RegionWorld:
    region: Region
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


ORG_KINDS = ["gemeente", "politie", "om", "zvh", "reclassering", "ggz"]

#: The test users of a region: key → (organisation kind, role).
USER_SPECS = {
    "intake": ("gemeente", Role.INTAKE_OFFICER),
    "weigher_gemeente": ("gemeente", Role.WEIGHING_MEMBER),
    "weigher_politie": ("politie", Role.WEIGHING_MEMBER),
    "weigher_om": ("om", Role.WEIGHING_MEMBER),
    "process_director": ("zvh", Role.PROCESS_DIRECTOR),
    "case_director": ("zvh", Role.CASE_DIRECTOR),
    "participant_reclassering": ("reclassering", Role.PARTICIPANT),
    "participant_ggz": ("ggz", Role.PARTICIPANT),
    "mayor": ("gemeente", Role.MAYOR),
    "privacy_officer": ("gemeente", Role.PRIVACY_OFFICER),
    "functional_admin": ("zvh", Role.FUNCTIONAL_ADMIN),
    "analyst": ("gemeente", Role.ANALYST),
    # Wet PGA art. 15: a member of the lawfulness advisory committee (no case content).
    "committee": ("gemeente", Role.LAWFULNESS_COMMITTEE),
}


def build_region(code: str) -> RegionWorld:
    world = RegionWorld(region=RegionFactory(code=code, name=f"Regio {code}"))
    for kind in ORG_KINDS:
        world.orgs[kind] = OrganisationFactory(region=world.region, kind=kind, name=f"{kind} {code}")
    for key, (kind, role) in USER_SPECS.items():
        world.users[key] = UserFactory(username=f"{key}-{code}", organisation=world.orgs[kind], role=role)
    return world


def governance_objects(world: RegionWorld, *, subject=None, case=None) -> dict:
    """An ambtsbericht (read by the mayor and a designated ``weigher_gemeente``), and — for a
    case — an objection and an access request, for the authorization matrix."""
    from datetime import timedelta

    from django.utils import timezone

    from casustafel.governance import services as governance

    today = timezone.localdate()
    document = governance.register_restricted_document(
        world.users["mayor"],
        content="Vertrouwelijke inhoud (fictief).",
        received_at=today - timedelta(days=3),
        subject=subject,
        case=case,
    )
    governance.set_designation(
        world.users["mayor"], document=document, user=world.users["weigher_gemeente"], designated=True
    )
    objects = {"restricted_document": {"pk": document.pk}}
    if case is not None:
        objection = governance.register_objection(
            world.users["case_director"], case=case, received_on=today, summary="Betrokkene maakt bezwaar (fictief)."
        )
        access_request = governance.register_access_request(
            world.users["privacy_officer"], subject=case.subject, received_on=today
        )
        objects.update(objection={"pk": objection.pk}, access_request={"pk": access_request.pk})
    return objects


def admit_ggz(world_region: RegionWorld, case, necessary_data=("identifying", "plan_of_action")):
    """Let the region's ggz take part in ``case`` as a third party (Wet PGA art. 3 lid 3),
    admitted by the three, with the data marked necessary for it."""
    from casustafel.demo import admit_jointly

    return admit_jointly(
        world_region.users["weigher_gemeente"],
        case=case,
        organisation=world_region.orgs["ggz"],
        expertise="Behandeling loopt",
        necessary_data=list(necessary_data),
    )
