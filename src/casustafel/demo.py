"""A fictional demo region with users for every role and synthetic signals and cases.

Everything here is invented. Loading is idempotent: a region that exists is left as it
is. All records are created through the normal services, so the access policy and the
processing log apply to the demo data too.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from casustafel.access import rls
from casustafel.accounts.models import (
    DesignationPurpose,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
    is_private_participant_kind,
)
from casustafel.accounts.services import designate, ensure_totp_device
from casustafel.cases import states as case_states
from casustafel.cases.models import Case, ClosureReason, PlanRole, ThirdPartyAdmission
from casustafel.cases.services import add_participant, transition_case
from casustafel.cases.third_parties import confirm_third_party, propose_third_party
from casustafel.flow.services import confirm_decision, propose_decision, register_signal, send_to_weighing
from casustafel.journal import services as journal_services
from casustafel.meldpunt.services import save_gemeente_page
from casustafel.plans import services as plan_services
from casustafel.policy_signals.services import raise_signal
from casustafel.signals.models import Phenomenon, SourceType, Urgency
from casustafel.signals.services import start_preparation
from casustafel.subjects.services import SubjectData
from casustafel.weighing.models import WEIGHING_PARTIES, Assessment, Decision, Outcome, ReferralTarget, Weighing
from casustafel.weighing.services import ContributionData, DecisionData, submit_contribution

DEMO_PASSWORD = "Casustafel-demo-2026"

REGIONS = {
    "lindeveld": {
        "name": "Regio Lindeveld (fictief)",
        "organisations": [
            ("zvh", "Zorg- en Veiligheidshuis Lindeveld"),
            ("gemeente", "Gemeente Lindeveld"),
            ("gemeente", "Gemeente Oosterwaarde"),
            ("gemeente", "Gemeente Bremhaven"),
            ("politie", "Politie eenheid Lindeveld, team PGA"),
            ("om", "OM arrondissementsparket Lindeveld"),
            ("reclassering", "Reclassering Lindeveld"),
            ("rvdk", "Raad voor de Kinderbescherming Lindeveld"),
            ("ggz", "GGZ Lindeveld"),
            ("wijkteam", "Wijkteam Lindeveld-Noord"),
            ("lse_exit", "Landelijk Steunpunt Extremisme"),
            ("ind", "Immigratie- en Naturalisatiedienst"),
        ],
        "users": [
            ("intake", "Gemeente Lindeveld", Role.INTAKE_OFFICER, "Iris", "Intakema"),
            ("weeg.gemeente", "Gemeente Lindeveld", Role.WEIGHING_MEMBER, "Gijs", "Gemeentelid"),
            ("weeg.politie", "Politie eenheid Lindeveld, team PGA", Role.WEIGHING_MEMBER, "Paula", "Politieel"),
            ("weeg.om", "OM arrondissementsparket Lindeveld", Role.WEIGHING_MEMBER, "Otto", "Officier"),
            ("procesregisseur", "Zorg- en Veiligheidshuis Lindeveld", Role.PROCESS_DIRECTOR, "Petra", "Proces"),
            ("casusregisseur", "Zorg- en Veiligheidshuis Lindeveld", Role.CASE_DIRECTOR, "Cas", "Regie"),
            ("reclassering", "Reclassering Lindeveld", Role.PARTICIPANT, "Rob", "Reclasseerder"),
            ("ggz", "GGZ Lindeveld", Role.PARTICIPANT, "Gea", "Zorgverlener"),
            ("rvdk", "Raad voor de Kinderbescherming Lindeveld", Role.PARTICIPANT, "Rik", "Raadsman"),
            ("wijkteam", "Wijkteam Lindeveld-Noord", Role.PARTICIPANT, "Wim", "Wijkwerker"),
            ("exit", "Landelijk Steunpunt Extremisme", Role.PARTICIPANT, "Eva", "Exitcoach"),
            ("burgemeester", "Gemeente Lindeveld", Role.MAYOR, "Bea", "Burgemeester"),
            ("fg", "Gemeente Lindeveld", Role.PRIVACY_OFFICER, "Frank", "Gegevensbescherming"),
            ("beheer", "Zorg- en Veiligheidshuis Lindeveld", Role.FUNCTIONAL_ADMIN, "Bart", "Beheerder"),
            ("analist", "Gemeente Lindeveld", Role.ANALYST, "Anna", "Analist"),
            ("commissie", "Gemeente Lindeveld", Role.LAWFULNESS_COMMITTEE, "Carla", "Commissielid"),
        ],
    },
    "kustland": {
        "name": "Regio Kustland (fictief)",
        "organisations": [
            ("zvh", "Zorg- en Veiligheidshuis Kustland"),
            ("gemeente", "Gemeente Kustland"),
            ("politie", "Politie eenheid Kustland, team PGA"),
            ("om", "OM arrondissementsparket Kustland"),
            ("reclassering", "Reclassering Kustland"),
            ("ind", "Immigratie- en Naturalisatiedienst"),
        ],
        "users": [
            ("intake", "Gemeente Kustland", Role.INTAKE_OFFICER, "Karin", "Kustintake"),
            ("weeg.gemeente", "Gemeente Kustland", Role.WEIGHING_MEMBER, "Kees", "Kustgemeente"),
            ("weeg.politie", "Politie eenheid Kustland, team PGA", Role.WEIGHING_MEMBER, "Kim", "Kustpolitie"),
            ("weeg.om", "OM arrondissementsparket Kustland", Role.WEIGHING_MEMBER, "Koen", "Kustofficier"),
            ("casusregisseur", "Zorg- en Veiligheidshuis Kustland", Role.CASE_DIRECTOR, "Kaat", "Kustregie"),
            ("commissie", "Gemeente Kustland", Role.LAWFULNESS_COMMITTEE, "Kai", "Kustcommissie"),
        ],
    },
}

GIVEN = [
    "Daan",
    "Sem",
    "Lucas",
    "Milan",
    "Noah",
    "Yara",
    "Lotte",
    "Sara",
    "Noor",
    "Emma",
    "Bram",
    "Thijs",
    "Ruben",
    "Fenna",
    "Jesse",
    "Mila",
    "Luuk",
    "Sven",
    "Iris",
    "Tess",
]
FAMILY = [
    "de Vries-Testpersoon",
    "Jansen-Fictief",
    "van Dijk-Demo",
    "Bakker-Voorbeeld",
    "Visser-Proef",
    "Smit-Oefen",
    "Meijer-Demo",
    "de Boer-Fictief",
    "Mulder-Test",
    "de Groot-Voorbeeld",
]
FACTS = [
    "Deelt in een besloten online groep teksten die geweld tegen een bevolkingsgroep verheerlijken.",
    "Heeft op school aangekondigd ‘iets groots’ te gaan doen; docent maakte melding.",
    "Is herhaaldelijk gezien bij bijeenkomsten van een groep die oproept tot geweld tegen de overheid.",
    "Zoekt online naar instructies voor het maken van wapens; melding van familielid.",
    "Heeft contact met een persoon die is veroordeeld voor een terroristisch misdrijf.",
]


#: Wet PGA art. 17: demo staff whose duty of secrecy follows from office or profession (the
#: account administration's flag): politie and OM (ambtelijke geheimhoudingsplicht), care
#: professionals (beroepsgeheim). Everyone else acknowledges the art. 17 text at first login.
SECRECY_DUTY_KINDS = {OrganisationKind.POLITIE, OrganisationKind.OM, OrganisationKind.GGZ}


def _user_key(region_code: str, key: str) -> str:
    return f"{key}.{region_code}"


#: Fictional gemeentecodes (the CBS has no 99xx codes): the reports break figures down by the
#: gemeente van verblijf through these codes (reporting.scope, ADR 0039), and the meldpunt's
#: per-gemeente pages use them in their address.
DEMO_MUNICIPALITY_CODES = {
    "Gemeente Lindeveld": "9901",
    "Gemeente Oosterwaarde": "9902",
    "Gemeente Bremhaven": "9903",
    "Gemeente Kustland": "9911",
}


@transaction.atomic
def _build_region(code: str, spec: dict) -> Region:
    region = Region.objects.create(code=code, name=spec["name"])
    orgs = {
        name: Organisation.objects.create(
            region=region, kind=kind, name=name, municipality_code=DEMO_MUNICIPALITY_CODES.get(name, "")
        )
        for kind, name in spec["organisations"]
    }
    for key, org_name, role, first, last in spec["users"]:
        user = User(
            username=_user_key(code, key),
            first_name=first,
            last_name=last,
            organisation=orgs[org_name],
            role=role,
            is_demo=True,
            has_other_secrecy_duty=orgs[org_name].kind in SECRECY_DUTY_KINDS,
            email=f"{key}.{code}@demo.casustafel.example",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        ensure_totp_device(user)
    return region


#: Wet PGA art. 13 lid 1: the purpose each demo role is designated for; every other role
#: carries out the processing (a).
DEMO_DESIGNATION_PURPOSES = {
    Role.PRIVACY_OFFICER: DesignationPurpose.LAWFULNESS_REVIEW,
    Role.LAWFULNESS_COMMITTEE: DesignationPurpose.LAWFULNESS_REVIEW,
    Role.FUNCTIONAL_ADMIN: DesignationPurpose.SYSTEM_SUPPORT,
}
DEMO_DESIGNATED_FROM = date(2025, 7, 1)


def _designate_demo_users() -> None:
    """Every demo user without a designation gets one by their organisation (art. 12 lid 3, 13),
    from the day the Wet PGA applies, open-ended; private participants state "no commercial
    tasks". Idempotent, and it also designates demo users loaded before the register existed."""
    for user in User.objects.filter(is_demo=True, designations__isnull=True).select_related("organisation"):
        if user.organisation_id is None:
            continue
        designate(
            None,
            user=user,
            purpose=DEMO_DESIGNATION_PURPOSES.get(user.role, DesignationPurpose.PROCESSING),
            valid_from=DEMO_DESIGNATED_FROM,
            designated_by=f"Teamleider {user.organisation.name} (demo)",
            no_commercial_tasks=is_private_participant_kind(user.organisation.kind),
        )


