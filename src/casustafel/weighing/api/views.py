"""Weighing endpoints: read a weighing, contribute for one's own party, record the joint decision."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from casustafel.access import policy
from casustafel.api.serializers import CONDITIONAL_ERRORS, IF_MATCH_OPTIONAL, WRITE_ERRORS
from casustafel.core.concurrency import expected_from
from casustafel.flow import services as flow

from .. import selectors, services
from .serializers import (
    ConsultationAnswerSerializer,
    ConsultationCreateSerializer,
    ConsultationSerializer,
    ContributionCreateSerializer,
    ContributionSerializer,
    DecisionConfirmationCreateSerializer,
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
        "gemeente, politie en OM, de raadplegingen van overige deelnemers en eerdere besluiten.",
    )
    def get(self, request, id):
        weighing = selectors.get_weighing(request.user, id, via_api=True)
        weighing.consultation_list = selectors.consultations_of(request.user, weighing, via_api=True)
        return Response(WeighingSerializer(weighing, context={"request": request}).data)


class ContributionView(APIView):
    @extend_schema(
        operation_id="submit_contribution",
        summary="Inbreng van de eigen partij leveren of vernieuwen",
        description="Voor leden van de weegploeg van gemeente, politie en OM, namens hun eigen partij. "
        "Elk criterium van het wegingskader moet beoordeeld en onderbouwd zijn. Met If-Match "
        '(W/"<version>" van de eigen inbreng, W/"0" als die er nog niet is) wordt een inbreng die een collega '
        "intussen heeft vernieuwd niet overschreven: 412.",
        request=ContributionCreateSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={
            201: ContributionSerializer,
            200: OpenApiResponse(ContributionSerializer, description="Bestaande inbreng vernieuwd"),
            **WRITE_ERRORS,
            412: CONDITIONAL_ERRORS[412],
        },
    )
    def post(self, request, id):
        weighing = _visible_weighing(request, id, policy.Action.WEIGHING_CONTRIBUTE)
        data = ContributionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["assessments"] = {a["criterion"]: (a["assessment"], a["reasons"]) for a in values["assessments"]}
        renewed = any(c.party == request.user.organisation.kind for c in weighing.contributions.all())
        expected = expected_from(request) if request.headers.get("If-Match") else None
        contribution = services.submit_contribution(
            request.user, weighing=weighing, data=services.ContributionData(**values), expected_version=expected
        )
        return Response(
            ContributionSerializer(contribution, context={"request": request}).data,
            status=status.HTTP_200_OK if renewed else status.HTTP_201_CREATED,
        )


class DecisionView(APIView):
    @extend_schema(
        operation_id="propose_decision",
        summary="Een besluit van de weegploeg voorstellen",
        description="Kan pas als gemeente, politie en OM alle drie (opnieuw) hebben ingebracht. Het voorstel "
        "geldt als bevestigd door de partij van de indiener; het besluit geldt pas als ook de andere twee "
        "kernpartners het bevestigen (eensluidende beoordeling, art. 5 lid 3 Wet PGA). Bij opnemen wordt dan "
        "een casus geopend met de deelnemers die de drie samen kozen.",
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        weighing = _visible_weighing(request, id, policy.Action.WEIGHING_DECIDE)
        data = DecisionCreateSerializer(data=request.data, region=weighing.region_id)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["participants"] = [(p["organisation"], p["reason"], p["legal_basis"]) for p in values["participants"]]
        decision = flow.propose_decision(request.user, weighing=weighing, data=services.DecisionData(**values))
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionConfirmationView(APIView):
    @extend_schema(
        operation_id="confirm_decision",
        summary="Een voorgesteld besluit bevestigen of afwijzen",
        description="Door een lid van de weegploeg van een kernpartner (gemeente, politie, OM) die het voorstel "
        "nog niet bevestigde. Na de derde instemming geldt het besluit (eensluidend, art. 5 lid 3 Wet PGA); "
        "een afwijzing, met reden, beëindigt het voorstel.",
        request=DecisionConfirmationCreateSerializer,
        responses={200: DecisionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        decision = selectors.get_decision(request.user, id, via_api=True)
        data = DecisionConfirmationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = flow.confirm_decision(request.user, decision=decision, **data.validated_data)
        return Response(DecisionSerializer(decision).data)


class ConsultationView(APIView):
    @extend_schema(
        operation_id="record_consultation",
        summary="Een raadpleging van een overige deelnemer vastleggen",
        description="Bij de analyse van de aanmelding kunnen gemeente, politie en OM de overige deelnemers "
        "raadplegen (art. 5 lid 3 en 4 Wet PGA). Voor leden van de weegploeg van die drie: welke organisatie "
        "van deze casustafel (niet gemeente, politie of OM), op welke datum (niet in de toekomst), de vraag en "
        "het antwoord — dat mag later volgen. Niet meer mogelijk als over de weging is besloten.",
        request=ConsultationCreateSerializer,
        responses={201: ConsultationSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        weighing = _visible_weighing(request, id, policy.Action.WEIGHING_CONSULT)
        data = ConsultationCreateSerializer(data=request.data, region=weighing.region_id)
        data.is_valid(raise_exception=True)
        consultation = services.record_consultation(request.user, weighing=weighing, **data.validated_data)
        return Response(ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED)


class ConsultationAnswerView(APIView):
    @extend_schema(
        operation_id="record_consultation_answer",
        summary="Het antwoord op een raadpleging vastleggen",
        description="Het antwoord (of een samenvatting) van de geraadpleegde organisatie, eenmalig, zolang "
        "over de weging niet is besloten. Voor leden van de weegploeg van gemeente, politie en OM.",
        request=ConsultationAnswerSerializer,
        responses={200: ConsultationSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        consultation = selectors.get_consultation(request.user, id, via_api=True)
        policy.require(request.user, policy.Action.WEIGHING_CONSULT, consultation.weighing)
        data = ConsultationAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = services.record_consultation_answer(
            request.user, consultation=consultation, answer=data.validated_data["answer"]
        )
        return Response(ConsultationSerializer(consultation).data)
