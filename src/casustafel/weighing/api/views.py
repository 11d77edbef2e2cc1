"""Weighing endpoints: read a weighing, contribute for one's own party, record the joint decision."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from casustafel.access import policy
from casustafel.api.serializers import WRITE_ERRORS
from casustafel.flow import services as flow

from .. import selectors, services
from .serializers import (
    ContributionCreateSerializer,
    ContributionSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    WeighingSerializer,
)


def _visible_weighing(request, id, action):
    """The weighing if visible (else 404); the endpoint's ``action`` on it (refused: 403)."""
    weighing = selectors.get_weighing(request.user, id, via_api=True)
    policy.require(request.user, action, weighing)
    return weighing


class WeighingDetailView(APIView):
    @extend_schema(
        operation_id="read_weighing",
        summary="Een weging inzien: criteria, inbreng en besluiten",
        responses=WeighingSerializer,
        description="Het toegepaste wegingskader met zijn criteria, de signalen, de inbreng van "
        "gemeente, politie en OM en eerdere besluiten.",
    )
    def get(self, request, id):
        return Response(
            WeighingSerializer(
                selectors.get_weighing(request.user, id, via_api=True), context={"request": request}
            ).data
        )


class ContributionView(APIView):
    @extend_schema(
        operation_id="submit_contribution",
        summary="Inbreng van de eigen partij leveren of vernieuwen",
        description="Voor leden van de weegploeg van gemeente, politie en OM, namens hun eigen partij. "
        "Elk criterium van het wegingskader moet beoordeeld en onderbouwd zijn.",
        request=ContributionCreateSerializer,
        responses={
            201: ContributionSerializer,
            200: OpenApiResponse(ContributionSerializer, description="Bestaande inbreng vernieuwd"),
            **WRITE_ERRORS,
        },
    )
    def post(self, request, id):
        weighing = _visible_weighing(request, id, policy.Action.WEIGHING_CONTRIBUTE)
        data = ContributionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["assessments"] = {a["criterion"]: (a["assessment"], a["reasons"]) for a in values["assessments"]}
        renewed = any(c.party == request.user.organisation.kind for c in weighing.contributions.all())
        contribution = services.submit_contribution(
            request.user, weighing=weighing, data=services.ContributionData(**values)
        )
        return Response(
            ContributionSerializer(contribution, context={"request": request}).data,
            status=status.HTTP_200_OK if renewed else status.HTTP_201_CREATED,
        )


class DecisionView(APIView):
    @extend_schema(
        operation_id="record_decision",
        summary="Het gezamenlijke besluit van de weegploeg vastleggen",
        description="Kan pas als gemeente, politie en OM alle drie (opnieuw) hebben ingebracht. "
        "Bij opnemen wordt een casus geopend.",
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        weighing = _visible_weighing(request, id, policy.Action.WEIGHING_DECIDE)
        data = DecisionCreateSerializer(data=request.data, region=weighing.region_id)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["participants"] = [(p["organisation"], p["reason"], p["legal_basis"]) for p in values["participants"]]
        decision = flow.record_decision(request.user, weighing=weighing, data=services.DecisionData(**values))
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)
