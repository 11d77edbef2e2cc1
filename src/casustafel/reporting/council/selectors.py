"""Reading a council report: the scope checked, the figures built, the generation logged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casustafel.access import rls
from casustafel.accounts.models import Region
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record
from casustafel.reporting import scope as scopes
from casustafel.reporting.periods import Period
from casustafel.reporting.scope import NATION, Scope

from .report import CouncilReport, build

if TYPE_CHECKING:
    from casustafel.accounts.models import User


def council_report(
    actor: User, *, scope: Scope, period: Period, policy_text: str = "", export: bool = False
) -> CouncilReport:
    """The council report of ``scope`` over ``period`` for ``actor``.

    Generating it reads personal data in bulk (every signal, case and plan of the scope), so it
    is recorded in the processing log: one entry per region read, under the processing activity
    'accountability', as a read or — for a download — an export. What leaves is protected
    aggregates only (ADR 0041)."""
    scopes.check(actor, scope)
    regions = list(
        Region.objects.order_by("code") if scope.kind == NATION else Region.objects.filter(pk=scope.region_id)
    )
    # Row-level security scopes a request to the user's own region; the nation's figures are
    # counted over every region (only protected aggregates leave this block).
    with rls.regions(*[region.pk for region in regions]):
        report = build(scope, period, policy_text=policy_text)
    record(actor, action=Action.EXPORT if export else Action.READ, purpose=Purpose.ACCOUNTABILITY, objects=regions)
    return report
