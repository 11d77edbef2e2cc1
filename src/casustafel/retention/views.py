"""The privacy officer's retention page (/bewaartermijnen/): schedules, runs and holds, no names."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from casustafel.access import policy
from casustafel.core.errors import PolicyDenied
from casustafel.core.web import apply_service_errors
from casustafel.subjects.models import Subject

from . import selectors, services
from .forms import NecessityReviewForm
from .models import DestructionRun, LegalHold, RetentionSchedule


@require_GET
def overview(request):
    policy.require(request.user, policy.Action.RETENTION_MANAGE)
    user, manage = request.user, policy.Action.RETENTION_MANAGE
    today = timezone.localdate()
    # References, dates and rules only (no names), like a proposed run (ADR 0009, 0020).
    assessments = selectors.assess_subjects(policy.scope_region_records(user, manage, Subject.objects.all()), today)
    holds = list(policy.scope_region_records(user, manage, LegalHold.objects.filter(lifted_at__isnull=True)))
    context = {
        "today": today,
        "records": [
            {"record": r, "assessment": a}
            for a in sorted(assessments.values(), key=lambda a: (a.destruction_date or today, str(a.subject.pk)))
            for r in a.records
        ],
        "reviews_due": [a for a in assessments.values() if a.review_due and a.review_due <= today],
        "holds_for_review": [h for h in holds if h.review_date is None or h.review_date <= today],
        "schedules": policy.scope_region_records(user, manage, RetentionSchedule.objects.all(), national=True)
        .select_related("region")
        .order_by("trigger", "region", "-version"),
        "runs": policy.scope_region_records(user, manage, DestructionRun.objects.all()).select_related("approved_by")[
            :50
        ],
        "holds": holds,
    }
    return render(request, "retention/overview.html", context)


def _report(request, pk, fmt):
    run = selectors.get_run(request.user, pk)
    content = services.export_report(request.user, run=run, fmt=fmt)
    content_type, extension = services.REPORT_FORMATS[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{run.reference}.{extension}"'
    return response


@require_GET
def report_pdf(request, pk):
    """The destruction report of one run as PDF (an export: logged)."""
    return _report(request, pk, "pdf")


@require_GET
def report_csv(request, pk):
    """The destruction report of one run as CSV (an export: logged)."""
    return _report(request, pk, "csv")


@require_http_methods(["GET", "POST"])
def person(request, pk):
    """One person's records with their art. 9 dates, rule and version, holds and necessity
    reviews (references, dates and outcomes only: no names, no free text), and the form to
    record a necessity review."""
    subject = selectors.get_subject(request.user, pk)
    form = NecessityReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.record_necessity_review(request.user, subject=subject, **form.cleaned_data)
            except (ValidationError, PolicyDenied) as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("De noodzaaktoets is vastgelegd."))
                return redirect("retention:person", pk=subject.pk)
    context = {
        "subject_id": subject.pk,
        "assessment": selectors.assess_subject(subject, timezone.localdate()),
        "holds": LegalHold.objects.filter(subject=subject).order_by("-placed_at"),
        "reviews": subject.necessity_reviews.select_related("reviewed_by").order_by("-reviewed_at"),
        "form": form,
    }
    return render(request, "retention/person.html", context, status=status)
