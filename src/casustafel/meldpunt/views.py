"""The public meldpunt (no login, no JavaScript) and the pages behind it: the region's signal
workers read the meldingen, the functional admin sets each gemeente's page (ADR 0044)."""

from __future__ import annotations

from functools import wraps

from csp.constants import NONE, SELF
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casustafel.access import policy
from casustafel.accounts.models import Organisation, OrganisationKind
from casustafel.core.concurrency import StaleVersion, refuse_stale
from casustafel.core.references import new_reference
from casustafel.core.web import TEXT_LIMIT, apply_service_errors, page_of
from casustafel.flow import services as flow
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record_refused
from casustafel.signals.forms import IntakeForm
from casustafel.signals.models import Addressee, IntakeRoute, SourceType
from casustafel.subjects.services import SubjectData

from . import selectors
from . import services as meldpunt
from .forms import FollowUpForm, GemeentePageForm, MeldingForm
from .models import Relation

#: Stricter than the pages behind the login: no script at all, nothing fetched, forms post here only.
PUBLIC_CSP = {"script-src": [NONE], "connect-src": [NONE], "form-action": [SELF], "frame-ancestors": [NONE]}
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _refusal(request, status: int, title: str, text: str):
    return render(request, "meldpunt/refused.html", {"title": title, "text": text}, status=status)


