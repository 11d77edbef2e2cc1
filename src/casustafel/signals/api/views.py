"""Signal endpoints: list, register, read and move a signal along (same rules as the UI)."""

import hashlib
import json
import uuid

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from casustafel.access import policy
from casustafel.api.serializers import WRITE_ERRORS
from casustafel.flow import services as flow
from casustafel.subjects.services import SubjectData

from .. import selectors, services, states
from .serializers import (
    SignalCreateSerializer,
    SignalFilterSerializer,
    SignalRegistrationSerializer,
    SignalSerializer,
    SignalTransitionSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    required=False,
    description="Sleutel (UUID) van deze indiening: een herhaalde indiening met dezelfde sleutel en dezelfde "
    "inhoud geeft het eerder geregistreerde signaal terug (200) in plaats van een tweede (201). Dezelfde "
    "sleutel met een andere inhoud geeft 422; zolang de eerste indiening nog wordt verwerkt 409.",
)


def _idempotency_key(request) -> uuid.UUID | None:
    value = request.headers.get("Idempotency-Key")
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise exceptions.ValidationError({"Idempotency-Key": [_("De Idempotency-Key moet een UUID zijn.")]}) from None


def _fingerprint(data) -> str:
    """The submitted body, canonically: the same JSON in another key order is the same submission."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class SignalListView(generics.ListAPIView):
    serializer_class = SignalSerializer

    def get_queryset(self):
        filters = SignalFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.visible_signals(self.request.user).filter(**filters.validated_data)

    @extend_schema(
        operation_id="list_signals",
        summary="Signalen van de eigen casustafel",
        description="Voor intakemedewerkers en leden van de weegploeg van de kernpartners; anderen krijgen een "
        "lege lijst. Elke getoonde rij wordt vastgelegd in het logboek dataverwerkingen.",
        parameters=[SignalFilterSerializer],
        responses={200: SignalSerializer(many=True), 400: OpenApiResponse(description="Ongeldig filter")},
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        selectors.log_listed(request.user, page, via_api=True)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="create_signal",
        summary="Een signaal registreren (intake)",
        description="Registreert een signaal over een persoon en controleert of de persoon al bekend is. "
        "Een signaal over een persoon met een lopende weging wordt aan die weging toegevoegd; "
        "een signaal met urgentie 'acuut' wordt direct geëscaleerd naar de politie en voorgelegd "
        "aan de weegploeg. Het BSN wordt nooit teruggegeven, alleen gemaskeerd.",
        request=SignalCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: SignalRegistrationSerializer,
            200: OpenApiResponse(
                SignalRegistrationSerializer, description="Herhaalde indiening: het eerder geregistreerde signaal"
            ),
            409: OpenApiResponse(description="Een indiening met deze Idempotency-Key wordt nog verwerkt"),
            422: OpenApiResponse(description="Deze Idempotency-Key is al gebruikt voor een andere inhoud"),
            **WRITE_ERRORS,
        },
    )
    def post(self, request, *args, **kwargs):
        policy.require(request.user, policy.Action.SIGNAL_CREATE)
        key = _idempotency_key(request)
        fingerprint = _fingerprint(request.data) if key is not None else ""
        data = SignalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        subject = SubjectData(**fields.pop("subject"))
        try:
            registration = flow.register_signal(
                request.user, subject=subject, fields=fields, idempotency_key=key, fingerprint=fingerprint
            )
        except IntegrityError:
            if key is None:
                raise
            # A concurrent submission with the same key won the race: answer with its signal.
            registration = flow.register_signal(
                request.user, subject=subject, fields=fields, idempotency_key=key, fingerprint=fingerprint
            )
        signal = registration.signal
        signal.known_person, signal.joined_weighing = registration.known_person, registration.joined_weighing
        location = reverse("api:signal-detail", kwargs={"id": signal.pk}, request=request)
        return Response(
            SignalRegistrationSerializer(signal, context={"request": request}).data,
            headers={"Location": location},
            status=status.HTTP_200_OK if registration.duplicate else status.HTTP_201_CREATED,
        )


class SignalDetailView(APIView):
    @extend_schema(
        operation_id="read_signal",
        summary="Een signaal inzien",
        responses=SignalSerializer,
        description="Het signaal met de persoon waarover het gaat; het inzien wordt gelogd.",
    )
    def get(self, request, id):
        return Response(
            SignalSerializer(selectors.get_signal(request.user, id, via_api=True), context={"request": request}).data
        )


class SignalTransitionView(APIView):
    @extend_schema(
        operation_id="transition_signal",
        summary="Een signaal in voorbereiding nemen of voorleggen aan de weging",
        description="Alleen de overgangen naar 'in_preparation' en 'in_weighing'; de overige volgen uit het "
        "besluit van de weegploeg. Een niet-toegestane overgang geeft 400.",
        request=SignalTransitionSerializer,
        responses={200: SignalSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        signal = selectors.get_signal(request.user, id, via_api=True)
        data = SignalTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        move = (
            services.start_preparation
            if data.validated_data["target"] == states.IN_PREPARATION
            else flow.send_to_weighing
        )
        return Response(
            SignalSerializer(
                move(request.user, signal=signal, reason=data.validated_data["reason"]), context={"request": request}
            ).data
        )
