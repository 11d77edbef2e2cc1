"""The privacy officer's retention page (/bewaartermijnen/): schedules, runs and holds, no names."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casustafel.governance import policy

from .models import DestructionRun, LegalHold, RetentionSchedule


@require_GET
def overview(request):
    if not policy.can(request.user, policy.Action.RETENTION_MANAGE):
        raise Http404
    region_id = request.user.organisation.region_id
    context = {
        "schedules": RetentionSchedule.objects.filter(Q(region_id=region_id) | Q(region__isnull=True))
        .select_related("region").order_by("trigger", "region", "-version"),
        "runs": DestructionRun.objects.filter(region_id=region_id).select_related("approved_by")[:50],
        "holds": LegalHold.objects.filter(region_id=region_id, lifted_at__isnull=True),
    }
    return render(request, "retention/overview.html", context)
