"""The privacy officer's retention page (/bewaartermijnen/): schedules, runs and holds, no names."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casustafel.access import policy
from casustafel.subjects.models import Subject

from . import selectors, services
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
