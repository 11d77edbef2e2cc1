"""Case endpoints: list and read cases, add a participant, move a case along its lifecycle."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casustafel.access import policy
from casustafel.api.serializers import WRITE_ERRORS
from casustafel.processing_log.models import Action as LogAction
from casustafel.processing_log.models import Purpose
from casustafel.processing_log.services import record

from .. import blocking, selectors, services, third_parties, transfer
from .serializers import (
    CaseDetailSerializer,
    CaseFilterSerializer,
    CaseSerializer,
    CaseTransferCreateSerializer,
    CaseTransferDecisionSerializer,
    CaseTransferSerializer,
    CaseTransitionCreateSerializer,
    ParticipantCreateSerializer,
    ParticipantSerializer,
    ThirdPartyAdmissionSerializer,
    ThirdPartyConfirmationCreateSerializer,
    ThirdPartyCreateSerializer,
)


def _managed_case(request, id):
    """The case if visible (else 404); the endpoint's action: managing it (refused: 403)."""
    case = selectors.get_case(request.user, id, via_api=True)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    return case


class CaseListView(generics.ListAPIView):
    serializer_class = CaseSerializer

    def get_queryset(self):
        filters = CaseFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.visible_cases(self.request.user).filter(**filters.validated_data)

    @extend_schema(
        operation_id="list_cases",
        summary="Casussen waaraan de eigen organisatie deelneemt",
        description="Alleen casussen van de eigen casustafel waaraan de organisatie van de gebruiker deelneemt. "
        "Elke getoonde rij wordt vastgelegd in het logboek dataverwerkingen.",
        parameters=[CaseFilterSerializer],
        responses={200: CaseSerializer(many=True), 400: OpenApiResponse(description="Ongeldig filter")},
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        selectors.log_listed(request.user, page, via_api=True)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CaseDetailView(APIView):
    @extend_schema(
        operation_id="read_case",
        summary="Een casus inzien",
        responses=CaseDetailSerializer,
        description="De casus met deelnemende organisaties en statusgeschiedenis; het inzien wordt gelogd.",
    )
    def get(self, request, id):
        case = selectors.get_case(request.user, id, via_api=True)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class ParticipantView(APIView):
    @extend_schema(
        operation_id="add_case_participant",
        summary="Een deelnemende organisatie toevoegen",
        description="Door de casusregisseur of een procesregisseur van een deelnemende organisatie, "
        "met de reden van betrokkenheid.",
        request=ParticipantCreateSerializer,
        responses={201: ParticipantSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        case = _managed_case(request, id)
        data = ParticipantCreateSerializer(data=request.data, region=case.region_id)
        data.is_valid(raise_exception=True)
        participant = services.add_participant(request.user, case=case, **data.validated_data)
        return Response(ParticipantSerializer(participant).data, status=status.HTTP_201_CREATED)


class CaseTransitionView(APIView):
    @extend_schema(
        operation_id="transition_case",
        summary="De status van een casus wijzigen",
        description="Alleen de gedeclareerde overgangen (actief, afgeschaald, afgesloten, heropend), "
        "elk met een reden; afsluiten vraagt ook de reden van afsluiting.",
        request=CaseTransitionCreateSerializer,
        responses={200: CaseDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        # A closed case is blocked (Wet PGA art. 6 lid 3), but its directors may reopen it.
        case = blocking.get_managed_case(request.user, id, via_api=True)
        policy.require(request.user, policy.Action.CASE_MANAGE, case)
        data = CaseTransitionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.transition_case(request.user, case=case, **data.validated_data)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class CaseTransferView(APIView):
    @extend_schema(
        operation_id="propose_case_transfer",
        summary="Overdracht aan een andere casustafel voorstellen",
        description="Door de casusregisseur of een procesregisseur van een deelnemende organisatie, "
        "met de reden. Niet aan de eigen casustafel; één open voorstel per casus; alleen "
        "actieve, heropende of afgeschaalde casussen.",
        request=CaseTransferCreateSerializer,
        responses={201: CaseTransferSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        case = _managed_case(request, id)
        data = CaseTransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = transfer.propose_transfer(request.user, case=case, **data.validated_data)
        return Response(CaseTransferSerializer(proposal).data, status=status.HTTP_201_CREATED)


class CaseTransferDecisionView(APIView):
    @extend_schema(
        operation_id="decide_case_transfer",
        tags=["cases"],
        summary="Een overdracht aanvaarden of afwijzen",
        description="Door de ontvangende casustafel (procesregisseur of lid weegploeg van een "
        "kernpartner). Aanvaarden vraagt een eigen casusregisseur; afwijzen een reden. "
        "Na aanvaarding verliest de verzendende casustafel de toegang.",
        request=CaseTransferDecisionSerializer,
        responses={200: CaseTransferSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        proposal = transfer.get_incoming_transfer(request.user, id, via_api=True)
        data = CaseTransferDecisionSerializer(data=request.data, region=proposal.to_region_id)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        proposal = transfer.decide_transfer(
            request.user,
            transfer=proposal,
            accept=d["decision"] == "accept",
            reason=d["reason"],
            case_director=d["case_director"],
        )
        return Response(CaseTransferSerializer(proposal).data)


# ---------------------------------------------------------------- third parties (Wet PGA art. 3 lid 3)


class ThirdPartyView(APIView):
    @extend_schema(
        operation_id="propose_third_party",
        summary="Een derde voorstellen voor een casus",
        description="Door de casusregisseur, een deelnemende procesregisseur of een lid van de weegploeg "
        "(art. 3 lid 3 Wet PGA): de organisatie (geen deelnemer van art. 3 lid 1), de benodigde "
        "deskundigheid, de rol bij het plan van aanpak en de gegevens die voor de derde noodzakelijk zijn. "
        "De burgemeester van de gemeente van verblijf, de politie en het OM beslissen samen; een voorstel "
        "van een lid van de weegploeg telt als instemming van diens partij.",
        request=ThirdPartyCreateSerializer,
        responses={201: ThirdPartyAdmissionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        case = selectors.get_case(request.user, id, via_api=True)
        policy.require(request.user, policy.Action.THIRD_PARTY_PROPOSE, case)
        data = ThirdPartyCreateSerializer(data=request.data, region=case.region_id)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        admission = third_parties.propose_third_party(
            request.user,
            case=case,
            organisation=d["organisation"],
            expertise=d["expertise"],
            plan_roles=d["plan_roles"],
            necessary_data=d["necessary_data"],
            legal_basis=d["legal_basis"] or None,
        )
        return Response(ThirdPartyAdmissionSerializer(admission).data, status=status.HTTP_201_CREATED)


class ThirdPartyAdmissionListView(generics.ListAPIView):
    serializer_class = ThirdPartyAdmissionSerializer

    def get_queryset(self):
        policy.require(self.request.user, policy.Action.THIRD_PARTY_DECIDE)
        return third_parties.open_admissions(self.request.user).prefetch_related(
            "confirmations__organisation", "confirmations__confirmed_by", "legal_basis"
        )

    @extend_schema(
        operation_id="list_third_party_admissions",
        summary="Voorstellen tot toelating van een derde die op uw partij wachten",
        description="Voor de leden van de weegploeg van gemeente, politie en OM van de eigen casustafel.",
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        record(request.user, action=LogAction.LIST, purpose=Purpose.CASE_MANAGEMENT, objects=page, via_api=True)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ThirdPartyConfirmationView(APIView):
    @extend_schema(
        operation_id="confirm_third_party",
        summary="Een derde toelaten of niet (standpunt van uw partij)",
        description="Eén van de drie (gemeente, politie, OM) stemt in of wijst af, met reden. Met de derde "
        "instemming neemt de organisatie als derde deel aan de casus; één afwijzing beëindigt het voorstel.",
        request=ThirdPartyConfirmationCreateSerializer,
        responses={200: ThirdPartyAdmissionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        admission = third_parties.get_admission(request.user, id, via_api=True)
        data = ThirdPartyConfirmationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        admission = third_parties.confirm_third_party(request.user, admission=admission, **data.validated_data)
        return Response(ThirdPartyAdmissionSerializer(admission).data)
