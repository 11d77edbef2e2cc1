"""Regions, organisations, users and their second factor, designation and art. 17 acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password

from casustafel.accounts.models import (
    AuthenticatorDevice,
    ConfidentialityAcknowledgement,
    ConfidentialityText,
    Designation,
    DesignationPurpose,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
    is_private_participant_kind,
)
from casustafel.core import identity
from casustafel.demo import DEMO_DESIGNATED_FROM, DEMO_DESIGNATION_PURPOSES, DEMO_PASSWORD, SECRECY_DUTY_KINDS

from .plan import Plan, Stream, gemeente_names, region_names, spread

K = OrganisationKind

#: Organisations of every region besides its gemeenten: (kind, name pattern, participant users).
PARTNERS = (
    (K.ZVH, "Zorg- en Veiligheidshuis {r}", 0),
    (K.POLITIE, "Politie eenheid {r}, team PGA", 0),
    (K.OM, "OM arrondissementsparket {r}", 0),
    (K.RECLASSERING, "Reclassering {r}", 3),
    (K.RVDK, "Raad voor de Kinderbescherming {r}", 2),
    (K.JEUGDBESCHERMING, "Jeugdbescherming {r}", 2),
    (K.GGZ, "GGZ {r}", 3),
    (K.WIJKTEAM, "Wijkteams {r}", 3),
    (K.WERK_INKOMEN, "Werk & Inkomen {r}", 1),
    (K.ONDERWIJS, "Onderwijsteam {r}", 1),
    (K.LSE_EXIT, "Landelijk Steunpunt Extremisme ({r})", 2),
    (K.IND, "Immigratie- en Naturalisatiedienst ({r})", 1),
)


@dataclass
class RegionData:
    region: Region
    organisations: list[Organisation] = field(default_factory=list)
    gemeenten: list[Organisation] = field(default_factory=list)
    users: list[User] = field(default_factory=list)

    def org(self, kind: str) -> Organisation:
        return next(o for o in self.organisations if o.kind == kind)

    def orgs(self, *kinds: str) -> list[Organisation]:
        return [o for o in self.organisations if o.kind in kinds]

    def users_with(self, role: str, kind: str | None = None) -> list[User]:
        return [
            u
            for u in self.users
            if u.role == role and (kind is None or self._kind[u.organisation_id] == kind)  # type: ignore[attr-defined]
        ]

    def index(self) -> None:
        self._kind = {o.pk: o.kind for o in self.organisations}


def _staff(region: RegionData, stream: Stream) -> list[tuple[Organisation, str]]:
    """(organisation, role) of every user of a region: about 80 per region, 2,000 nationally."""
    zvh, politie, om = region.org(K.ZVH), region.org(K.POLITIE), region.org(K.OM)
    first = region.gemeenten[0]
    staff: list[tuple[Organisation, str]] = []
    for gemeente in region.gemeenten:
        staff += [(gemeente, Role.INTAKE_OFFICER), (gemeente, Role.MAYOR)]
    staff += [(region.gemeenten[i % len(region.gemeenten)], Role.WEIGHING_MEMBER) for i in range(3)]
    staff += [(politie, Role.WEIGHING_MEMBER)] * 3 + [(om, Role.WEIGHING_MEMBER)] * 2
    staff += [(zvh, Role.PROCESS_DIRECTOR)] * 2 + [(zvh, Role.CASE_DIRECTOR)] * 9 + [(zvh, Role.FUNCTIONAL_ADMIN)] * 2
    staff += [(first, Role.PRIVACY_OFFICER), (zvh, Role.PRIVACY_OFFICER), (first, Role.ANALYST), (zvh, Role.ANALYST)]
    staff += [(first, Role.LAWFULNESS_COMMITTEE)] * 3
    for kind, _pattern, participants in PARTNERS:
        staff += [(region.org(kind), Role.PARTICIPANT)] * participants
    staff += [(politie, Role.PARTICIPANT)] * 2 + [(om, Role.PARTICIPANT)]
    return staff


def build(plan: Plan) -> list[RegionData]:
    stream = plan.stream("accounts")
    names = region_names(plan.regions)
    gemeenten = iter(gemeente_names(plan.gemeenten, stream))
    regions: list[RegionData] = []
    code_number = 9000  # fictional gemeentecodes (the CBS has no 9xxx codes; the region demo uses 99xx)
    for (code, name), count in zip(names, spread(plan.gemeenten, plan.regions), strict=True):
        data = RegionData(Region(id=stream.uuid(), code=code, name=name))
        short = name.removeprefix("Regio ").split(" (")[0]
        for _ in range(count):
            data.gemeenten.append(
                Organisation(
                    id=stream.uuid(),
                    region=data.region,
                    kind=K.GEMEENTE,
                    name=f"Gemeente {next(gemeenten)}",
                    municipality_code=str(code_number),
                )
            )
            code_number += 1
        data.organisations = [
            *data.gemeenten,
            *(
                Organisation(id=stream.uuid(), region=data.region, kind=k, name=p.format(r=short))
                for k, p, _n in PARTNERS
            ),
        ]
        data.index()
        regions.append(data)
    password = make_password(DEMO_PASSWORD)  # one hash for all: 2,000 PBKDF2 runs would take minutes
    for number, data in enumerate(regions, start=1):
        for i, (organisation, role) in enumerate(_staff(data, stream)):
            given = stream.choice(("Anouk", "Bas", "Chantal", "Dirk", "Esther", "Frits", "Greet", "Hans", "Ilse"))
            data.users.append(
                User(
                    username=f"{role}.{i:03d}.r{number:02d}",
                    first_name=given,
                    last_name=f"Medewerker-{number:02d}{i:03d}",
                    organisation=organisation,
                    role=role,
                    is_demo=True,
                    has_other_secrecy_duty=organisation.kind in SECRECY_DUTY_KINDS,
                    email=f"{role}.{i:03d}.r{number:02d}@landelijk.demo.casustafel.example",
                    password=password,
                    date_joined=plan.start,
                )
            )
    return regions


def write(plan: Plan, regions: list[RegionData]) -> None:
    Region.objects.bulk_create([d.region for d in regions])
    Organisation.objects.bulk_create([o for d in regions for o in d.organisations], batch_size=1000)
    users = User.objects.bulk_create([u for d in regions for u in d.users], batch_size=1000)
    stream = plan.stream("devices")
    AuthenticatorDevice.objects.bulk_create(
        [
            AuthenticatorDevice(
                user=u, name="authenticator", confirmed=True, key_encrypted=identity.encrypt(stream.hex(40))
            )
            for u in users
        ],
        batch_size=1000,
    )
    kinds = {o.pk: o for d in regions for o in d.organisations}
    Designation.objects.bulk_create(
        [
            Designation(
                user=u,
                organisation_id=u.organisation_id,
                purpose=DEMO_DESIGNATION_PURPOSES.get(u.role, DesignationPurpose.PROCESSING),
                valid_from=DEMO_DESIGNATED_FROM,
                designated_by=f"Teamleider {kinds[u.organisation_id].name} (demo)",
                no_commercial_tasks=is_private_participant_kind(kinds[u.organisation_id].kind),
                recorded_at=plan.start,
            )
            for u in users
        ],
        batch_size=1000,
    )
    text = ConfidentialityText.objects.filter(valid_from__lte=plan.today).order_by("-valid_from", "-version").first()
    if text is not None:  # art. 17: acknowledged this year, so a benchmark login is not interrupted
        moment = plan.now - timedelta(days=30)  # within the year an acknowledgement holds
        ConfidentialityAcknowledgement.objects.bulk_create(
            [
                ConfidentialityAcknowledgement(id=stream.uuid(), user=u, text=text, acknowledged_at=moment)
                for u in users
                if not u.has_other_secrecy_duty
            ],
            batch_size=1000,
        )