#: The legal basis each core party's demo contribution is shared on.
DEMO_BASES = {"gemeente": "wet-pga", "politie": "wpg-20", "om": "wjsg-39f"}


def _contribution(framework_criteria, view: str, rng: random.Random, legal_basis: str = "wet-pga") -> ContributionData:
    return ContributionData(
        holds_information=rng.random() > 0.25,
        information="Eigen registraties bevestigen de zorgen (fictief).",
        view=view,
        view_rationale="Signalen zijn in samenhang zorgelijk (fictief).",
        assessments={
            c.code: (
                rng.choice([Assessment.PRESENT, Assessment.PARTLY, Assessment.UNKNOWN]),
                "Onderbouwing op basis van gedrag (fictief).",
            )
            for c in framework_criteria
        },
        legal_basis=legal_basis,
    )


def _populate(code: str, count: int) -> None:
    rng = random.Random(f"casustafel-demo-{code}")
    users = {u.username.split(f".{code}")[0]: u for u in User.objects.filter(username__endswith=f".{code}")}
    intake, weighers = users["intake"], [users["weeg.gemeente"], users["weeg.politie"], users["weeg.om"]]
    director = users["casusregisseur"]
    # Participants of art. 3 lid 1 join at opening; third parties (art. 3 lid 3) after it, by the three.
    partners = list(Organisation.objects.filter(region__code=code, kind__in=["reclassering", "rvdk"]))
    third = list(Organisation.objects.filter(region__code=code, kind__in=["ggz", "wijkteam", "lse_exit"]))
    municipalities = list(Organisation.objects.filter(region__code=code, kind=OrganisationKind.GEMEENTE))
    # The fate of each synthetic person, so every state is represented.
    plan = [
        "received",
        "in_preparation",
        "in_weighing",
        "partial",
        "more_information",
        "referred",
        "no_action",
        "active",
        "active",
        "scaled_down",
        "closed",
        "reopened",
        "acute",
        "joined",
    ]
    for i in range(count):
        fate = plan[i % len(plan)]
        subject = SubjectData(
            given_names=GIVEN[i % len(GIVEN)],
            family_name=FAMILY[(i * 3) % len(FAMILY)],
            date_of_birth=date(1975, 1, 1) + timedelta(days=rng.randint(0, 365 * 32)),
            gender=rng.choice(["man", "man", "vrouw", "anders"]),
            municipality=rng.choice(municipalities).name.replace("Gemeente ", ""),
        )
        fields = dict(
            source_type=rng.choice(SourceType.values),
            phenomenon=rng.choice(Phenomenon.values),
            facts=rng.choice(FACTS),
            opinions="Melder vermoedt radicalisering (mening).",
            counter_indications="Heeft een stabiele baan." if rng.random() > 0.5 else "",
            online_component=rng.random() > 0.4,
            urgency=Urgency.ACUTE if fate == "acute" else rng.choice([Urgency.NORMAL, Urgency.HIGH]),
            legal_basis="wet-pga",
        )
        signal = register_signal(intake, subject=subject, fields=fields).signal
        if fate == "received":
            continue
        if fate == "in_preparation":
            start_preparation(intake, signal=signal, reason="Volledigheid controleren")
            continue
        if signal.status != "in_weighing":
            signal = send_to_weighing(intake, signal=signal)
        if fate in ("in_weighing", "acute"):
            continue
        weighing = signal.weighing
        criteria = list(weighing.framework.criteria.all())
        if fate == "joined":
            # A second signal about the same person joins the open weighing.
            register_signal(intake, subject=subject, fields={**fields, "facts": FACTS[(i + 1) % len(FACTS)]})
            continue
        contributors = weighers[:2] if fate == "partial" else weighers
        outcome = {
            "more_information": Outcome.MORE_INFORMATION,
            "referred": Outcome.REFER,
            "no_action": Outcome.NO_ACTION,
        }.get(fate, Outcome.INCLUDE)
        for weigher in contributors:
            submit_contribution(
                weigher,
                weighing=weighing,
                data=_contribution(criteria, outcome, rng, DEMO_BASES[weigher.organisation.kind]),
            )
        if fate == "partial":
            continue
        decision = decide_jointly(
            weighers[0],
            weighing=weighing,
            data=DecisionData(
                outcome=outcome,
                rationale="Gezamenlijk besluit van de weegploeg (fictief).",
                referral_target=ReferralTarget.REGULAR_CARE if outcome == Outcome.REFER else "",
                information_deadline=timezone.localdate() + timedelta(days=21)
                if outcome == Outcome.MORE_INFORMATION
                else None,
                case_director=director if outcome == Outcome.INCLUDE else None,
                participants=[(rng.choice(partners), "Betrokken bij begeleiding (fictief)")] if partners else [],
            ),
        )
        if outcome != Outcome.INCLUDE:
            continue
        case = decision.case
        if partners and rng.random() > 0.5:
            extra = [p for p in partners if not case.participants.filter(organisation=p).exists()]
            if extra:
                add_participant(
                    director, case=case, organisation=extra[0], reason="Aanvullende ondersteuning (fictief)"
                )
        if third and rng.random() > 0.4:
            partner = rng.choice(third)
            admit_jointly(
                weighers[0],
                case=case,
                organisation=partner,
                expertise="Begeleiding bij deradicalisering en zorg (fictief).",
                necessary_data=["identifying", "plan_of_action"] if rng.random() > 0.3 else ["plan_of_action"],
            )
            if fate == "active":
                _partner_contributes(director, case, partner)
        if fate in ("scaled_down", "closed", "reopened"):
            transition_case(director, case=case, target=case_states.SCALED_DOWN, reason="Gaat de goede kant op")
        if fate in ("closed", "reopened"):
            transition_case(
                director,
                case=case,
                target=case_states.CLOSED,
                reason="Doelen bereikt",
                closure_reason=ClosureReason.GOALS_REACHED,
            )
        if fate == "reopened":
            transition_case(director, case=case, target=case_states.REOPENED, reason="Nieuwe zorgen na afsluiting")
    _raise_policy_signals(director, code)
    _populate_two_ways_in(intake, municipalities[0].name.replace("Gemeente ", ""))
    if "beheer" in users:
        _meldpunt_pages(users["beheer"], municipalities)


