"""What a report is about: a gemeente, a region (casustafel) or the nation.

Who may report on what is decided by ``casustafel.access.policy.can_report_on`` (the one place);
this module only lists and checks. A gemeente is the municipality of residence of the counted
unit: its code is the ``municipality_code`` of a gemeente organisation of the region; units
without a known gemeente count in the region under :data:`UNKNOWN_GEMEENTE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from casustafel.access import policy
from casustafel.accounts.models import Organisation, OrganisationKind, Region

GEMEENTE = "gemeente"
REGION = "region"
NATION = "nation"
KINDS = (GEMEENTE, REGION, NATION)
#: The gemeente code under which units without a known gemeente of the region are counted.
UNKNOWN_GEMEENTE = "onbekend"


def _prefixed(pattern: str, name: str) -> str:
    """ "Gemeente Lindeveld", not "Gemeente Gemeente Lindeveld": the kind only when the name lacks it."""
    kind = pattern.split("%(name)s")[0].strip()
    return name if name.lower().startswith(kind.lower()) else pattern % {"name": name}


@dataclass(frozen=True)
class Scope:
    kind: str
    region_id: Any = None
    gemeente_code: str | None = None
    #: The display name (region or gemeente); not part of the identity.
    name: str = field(default="", compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown scope kind {self.kind!r}")
        if (self.kind == NATION) != (self.region_id is None):
            raise ValueError("a nation scope has no region, the others have one")
        if (self.kind == GEMEENTE) != bool(self.gemeente_code):
            raise ValueError("only a gemeente scope has a gemeente code")

    @property
    def label(self) -> str:
        if self.kind == NATION:
            return gettext("Landelijk")
        if self.kind == REGION:
            return _prefixed(gettext("Regio %(name)s"), self.name or str(self.region_id))
        return _prefixed(gettext("Gemeente %(name)s"), self.name or str(self.gemeente_code))

    @property
    def code(self) -> str:
        """A stable, non-personal identifier for forms and URLs."""
        if self.kind == NATION:
            return NATION
        if self.kind == REGION:
            return f"{REGION}:{self.region_id}"
        return f"{GEMEENTE}:{self.region_id}:{self.gemeente_code}"

    @classmethod
    def region(cls, region: Region) -> Scope:
        return cls(REGION, region.pk, name=region.name)

    @classmethod
    def gemeente(cls, region: Region, code: str) -> Scope:
        name = (
            Organisation.objects.filter(region=region, kind=OrganisationKind.GEMEENTE, municipality_code=code)
            .values_list("name", flat=True)
            .first()
        )
        return cls(GEMEENTE, region.pk, code, name=name or code)

    @classmethod
    def nation(cls) -> Scope:
        return cls(NATION)


def gemeente_codes(region_id: Any) -> list[str]:
    """The gemeente codes of a region, sorted, without :data:`UNKNOWN_GEMEENTE`."""
    return sorted(
        set(
            Organisation.objects.filter(region_id=region_id, kind=OrganisationKind.GEMEENTE)
            .exclude(municipality_code="")
            .values_list("municipality_code", flat=True)
        )
    )


def scopes_for(user: Any) -> list[Scope]:
    """The scopes ``user`` may report on: their region, its gemeenten, and the nation."""
    if not policy.can_view_reports(user):
        return []
    region = user.organisation.region
    result = []
    if policy.can_report_on(user, REGION, region.pk):
        result.append(Scope.region(region))
    if policy.can_report_on(user, GEMEENTE, region.pk):
        names = dict(
            Organisation.objects.filter(region=region, kind=OrganisationKind.GEMEENTE)
            .exclude(municipality_code="")
            .values_list("municipality_code", "name")
        )
        result += [Scope(GEMEENTE, region.pk, code, name=names[code]) for code in sorted(names, key=names.get)]
    if policy.can_report_on(user, NATION, None):
        result.append(Scope.nation())
    return result


def check(user: Any, scope: Scope) -> None:
    """Raise PermissionDenied unless ``user`` may report on ``scope``."""
    if not policy.can_report_on(user, scope.kind, scope.region_id):
        raise PermissionDenied(gettext("U mag over dit gebied niet rapporteren."))


def parse(code: str) -> Scope:
    """The scope of a :attr:`Scope.code`; ValueError when unknown."""
    parts = (code or "").split(":")
    if parts == [NATION]:
        return Scope.nation()
    try:
        region = Region.objects.get(pk=parts[1])
    except (IndexError, ValueError, ValidationError, Region.DoesNotExist) as error:
        raise ValueError("unknown scope") from error
    if parts[0] == REGION and len(parts) == 2:
        return Scope.region(region)
    if parts[0] == GEMEENTE and len(parts) == 3 and parts[2] in gemeente_codes(region.pk):
        return Scope.gemeente(region, parts[2])
    raise ValueError("unknown scope")
