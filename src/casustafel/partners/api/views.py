"""Partner-system endpoints: an idempotent aanmelding, webhook subscriptions and their delivery log.

Authenticated by client credentials (``PartnerClientAuthentication``); a person's token is
recognised but refused (403): these endpoints are for systems, each with its scope.
"""

from __future__ import annotations

import re

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casustafel.access.authentication import ScopedTokenAuthentication
from casustafel.api.serializers import WRITE_ERRORS
from casustafel.core.tracing import parse_traceparent
from casustafel.subjects.services import SubjectData

from .. import services, webhooks
from ..authentication import PartnerClientAuthentication, PartnerScope
from ..models import Scope, WebhookSubscription
from .serializers import (
    DeliverySerializer,
    NewSubscriptionSerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    SubscriptionCreateSerializer,
    SubscriptionSerializer,
)

_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="Verplicht; sleutel van deze indiening (1-255 zichtbare ASCII-tekens, bijvoorbeeld een UUID), per "
    "partnersysteem. Dezelfde sleutel met dezelfde inhoud geeft het opgeslagen antwoord terug (zelfde status en "
    "inhoud, header Idempotent-Replayed), één registratie; dezelfde sleutel met een andere inhoud geeft 422; "
    "zolang de eerste indiening nog wordt verwerkt 409. Een sleutel vervalt na 24 uur "
    "(CASUSTAFEL_IDEMPOTENCY_HOURS).",
)
TRACEPARENT = OpenApiParameter(
    "traceparent",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="W3C Trace Context; de trace-id wordt vastgelegd bij de aanmelding en in het logboek dataverwerkingen.",
)


class PartnerView(APIView):
    authentication_classes = [ScopedTokenAuthentication, PartnerClientAuthentication]
    permission_classes = [PartnerScope]
    required_scope = Scope.REGISTER


class ReferralView(PartnerView):
    required_scope = Scope.REGISTER

    @extend_schema(
        operation_id="create_referral",
        summary="Een casus aanmelden vanuit een partnersysteem (art. 5 lid 1 Wet PGA)",
        description="Voor een partnersysteem van een deelnemer met scope 'aanmelding:schrijven' (clientgegevens, "
        "geen persoonlijk token). Registreert een aanmelding namens de organisatie van het systeem, via dezelfde "
        "regels als de intake; het antwoord bevat alleen kenmerken, nooit persoonsgegevens. Een aanmelding van een "
        "Zorg- en Veiligheidshuis legt vast dat de regels van de Wgs ophouden te gelden zodra de weging haar "
        "oppakt.",
        request=ReferralCreateSerializer,
        parameters=[IDEMPOTENCY_KEY, TRACEPARENT],
        responses={
            201: ReferralSerializer,
            409: OpenApiResponse(description="Een indiening met deze Idempotency-Key wordt nog verwerkt"),
            422: OpenApiResponse(description="Deze Idempotency-Key is al gebruikt voor een andere inhoud"),
            **WRITE_ERRORS,
        },
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is None or not _KEY.match(key):
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Geef een Idempotency-Key: 1 tot 255 zichtbare ASCII-tekens.")]}
            )
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        subject = SubjectData(**fields.pop("subject"))
        traceparent = request.headers.get("traceparent", "")
        submission = services.submit_registration(
            client=request.auth,
            key=key,
            body_fingerprint=services.fingerprint(request.data),
            subject=subject,
            fields=fields,
            traceparent=traceparent.strip() if parse_traceparent(traceparent) else "",
        )
        headers = {"Idempotent-Replayed": "true"} if submission.replayed else {}
        return Response(submission.response, status=submission.status_code, headers=headers)


class SubscriptionListView(PartnerView, generics.GenericAPIView):
    required_scope = Scope.WEBHOOKS
    serializer_class = SubscriptionSerializer

    @extend_schema(
        operation_id="list_webhook_subscriptions",
        summary="Webhookabonnementen van de eigen organisatie",
        description="De abonnementen van de organisatie van het partnersysteem (scope 'webhooks:beheren'), "
        "ook beëindigde; het geheim wordt nooit teruggegeven.",
        responses={200: SubscriptionSerializer(many=True)},
    )
    def get(self, request):
        page = self.paginate_queryset(webhooks.subscriptions_of(request.auth))
        return self.get_paginated_response(SubscriptionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="create_webhook_subscription",
        summary="Een webhook abonneren op gebeurtenissen",
        description="Gebeurtenissen over casussen waaraan de eigen organisatie deelneemt (nieuwe actie, "
        "geagendeerd, overgedragen, afgesloten) en over eigen aanmeldingen die niet aan het casusoverleg worden "
        "voorgelegd (art. 5 lid 6). Het bericht bevat alleen kenmerken. Het ondertekeningsgeheim wordt alleen in dit "
        "antwoord getoond; de handtekening staat in de header Casustafel-Signature (t=<unix>,v1=<hex HMAC-SHA256 "
        "van 't.body'>), ontvangers weigeren een tijdstempel ouder dan 5 minuten.",
        request=SubscriptionCreateSerializer,
        responses={201: NewSubscriptionSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = SubscriptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = webhooks.subscribe(
            client=request.auth, url=data.validated_data["url"], event_types=data.validated_data["event_types"]
        )
        new.subscription.secret = new.secret
        return Response(NewSubscriptionSerializer(new.subscription).data, status=status.HTTP_201_CREATED)


def _subscription(request, id) -> WebhookSubscription:
    subscription = webhooks.subscriptions_of(request.auth).filter(pk=id).first()
    if subscription is None:
        raise Http404
    return subscription


class SubscriptionDetailView(PartnerView):
    required_scope = Scope.WEBHOOKS

    @extend_schema(
        operation_id="read_webhook_subscription",
        summary="Een webhookabonnement",
        description="Een abonnement van de eigen organisatie; van een andere organisatie: 404.",
        responses=SubscriptionSerializer,
    )
    def get(self, request, id):
        return Response(SubscriptionSerializer(_subscription(request, id)).data)

    @extend_schema(
        operation_id="end_webhook_subscription",
        summary="Een webhookabonnement beëindigen",
        description="Nog wachtende afleveringen worden opgegeven; het afleverlog blijft.",
        responses={204: None},
    )
    def delete(self, request, id):
        webhooks.end_subscription(subscription=_subscription(request, id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryLogView(PartnerView, generics.GenericAPIView):
    required_scope = Scope.WEBHOOKS
    serializer_class = DeliverySerializer

    @extend_schema(
        operation_id="list_webhook_deliveries",
        summary="Afleverlog van een webhookabonnement",
        description="Elke gebeurtenis met haar pogingen (moment, HTTP-status of fout, duur), nieuwste eerst.",
        responses={200: DeliverySerializer(many=True)},
    )
    def get(self, request, id):
        page = self.paginate_queryset(webhooks.deliveries_of(_subscription(request, id)))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