def _meldpunt_pages(admin: User, municipalities: list[Organisation]) -> None:
    """Each demo gemeente's page of the public meldpunt (Wet PGA art. 5 lid 2, ADR 0044)."""
    for organisation in municipalities:
        name = organisation.name.replace("Gemeente ", "")
        save_gemeente_page(
            admin,
            organisation=organisation,
            code=slugify(name),
            intro_text=f"Maakt u zich zorgen over iemand in {name} die radicaliseert? Laat het de burgemeester weten.",
            contact_details=f"Team Veiligheid gemeente {name} (fictief), 14 0{organisation.municipality_code or '000'}",
        )


#: Policy signals of the demo (issue 13 item 6): bottlenecks for policy, without personal data (and
#: without 'fictief': the demo's family names contain it, and a signal may not name a person).
DEMO_POLICY_SIGNALS = (
    ("capacity", "Wachtlijst voor ambulante begeleiding bij deradicalisering loopt op tot veertien weken."),
    ("missing_intervention", "Geen passend aanbod voor online radicaliserende jongeren in kleine gemeenten."),
    ("legal_obstacle", "Onduidelijk of een school zonder toestemming mag aansluiten bij het casusoverleg."),
)


def _raise_policy_signals(director: User, code: str) -> None:
    case = Case.objects.filter(region__code=code, status=case_states.ACTIVE).order_by("opened_at").first()
    if case is not None:
        for category, text in DEMO_POLICY_SIGNALS:
            raise_signal(director, category=category, description=text, case=case)