def public(view):
    """A public page: the strict policy, and every post within the limits before it is read —
    size (413), no uploads of any kind (400), the rate per address (429)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = None
        if request.method == "POST":
            length = request.META.get("CONTENT_LENGTH") or "0"
            content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            if not length.isdigit() or int(length) > settings.MELDPUNT_MAX_BODY_BYTES:
                response = _refusal(
                    request,
                    413,
                    _("Uw bericht is te groot"),
                    _("Uw bericht is niet verstuurd: het is te groot. Maak uw tekst korter en probeer het opnieuw."),
                )
            elif content_type != FORM_CONTENT_TYPE:
                request.upload_handlers = []  # never read a file, not even to throw it away
                response = _refusal(
                    request,
                    400,
                    _("Bestanden kunnen niet worden meegestuurd"),
                    _(
                        "Het meldpunt neemt geen bestanden aan. Beschrijf wat u zag in het formulier; als de "
                        "gemeente materiaal nodig heeft, neemt zij contact met u op."
                    ),
                )
            elif not meldpunt.count_submission(meldpunt.system_actor(), address=request.META.get("REMOTE_ADDR", "")):
                response = _refusal(
                    request,
                    429,
                    _("Te veel berichten"),
                    _(
                        "Er zijn vanaf uw verbinding te veel berichten verstuurd. Probeer het later opnieuw. "
                        "Is er direct gevaar? Bel 112."
                    ),
                )
        if response is None:
            response = view(request, *args, **kwargs)
        response._csp_replace = PUBLIC_CSP
        return response

    return wrapped


def _melding(request, region, *, page=None):
    gemeenten = selectors.gemeenten(region)
    pages = selectors.gemeente_pages(region)
    form = MeldingForm(
        request.POST if request.method == "POST" else None,
        gemeenten=gemeenten,
        initial={"gemeente": str(page.organisation_id)} if page else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data[MeldingForm.HONEYPOT]:
            # A bot: the ordinary confirmation, with a reference and code that exist nowhere.
            reference, code = new_reference("MLD"), meldpunt.new_code()
        else:
            report, code = meldpunt.submit_report(
                meldpunt.system_actor(),
                data=meldpunt.ReportData(
                    organisation=data["organisation"],
                    relation=data["relation"],
                    what=data["what"],
                    anonymous=data["contact"] == "anonymous",
                    reporter_name=data["reporter_name"],
                    reporter_contact=data["reporter_contact"],
                    about_name=data["about_name"],
                    about_age=data["about_age"],
                    about_place=data["about_place"],
                    about_other=data["about_other"],
                ),
            )
            reference = report.reference
        context = {"region": region, "reference": reference, "code": code}
        return render(request, "meldpunt/received.html", context)
    context = {
        "region": region,
        "page": page,
        "form": form,
        "gemeenten": [(org, pages.get(org.pk)) for org in gemeenten],
        "status": 400 if form.errors else 200,
    }
    return render(request, "meldpunt/melding_form.html", context, status=context["status"])


@public
@require_http_methods(["GET", "POST"])
def region_melding(request, region):
    return _melding(request, selectors.public_region(region))


@public
@require_http_methods(["GET", "POST"])
def gemeente_melding(request, region, gemeente):
    found = selectors.public_region(region)
    return _melding(request, found, page=selectors.gemeente_page(found, gemeente))


@public
@require_http_methods(["GET", "POST"])
def follow_up(request, region):
    found = selectors.public_region(region)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data[FollowUpForm.HONEYPOT]:
            meldpunt.add_information(
                meldpunt.system_actor(), region=found, reference=data["reference"], code=data["code"], text=data["text"]
            )
        # The same answer whether the reference and code were right: nothing is shown back.
        return render(request, "meldpunt/follow_up_done.html", {"region": found})
    status = 400 if form.errors else 200
    return render(request, "meldpunt/follow_up.html", {"region": found, "form": form}, status=status)


# ---------------------------------------------------------------- behind the login


@require_GET
def report_list(request):
    policy.require(request.user, policy.Action.MELDPUNT_REPORT_VIEW)
    page = page_of(request, selectors.visible_reports(request.user))
    selectors.log_listed(request.user, page.object_list)
    return render(request, "meldpunt/report_list.html", {"page": page})


@require_GET
def report_detail(request, pk):
    report = selectors.get_report(request.user, pk)
    return render(
        request,
        "meldpunt/report_detail.html",
        {"report": report, "additions": list(report.additions.all()), "relations": Relation},
    )


@require_POST
def report_handled(request, pk):
    report = selectors.get_report(request.user, pk)
    meldpunt.mark_handled(request.user, report=report)
    messages.success(request, _("De melding is als verwerkt gemarkeerd."))
    return redirect("meldpunt:report_detail", pk=report.pk)


@require_GET
def gemeente_pages(request):
    policy.require(request.user, policy.Action.MELDPUNT_MANAGE)
    region = request.user.organisation.region
    pages = selectors.gemeente_pages(region)
    rows = [(org, pages.get(org.pk)) for org in selectors.gemeenten(region)]
    return render(request, "meldpunt/gemeente_pages.html", {"region": region, "rows": rows})


@require_http_methods(["GET", "POST"])
def gemeente_page_edit(request, pk):
    organisation = Organisation.objects.filter(
        pk=pk, kind=OrganisationKind.GEMEENTE, region_id=request.user.organisation.region_id
    ).first()
    if organisation is None or not policy.can(request.user, policy.Action.MELDPUNT_MANAGE):
        # A refused look at an existing gemeente's page is in the log, as every refused read (art. 17).
        record_refused(request.user, action=Action.READ, purpose=Purpose.INTAKE, model=Organisation, pk=pk)
        raise Http404
    pages = selectors.gemeente_pages(organisation.region)
    page = pages.get(organisation.pk)
    taken = {p.code for org_id, p in pages.items() if org_id != organisation.pk} | {"aanvullen"}
    initial = (
        {
            "code": page.code,
            "intro_text": page.intro_text,
            "contact_details": page.contact_details,
            "version": page.version,
        }
        if page
        else {"code": _default_code(organisation.name), "version": 0}
    )
    form = GemeentePageForm(request.POST or None, initial=initial, taken_codes=taken)
    status = 400
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        try:
            meldpunt.save_gemeente_page(request.user, organisation=organisation, expected_version=expected, **data)
        except StaleVersion as stale:
            status = refuse_stale(form, stale)
        else:
            messages.success(request, _("Het meldpunt van deze gemeente is opgeslagen."))
            return redirect("meldpunt:gemeente_pages")
    return render(
        request,
        "meldpunt/gemeente_page_edit.html",
        {"organisation": organisation, "form": form, "region": organisation.region},
        status=status if form.errors else 200,
    )


def _default_code(name: str) -> str:
    return slugify(name.removeprefix("Gemeente ").removeprefix("gemeente "))[:40]


#: The signal's source for the reporter's relation (signals.SourceType).
SOURCE_OF_RELATION = {"citizen": SourceType.CITIZEN, "family": SourceType.FAMILY, "professional": SourceType.OTHER}


@require_http_methods(["GET", "POST"])
def report_register(request, pk):
    """Register a signal from a melding: the intake form, filled in with what the melding says (a
    melding of art. 5 lid 2 to the burgemeester); the officer adds what the public could not know
    (date of birth, phenomenon). The signal goes through the same entry as every other (flow)."""
    report = selectors.get_report(request.user, pk)
    policy.require(request.user, policy.Action.SIGNAL_CREATE)
    place = report.organisation.name.removeprefix("Gemeente ")
    facts = report.what + (f"\n\n{report.about_other}" if report.about_other else "")
    form = IntakeForm(
        request.POST or None,
        organisation_kind=request.user.organisation.kind,
        initial={
            "intake_route": IntakeRoute.REPORT,
            "addressed_to": Addressee.MAYOR,
            "reporter_kind": report.reporter_kind,
            "reporter_name": report.reporter_name,
            "reporter_contact": report.reporter_contact,
            "source_type": SOURCE_OF_RELATION.get(report.relation, SourceType.OTHER),
            "source_description": _("Openbaar meldpunt, melding %(ref)s") % {"ref": report.reference},
            "municipality": place,
            "facts": facts[:TEXT_LIMIT],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = flow.register_signal(
                request.user,
                subject=SubjectData(**{f: data[f] for f in IntakeForm.SUBJECT_FIELDS}),
                fields={f: data[f] for f in IntakeForm.SIGNAL_FIELDS},
                idempotency_key=data["submission"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            meldpunt.mark_handled(request.user, report=report, signal=registration.signal)
            messages.success(
                request,
                _("Signaal %(ref)s is geregistreerd uit melding %(melding)s.")
                % {"ref": registration.signal.reference, "melding": report.reference},
            )
            return redirect("signals:signal_detail", pk=registration.signal.pk)
    return render(
        request, "signals/signal_form.html", {"form": form, "from_report": report}, status=400 if form.errors else 200
    )
