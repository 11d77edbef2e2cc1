"""The national figures page (issue 13 item 8, Wet PGA art. 24): the figures combined from the
imported regional aggregates, for the analyst — aggregates only, suppressed again after
combining. Reading them reads no personal data (nothing is logged)."""

import csv
import io

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casustafel.reporting.scope import Scope, check
from casustafel.reporting.suppression import LEGEND

from .aggregate import national_figures
from .models import ImportedAggregate


def _year(request) -> tuple[list[int], int | None]:
    years = sorted(set(ImportedAggregate.objects.values_list("year", flat=True)), reverse=True)
    wanted = request.GET.get("jaar", "")
    year = int(wanted) if wanted.isdigit() and int(wanted) in years else (years[0] if years else None)
    return years, year


@require_http_methods(["GET"])
def figures(request):
    check(request.user, Scope.nation())  # the analyst and the functional admin (policy.can_report_on)
    years, year = _year(request)
    facts = national_figures(year) if year else []
    regions = ImportedAggregate.objects.filter(year=year).order_by("region_code") if year else []
    tables = [(fact, *fact.table()) for fact in facts]
    return TemplateResponse(
        request,
        "national/figures.html",
        {"years": years, "year": year, "tables": tables, "regions": regions, "legend": LEGEND},
    )


@require_http_methods(["GET"])
def figures_csv(request):
    check(request.user, Scope.nation())  # the analyst and the functional admin (policy.can_report_on)
    _years, year = _year(request)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Gegeven"), _("Rij"), _("Kolom"), _("Waarde")])
    for fact in national_figures(year) if year else []:
        headers, rows = fact.table()
        for label, cells in rows:
            for header, cell in zip(headers, cells, strict=True):
                writer.writerow([fact.label, label, header, cell.display])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="landelijk-{year or "geen"}.csv"'
    return response