#: The measure a third party of the demo carries out (issue 12: partners record its delivery).
PARTNER_MEASURES = {"ggz": "zorg_ggz", "wijkteam": "huisvesting", "lse_exit": "exit_faciliteit"}


def _partner_contributes(director: User, case: Case, partner: Organisation) -> None:
    """The partner's intervention in the plan, a contact it recorded and an update in the case journal."""
    code = PARTNER_MEASURES.get(partner.kind)
    worker = User.objects.filter(organisation=partner, role=Role.PARTICIPANT).first()
    if code is None or worker is None:
        return
    today = timezone.localdate()
    intervention = plan_services.add_intervention(
        director,
        case=case,
        entry_code=code,
        organisation=partner,
        starts_on=today - timedelta(days=30),
        planned_end=today + timedelta(days=150),
        planned_sessions=8,
    )
    plan_services.log_contact(
        worker,
        case=case,
        intervention_id=intervention.pk,
        on=today - timedelta(days=7),
        held=True,
        note="Kennismakingsgesprek gevoerd (fictief).",
    )
    journal_services.add_entry(
        worker,
        case=case,
        text="Begeleiding gestart; de afspraken lopen (fictief).",
        legal_basis="wet-pga",
        classification="ordinary",
        visibility="all_participants",
    )


