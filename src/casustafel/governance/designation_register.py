"""The authorisation register (Wet PGA art. 12 lid 3, art. 13; ADR 0029): the region's privacy
officer reads and exports the designations of the region's staff, current and historical, for
an audit. The register is written by the account administration (``casustafel designate``)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casustafel.access import policy
from casustafel.accounts.selectors import designation_register

CSV_HEADER = [
    "organisatie",
    "soort organisatie",
    "gebruikersnaam",
    "naam",
    "doel (art. 13 lid 1)",
    "vanaf",
    "tot en met",
    "aangewezen door",
    "geen commerciële werkzaamheden (art. 12 lid 3)",
    "vastgelegd door",
    "vastgelegd op",
    "geldig op exportdatum",
]


def _is_current(designation, today) -> bool:
    return (
        designation.valid_from <= today
        and (designation.valid_until is None or designation.valid_until >= today)
        and designation.user.organisation_id == designation.organisation_id
    )


@require_GET
def designation_list(request):
    """The register with, per designation, whether it gives access today; a CSV link."""
    policy.require(request.user, policy.Action.DESIGNATION_VIEW)
    today = timezone.localdate()
    rows = [(d, _is_current(d, today)) for d in designation_register(region_id=request.user.region_id)]
    return render(request, "governance/designation_list.html", {"rows": rows, "today": today})


@require_GET
def designation_export(request):
    """The whole register as CSV (current and historical), for an audit (art. 13 lid 1)."""
    policy.require(request.user, policy.Action.DESIGNATION_VIEW)
    today = timezone.localdate()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for d in designation_register(region_id=request.user.region_id):
        writer.writerow(
            [
                d.organisation.name,
                d.organisation.get_kind_display(),
                d.user.username,
                d.user.display_name,
                d.get_purpose_display(),
                d.valid_from.isoformat(),
                d.valid_until.isoformat() if d.valid_until else "",
                d.designated_by,
                "ja" if d.no_commercial_tasks else "nee",
                d.recorded_by.username if d.recorded_by else "accountbeheer (opdrachtregel)",
                timezone.localtime(d.recorded_at).isoformat(timespec="seconds"),
                "ja" if _is_current(d, today) else "nee",
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="autorisatieregister-{today.isoformat()}.csv"'
    return response
