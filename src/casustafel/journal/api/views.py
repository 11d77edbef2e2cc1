"""The case journal under a case: read the entries the caller may see, add an update."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from casustafel.access import policy
from casustafel.api.serializers import WRITE_ERRORS
from casustafel.cases import selectors as case_selectors

from .. import selectors, services
from .serializers import JournalEntryCreateSerializer, JournalEntrySerializer


class JournalView(APIView):
    @extend_schema(
        operation_id="read_case_journal",
        summary="Het casusjournaal van een casus lezen",
        description="De notities die u mag zien (de zichtbaarheid die de aanleverende organisatie koos), "
        "nieuwste eerst; voor deelnemers, en voor een derde alleen met gegevens voor het plan van aanpak "
        "(art. 3 lid 3 Wet PGA).",
        responses=JournalEntrySerializer(many=True),
    )
    def get(self, request, id):
        case = case_selectors.get_case(request.user, id, via_api=True)
        entries = selectors.entries_for_case(request.user, case, via_api=True)
        return Response(JournalEntrySerializer(entries, many=True).data)

    @extend_schema(
        operation_id="add_case_journal_entry",
        summary="Een update aan het casusjournaal toevoegen",
        description="Met herkomst: grondslag, classificatie, zichtbaarheid en categorie (art. 4). Een notitie "
        "wordt nooit gewijzigd; een correctie is een nieuwe notitie die naar de eigen notitie verwijst.",
        request=JournalEntryCreateSerializer,
        responses={201: JournalEntrySerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        case = case_selectors.get_case(request.user, id, via_api=True)
        policy.require(request.user, policy.Action.CASE_PLAN_VIEW, case)
        policy.require(request.user, policy.Action.JOURNAL_WRITE, case)
        data = JournalEntryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        entry = services.add_entry(
            request.user,
            case=case,
            text=d["text"],
            corrects_id=d["corrects"],
            legal_basis=d["legal_basis"],
            classification=d["classification"],
            visibility=d.get("visibility") or "",
            data_category=d["data_category"],
            via_api=True,
        )
        return Response(JournalEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
