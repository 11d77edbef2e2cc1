"""Pages of the annual report of Wet PGA art. 18 (ADR 0040): the list of the table's reports, a new
(joint) report, the draft with its redaction step, publication, and the publication-ready HTML
page, tagged PDF and CSV. Aggregates only: the analyst reads every page here, never a person."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.core.errors import PolicyDenied
from casustafel.core.web import apply_service_errors
from casustafel.reporting.models import REDACTION_GROUND
from casustafel.reporting.render import pdf_from_html

from . import selectors, services
from .content import content_csv, document_html
from .forms import AnnualReportForm, LeaveOutForm
from .sections import BY_TARGET


@require_GET
def annual_list(request):
    reports = selectors.visible_reports(request.user)
    return render(
        request,
        "reporting/annual/annual_list.html",
        {
            "reports": [(report, selectors.report_regions(report)) for report in reports],
            "can_prepare": policy.can(request.user, policy.Action.ANNUAL_REPORT_PREPARE),
        },
    )


@require_http_methods(["GET", "POST"])
def annual_create(request):
    policy.require(request.user, policy.Action.ANNUAL_REPORT_PREPARE)
    own = policy.organisation_of(request.user).region_id
    form = AnnualReportForm(request.POST or None, initial={"regions": [own]})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                report = services.create_report(
                    request.user, year=form.cleaned_data["year"], regions=list(form.cleaned_data["regions"])
                )
            except PolicyDenied:
                # A table the user does not prepare for: said plainly, nothing written (403).
                form.add_error("regions", _("U stelt alleen een jaarverslag op voor uw eigen casustafel."))
                status = 403
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Het concept van het jaarverslag is aangemaakt."))
                return redirect("reporting:annual_detail", pk=report.pk)
    return render(request, "reporting/annual/annual_form.html", {"form": form}, status=status)


def _detail(request, report, *, leave_out_form=None, errors=(), status=200):
    user = request.user
    content = selectors.report_content(user, report)
    may_prepare = policy.can(user, policy.Action.ANNUAL_REPORT_PREPARE, report)
    regions = selectors.report_regions(report)
    own = policy.organisation_of(user).region_id
    redactions = [(r, BY_TARGET.get(r.target)) for r in report.redactions.all()]
    return render(
        request,
        "reporting/annual/annual_detail.html",
        {
            "report": report,
            "content": content,
            "regions": regions,
            "redactions": redactions,
            "ground": REDACTION_GROUND,
            "errors": errors,
            "may_prepare": may_prepare and report.state == report.DRAFT,
            "may_finish": may_prepare and report.state == report.DRAFT,
            "may_reopen": may_prepare and report.state == report.REDACTED,
            "may_publish": policy.can(user, policy.Action.ANNUAL_REPORT_PUBLISH, report)
            and report.state == report.REDACTED,
            "may_join": policy.can(user, policy.Action.ANNUAL_REPORT_JOIN, report)
            and report.state == report.DRAFT
            and own not in report.joined_region_ids,
            "leave_out_form": leave_out_form or (LeaveOutForm() if may_prepare else None),
        },
        status=status,
    )


@require_GET
def annual_detail(request, pk):
    return _detail(request, selectors.get_report(request.user, pk))


def _write(request, pk, action, write, success):
    """A button on the report page: the policy first, then the service; its refusal on the page (400)."""
    report = selectors.get_report(request.user, pk)
    policy.require(request.user, action, report)
    try:
        write(report)
    except ValidationError as error:
        return _detail(request, selectors.get_report(request.user, pk), errors=error.messages, status=400)
    messages.success(request, success)
    return redirect("reporting:annual_detail", pk=report.pk)


@require_POST
def annual_join(request, pk):
    return _write(
        request,
        pk,
        policy.Action.ANNUAL_REPORT_JOIN,
        lambda report: services.join_report(request.user, report=report),
        _("Uw casustafel doet mee aan dit gezamenlijke jaarverslag."),
    )


@require_POST
def annual_leave_out(request, pk):
    report = selectors.get_report(request.user, pk)
    policy.require(request.user, policy.Action.ANNUAL_REPORT_PREPARE, report)
    form = LeaveOutForm(request.POST)
    if form.is_valid():
        try:
            services.leave_out(
                request.user, report=report, target=form.cleaned_data["target"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Het onderdeel wordt weggelaten, met de reden in het verslag."))
            return redirect("reporting:annual_detail", pk=report.pk)
    return _detail(request, selectors.get_report(request.user, pk), leave_out_form=form, status=400)


@require_POST
def annual_put_back(request, pk):
    report = selectors.get_report(request.user, pk)
    policy.require(request.user, policy.Action.ANNUAL_REPORT_PREPARE, report)
    redaction = report.redactions.filter(pk=_uuid(request.POST.get("redaction"))).first()
    if redaction is None:
        return _detail(request, report, errors=[_("Kies een weggelaten onderdeel.")], status=400)
    return _write(
        request,
        pk,
        policy.Action.ANNUAL_REPORT_PREPARE,
        lambda report: services.put_back(request.user, redaction=redaction),
        _("Het onderdeel staat weer in het verslag."),
    )


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@require_POST
def annual_finish(request, pk):
    return _write(
        request,
        pk,
        policy.Action.ANNUAL_REPORT_PREPARE,
        lambda report: services.finish_redaction(request.user, report=report),
        _("De redactie is afgerond; de burgemeester kan het jaarverslag bekendmaken."),
    )


@require_POST
def annual_reopen(request, pk):
    return _write(
        request,
        pk,
        policy.Action.ANNUAL_REPORT_PREPARE,
        lambda report: services.reopen_redaction(request.user, report=report),
        _("De redactie is heropend."),
    )


@require_POST
def annual_publish(request, pk):
    return _write(
        request,
        pk,
        policy.Action.ANNUAL_REPORT_PUBLISH,
        lambda report: services.publish(request.user, report=report),
        _("Het jaarverslag is bekendgemaakt. Plaats de HTML-pagina of de PDF op internet (art. 18 lid 2 Wet PGA)."),
    )


def _filename(content: dict, extension: str) -> str:
    return f"jaarverslag-{content['year']}.{extension}"


def _download(body, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def annual_html(request, pk):
    content = selectors.report_content(request.user, selectors.get_report(request.user, pk))
    return _download(document_html(content), "text/html; charset=utf-8", _filename(content, "html"))


@require_GET
def annual_pdf(request, pk):
    content = selectors.report_content(request.user, selectors.get_report(request.user, pk))
    pdf = pdf_from_html(document_html(content), base_url=request.build_absolute_uri("/"))
    return _download(pdf, "application/pdf", _filename(content, "pdf"))


@require_GET
def annual_csv(request, pk):
    content = selectors.report_content(request.user, selectors.get_report(request.user, pk))
    return _download(content_csv(content), "text/csv; charset=utf-8", _filename(content, "csv"))