def _populate_two_ways_in(intake: User, municipality: str) -> None:
    """A legal person (Wet PGA art. 2) and an anonymous melding by anyone (art. 5 lid 2)."""
    fields = dict(
        source_type=SourceType.CITIZEN,
        phenomenon=Phenomenon.RIGHT_WING,
        facts="Organiseert bijeenkomsten waar tot geweld wordt opgeroepen (fictief).",
        legal_basis="wet-pga",
    )
    register_signal(
        intake,
        subject=SubjectData(
            kind="legal_person",
            legal_name="Stichting Fictief Verbond",
            kvk_number="90000001",
            rsin="111222333",
            establishment_place=municipality,
            municipality=municipality,
        ),
        fields=fields,
    )
    register_signal(
        intake,
        subject=SubjectData(
            given_names="Noor",
            family_name="Meldingsvoorbeeld",
            date_of_birth=date(1998, 5, 17),
            gender="vrouw",
            municipality=municipality,
        ),
        fields={**fields, "intake_route": "report", "reporter_kind": "anonymous", "addressed_to": "police"},
    )


def load_demo() -> list[dict]:
    """Create the demo regions that do not exist yet; return every demo user."""
    for code, spec in REGIONS.items():
        if not Region.objects.filter(code=code).exists():
            region = _build_region(code, spec)
            with rls.regions(region.pk):  # the demo table's own rows only (row-level security)
                _populate(code, 36 if code == "lindeveld" else 10)
    _designate_demo_users()
    return [
        {
            "username": u.username,
            "name": u.display_name,
            "organisation": u.organisation.name,
            "region": u.organisation.region.name,
            "role": u.get_role_display(),
            "password": DEMO_PASSWORD,
        }
        for u in User.objects.filter(is_demo=True, organisation__region__code__in=list(REGIONS))
        .select_related("organisation__region")
        .order_by("organisation__region__name", "username")
    ]


def decide_jointly(proposer: User, *, weighing: Weighing, data: DecisionData) -> Decision:
    """The weegploeg decides as the law asks (art. 5 lid 3 Wet PGA): one member proposes, a
    weighing member of each other core party of the region confirms. Used for demo data and tests."""
    decision = propose_decision(proposer, weighing=weighing, data=data)
    for kind in WEIGHING_PARTIES:
        if kind == proposer.organisation.kind:
            continue
        confirmer = (
            User.objects.filter(
                organisation__region_id=weighing.region_id,
                organisation__kind=kind,
                role=Role.WEIGHING_MEMBER,
                is_active=True,
            )
            .order_by("pk")
            .first()
        )
        decision = confirm_decision(confirmer, decision=decision, agrees=True)
    return decision


def admit_jointly(
    proposer: User, *, case: Case, organisation: Organisation, expertise: str, necessary_data: list[str]
) -> ThirdPartyAdmission:
    """The three let a third party take part in one case (art. 3 lid 3 Wet PGA): a weighing
    member proposes, a weighing member of each other core party agrees. Demo data and tests."""
    admission = propose_third_party(
        proposer,
        case=case,
        organisation=organisation,
        expertise=expertise,
        plan_roles=[PlanRole.CARRYING_OUT],
        necessary_data=necessary_data,
    )
    for kind in WEIGHING_PARTIES:
        if admission.confirmations.filter(party=kind).exists():
            continue
        confirmer = (
            User.objects.filter(
                organisation__region_id=case.region_id,
                organisation__kind=kind,
                role=Role.WEIGHING_MEMBER,
                is_active=True,
            )
            .order_by("pk")
            .first()
        )
        admission = confirm_third_party(confirmer, admission=admission, agrees=True)
    return admission
