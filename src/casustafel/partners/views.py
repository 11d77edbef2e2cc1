"""The functional admin's pages: the region's partner systems, their webhook subscriptions, and the
delivery log per subscription (ADR 0045). Creating, rotating and revoking clients is administration
as the schema owner (``casustafel partner …``); these pages only read."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casustafel.access import policy
from casustafel.core.web import page_of
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record_refused

from . import webhooks
from .models import PartnerClient, WebhookSubscription


def _subscriptions(region_id):
    return WebhookSubscription.objects.filter(organisation__region_id=region_id).annotate(
        delivered=Count("deliveries", filter=Q(deliveries__delivered_at__isnull=False)),
        given_up=Count("deliveries", filter=Q(deliveries__given_up_at__isnull=False)),
        waiting=Count("deliveries", filter=Q(deliveries__delivered_at=None, deliveries__given_up_at=None)),
    )


@require_GET
def client_list(request):
    policy.require(request.user, policy.Action.PARTNERS_VIEW)
    region_id = request.user.organisation.region_id
    clients = list(PartnerClient.objects.filter(organisation__region_id=region_id).select_related("organisation"))
    subscriptions: dict = {}
    for subscription in _subscriptions(region_id).order_by("created_at"):
        subscriptions.setdefault(subscription.client_id, []).append(subscription)
    rows = [(client, subscriptions.get(client.pk, [])) for client in clients]
    return render(request, "partners/client_list.html", {"rows": rows})


@require_GET
def delivery_log(request, pk):
    subscription = (
        WebhookSubscription.objects.select_related("organisation", "client")
        .filter(pk=pk, organisation__region_id=request.user.organisation.region_id)
        .first()
    )
    if subscription is None or not policy.can(request.user, policy.Action.PARTNERS_VIEW):
        # A refused look at an existing subscription is in the log, as every refused read (art. 17).
        record_refused(request.user, action=Action.READ, purpose=Purpose.INTAKE, model=WebhookSubscription, pk=pk)
        raise Http404
    page = page_of(request, webhooks.deliveries_of(subscription))
    return render(request, "partners/delivery_log.html", {"subscription": subscription, "page": page})
