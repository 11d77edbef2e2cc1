"""The council and quarterly report pages (raadsrapportage, issue 13 item 3; ADR 0041)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casustafel.core.errors import PolicyDenied
from casustafel.reporting import render as rendering
from casustafel.reporting import scope as scopes
from casustafel.reporting.periods import Quarter

from .forms import CouncilReportForm
from .selectors import council_report

FORM_TEMPLATE = "reporting/council/form.html"


def _report_scopes(user) -> list[scopes.Scope]:
    """The scopes ``user`` may report on; none: the section is not theirs ("Geen toegang")."""
    allowed = scopes.scopes_for(user)
    if not allowed:
        raise PolicyDenied("report.view", _("Alleen wie verantwoording aflegt, maakt rapportages."))
    return allowed


def _refuse_foreign_scope(user, code: str, allowed: list[scopes.Scope]) -> None:
    """A scope that exists but is not the user's (another region, the nation for a process
    director) is refused outright (403), before anything is read; an unknown one is a form error."""
    if code in {scope.code for scope in allowed}:
        return
    try:
        chosen = scopes.parse(code)
    except ValueError:
        return
    scopes.check(user, chosen)


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def council_report_page(request):
    """GET: choose the area and the quarters. POST: the report (or one of its downloads)."""
    user = request.user
    allowed = _report_scopes(user)
    if request.method == "GET":
        current = Quarter.of(timezone.localdate()).code
        form = CouncilReportForm(scopes=allowed, initial={"scope": allowed[0].code, "first": current, "last": current})
        return render(request, FORM_TEMPLATE, {"form": form})
    _refuse_foreign_scope(user, request.POST.get("scope", ""), allowed)
    form = CouncilReportForm(request.POST, scopes=allowed)
    if not form.is_valid():
        return render(request, FORM_TEMPLATE, {"form": form}, status=400)
    data = form.cleaned_data
    output = data["format"]
    report = council_report(
        user, scope=data["scope"], period=data["period"], policy_text=data["policy_text"], export=output != "pagina"
    )
    if output == "csv":
        return _attachment(report.csv(), "text/csv; charset=utf-8", f"{report.file_stem}.csv")
    if output in ("html", "pdf"):
        document = render_to_string("reporting/council/document.html", {"report": report})
        if output == "html":
            return _attachment(document, "text/html; charset=utf-8", f"{report.file_stem}.html")
        pdf = rendering.pdf_from_html(document, base_url=request.build_absolute_uri("/"))
        return _attachment(pdf, "application/pdf", f"{report.file_stem}.pdf")
    return render(request, "reporting/council/report.html", {"report": report, "form": form})
