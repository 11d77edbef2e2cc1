"""Governance pages: ambtsberichten (mayor), transparency and objections (case), access
requests (FG). Reads through selectors, writes through services; refusals are 404."""

from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.cases import selectors as case_selectors
from casustafel.cases.models import Case
from casustafel.core.web import apply_service_errors, submitted
from casustafel.subjects.services import SubjectData, find_known_subject
from casustafel.weighing import selectors as weighing_selectors

from . import audits, informing, selectors, services
from .forms import (
    AccessRequestForm,
    DesignationForm,
    InformingDecisionForm,
    ObjectionForm,
    ObjectionHandleForm,
    PrivacyAuditForm,
    ReleaseSummaryForm,
    RestrictedDocumentForm,
    SentToApForm,
    WithheldForm,
)
from .models import Objection

# ------------------------------------------------------------------ withheld for weighty reasons (art. 4 aanhef)


@require_POST
def weighing_withheld(request, pk):
    """A participant records that it withholds data in this weighing (no content)."""
    weighing = weighing_selectors.get_weighing(request.user, pk)
    policy.require(request.user, policy.Action.WITHHELD_RECORD, weighing)
    form = WithheldForm(request.POST)
    if form.is_valid():
        try:
            services.record_withheld(request.user, subject=weighing.subject, weighing=weighing, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Vastgelegd dat uw organisatie gegevens achterhoudt."))
            return redirect("weighing:weighing_detail", pk=weighing.pk)
    return TemplateResponse(
        request, "governance/withheld_form.html", {"weighing": weighing, "withheld_form": form}, status=400
    )


@require_GET
def withheld_list(request):
    """The table's records of data withheld for weighty reasons: the core parties and the FG."""
    policy.require(request.user, policy.Action.WITHHELD_VIEW)
    return render(request, "governance/withheld_list.html", {"withheld": selectors.withheld_in_region(request.user)})


# ------------------------------------------------------------------ ambtsberichten


@require_GET
def restricted_list(request):
    user = request.user
    documents = list(selectors.readable_documents(user))
    is_mayor = policy.can(user, policy.Action.RESTRICTED_MANAGE)
    if not is_mayor and not documents:
        # Not the mayor nor a designated reader: a section the user cannot use ("Geen toegang").
        policy.require(user, policy.Action.RESTRICTED_MANAGE)
    return render(request, "governance/restricted_list.html", {"documents": documents, "is_mayor": is_mayor})


def _find_subject(region, data):
    return find_known_subject(
        region,
        SubjectData(
            given_names=data["given_names"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            gender="",
            municipality="",
            bsn=data.get("bsn") or "",
        ),
    )


@require_http_methods(["GET", "POST"])
def restricted_create(request):
    policy.require(request.user, policy.Action.RESTRICTED_MANAGE)
    form = RestrictedDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region = request.user.organisation.region
        case = subject = None
        if d["case_reference"]:
            case = Case.objects.filter(region=region, reference=d["case_reference"].strip().upper()).first()
            if case is None:
                form.add_error("case_reference", _("Er is geen casus met dit kenmerk bij uw casustafel."))
        elif d["given_names"] and d["family_name"] and d["date_of_birth"]:
            subject = _find_subject(region, d)
            if subject is None:
                form.add_error(
                    "family_name",
                    _(
                        "Deze persoon is niet bekend bij uw casustafel. Laat eerst een "
                        "signaal registreren (bron: AIVD-ambtsbericht)."
                    ),
                )
        else:
            form.add_error(None, _("Geef het kenmerk van de casus of de gegevens van een bekende persoon."))
        if not form.errors:
            try:
                document = services.register_restricted_document(
                    request.user, content=d["content"], received_at=d["received_at"], subject=subject, case=case
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Ambtsbericht %(ref)s is vastgelegd.") % {"ref": document.reference})
                return redirect("governance:restricted_detail", pk=document.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "governance/restricted_form.html", {"form": form}, status=status)


def _detail_context(request, document, release_form=None, designation_form=None):
    is_mayor = policy.can(request.user, policy.Action.RESTRICTED_MANAGE, document)
    return {
        "document": document,
        "is_mayor": is_mayor,
        "readers": document.designated_readers.select_related("organisation"),
        "release_form": release_form or ReleaseSummaryForm(initial={"released_summary": document.released_summary})
        if is_mayor
        else None,
        "designation_form": designation_form or DesignationForm(region_id=document.region_id) if is_mayor else None,
    }


@require_GET
def restricted_detail(request, pk):
    document = selectors.get_document(request.user, pk)
    return render(request, "governance/restricted_detail.html", _detail_context(request, document))


@require_POST
def restricted_release(request, pk):
    document = selectors.get_document(request.user, pk)
    policy.require(request.user, policy.Action.RESTRICTED_MANAGE, document)
    form = ReleaseSummaryForm(request.POST)
    if form.is_valid():
        try:
            services.release_summary(request.user, document=document, summary=form.cleaned_data["released_summary"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De samenvatting is vrijgegeven voor de casustafel."))
            return redirect("governance:restricted_detail", pk=document.pk)
    return TemplateResponse(
        request, "governance/restricted_detail.html", _detail_context(request, document, release_form=form), status=400
    )


@require_POST
def restricted_designate(request, pk):
    document = selectors.get_document(request.user, pk)
    policy.require(request.user, policy.Action.RESTRICTED_MANAGE, document)
    form = DesignationForm(request.POST, region_id=document.region_id)
    if form.is_valid():
        try:
            services.set_designation(
                request.user,
                document=document,
                user=form.cleaned_data["user"],
                designated=form.cleaned_data["designated"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("De aanwijzing is vastgelegd."))
            return redirect("governance:restricted_detail", pk=document.pk)
    return TemplateResponse(
        request,
        "governance/restricted_detail.html",
        _detail_context(request, document, designation_form=form),
        status=400,
    )


# ------------------------------------------------------------------ transparency and objections


def _informing_form(data=None):
    grounds = informing.grounds_valid_on(timezone.localdate())
    return InformingDecisionForm(data, ground_choices=grounds.choices if grounds else ())


def _handle_form(objection, data=None):
    # One form per objection on the page: ids of their own (issue 12 item 8, the summary links
    # to the right field), the field names unchanged.
    return ObjectionHandleForm(data, auto_id=f"id_objection_{objection.pk.hex[:12]}_%s")


def _case_context(request, case, transparency_form=None, objection_form=None, refused_handle=None):
    can_manage = policy.can(request.user, policy.Action.CASE_MANAGE, case)
    objections = list(case.objections.all())
    for objection in objections:
        if not can_manage:
            objection.handle_form = None
        elif refused_handle is not None and refused_handle.objection_id == objection.pk:
            objection.handle_form = refused_handle
        else:
            objection.handle_form = _handle_form(objection)
    return {
        "case": case,
        "informing": informing.informing_state(request.user, case),
        "objections": objections,
        "can_manage": can_manage,
        "transparency_form": (transparency_form or _informing_form()) if can_manage else None,
        "objection_form": (objection_form or ObjectionForm()) if can_manage else None,
    }


@require_http_methods(["GET", "POST"])
def case_transparency(request, pk):
    """Informing the person (Wet PGA art. 11, ADR 0010, revision 2026-11-30) and objections: the history of decisions
    for the participants of art. 3 lid 1; a new decision by the case's managers."""
    case = case_selectors.get_case(request.user, pk)
    # Art. 3 lid 3: transparency and objections are for the participants, not a third party.
    policy.require(request.user, policy.Action.CASE_PARTICIPANT_VIEW, case)
    if request.method == "GET":
        return render(request, "governance/case_transparency.html", _case_context(request, case))
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = _informing_form(request.POST)
    if form.is_valid():
        try:
            informing.record_informing_decision(request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Het besluit over het informeren van de betrokkene is vastgelegd."))
            return redirect("governance:case_transparency", pk=case.pk)
    return TemplateResponse(
        request, "governance/case_transparency.html", _case_context(request, case, transparency_form=form), status=400
    )


@require_POST
def objection_create(request, pk):
    case = case_selectors.get_case(request.user, pk)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.register_objection(request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Het bezwaar is geregistreerd."))
            return redirect("governance:case_transparency", pk=case.pk)
    return TemplateResponse(
        request, "governance/case_transparency.html", _case_context(request, case, objection_form=form), status=400
    )


@require_POST
def objection_handle(request, pk):
    try:
        objection = Objection.objects.select_related("case").get(pk=pk)
    except Objection.DoesNotExist:
        raise Http404 from None
    case = case_selectors.get_case(request.user, objection.case_id)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    form = _handle_form(objection, request.POST)
    if form.is_valid():
        try:
            services.handle_objection(
                request.user,
                objection=objection,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["outcome_rationale"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Het bezwaar is afgehandeld."))
            return redirect("governance:case_transparency", pk=case.pk)
    # Refused: the page again, with the summary and the messages at this objection's fields.
    form.objection_id = objection.pk
    return TemplateResponse(
        request, "governance/case_transparency.html", _case_context(request, case, refused_handle=form), status=400
    )


# ------------------------------------------------------------------ access requests (FG)


@require_http_methods(["GET", "POST"])
def access_request_list(request):
    policy.require(request.user, policy.Action.ACCESS_REQUEST_HANDLE)
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subject = _find_subject(request.user.organisation.region, form.cleaned_data)
        if subject is None:
            form.add_error(
                None,
                _(
                    "Over deze persoon zijn bij deze casustafel geen gegevens bekend. "
                    "Antwoord dat er geen gegevens worden verwerkt."
                ),
            )
        else:
            try:
                access_request = services.register_access_request(
                    request.user,
                    subject=subject,
                    received_on=form.cleaned_data["received_on"],
                    exempted_references=form.references(),
                    exemption_ground=form.cleaned_data["exemption_ground"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("Inzageverzoek %(ref)s is geregistreerd.") % {"ref": access_request.reference}
                )
                return redirect("governance:access_request_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "governance/access_requests.html",
        {"form": form, "requests": selectors.visible_access_requests(request.user)},
        status=status,
    )


CSV_SECTIONS = ("signals", "weighing_contributions", "decisions", "cases", "restricted_documents", "processing_log")


@require_GET
def access_request_export(request, pk):
    access_request = selectors.get_access_request(request.user, pk)
    export = selectors.access_request_export(request.user, access_request)
    if request.GET.get("formaat") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["onderdeel", "kenmerk", "uitgezonderd", "gegevens"])
        for section in CSV_SECTIONS:
            for row in export[section]:
                writer.writerow(
                    [
                        section,
                        row.get("reference", ""),
                        "ja" if row.get("withheld") else "nee",
                        json.dumps(row, ensure_ascii=False, default=str),
                    ]
                )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{access_request.reference}.csv"'
        return response
    response = HttpResponse(
        json.dumps(export, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{access_request.reference}.json"'
    return response


# ------------------------------------------------------------------ privacy audits (Wet PGA art. 16)


@require_GET
def audit_list(request):
    """The table's privacy audits, the re-audits due and what the AMvB must still settle: the FG."""
    policy.require(request.user, policy.Action.AUDIT_MANAGE)
    current = audits.parts_valid_on(timezone.localdate())
    return render(
        request,
        "governance/audit_list.html",
        {
            "audits": audits.audits_in_region(request.user),
            "reaudits": audits.open_reaudits(request.user),
            "pending_amvb": current.pending_amvb if current else None,
        },
    )


@require_http_methods(["GET", "POST"])
def audit_create(request):
    """Record a privacy audit with a result per part (art. 16 lid 1); failed parts get a re-audit."""
    policy.require(request.user, policy.Action.AUDIT_MANAGE)
    current = audits.parts_valid_on(timezone.localdate())
    form = PrivacyAuditForm(request.POST or None, parts=current.parts if current else ())
    status = 200
    if request.method == "POST":
        status = 400
        created = []

        def write(data):
            created.append(
                audits.record_audit(
                    request.user,
                    audited_on=data["audited_on"],
                    scope=data["scope"],
                    auditor=data["auditor"],
                    results=form.results(),
                )
            )

        if submitted(form, write):
            messages.success(request, _("Privacy-audit %(ref)s is vastgelegd.") % {"ref": created[0].reference})
            return redirect("governance:audit_detail", pk=created[0].pk)
    return TemplateResponse(request, "governance/audit_form.html", {"form": form}, status=status)


def _audit_detail(request, audit, form, status=200):
    return TemplateResponse(
        request,
        "governance/audit_detail.html",
        {"audit": audit, "results": audits.labelled_results(audit), "form": form},
        status=status,
    )


@require_GET
def audit_detail(request, pk):
    audit = audits.get_audit(request.user, pk)
    return _audit_detail(request, audit, SentToApForm(initial={"sent_on": timezone.localdate()}))


@require_POST
def audit_sent(request, pk):
    """Record that the results went to the Autoriteit Persoonsgegevens (art. 16 lid 2)."""
    audit = audits.get_audit(request.user, pk)
    policy.require(request.user, policy.Action.AUDIT_MANAGE, audit)
    form = SentToApForm(request.POST)
    if submitted(form, lambda data: audits.mark_sent_to_ap(request.user, audit=audit, sent_on=data["sent_on"])):
        messages.success(request, _("Vastgelegd dat de resultaten aan de Autoriteit Persoonsgegevens zijn verzonden."))
        return redirect("governance:audit_detail", pk=audit.pk)
    return _audit_detail(request, audit, form, status=400)
