"""Conference endpoints: list and schedule meetings, read a meeting with its scoped agenda,
add agenda items, record attendance, minutes, decisions and actions, complete actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casustafel.access import policy
from casustafel.api.serializers import CONDITIONAL_ERRORS, IF_MATCH, IF_MATCH_OPTIONAL, WRITE_ERRORS
from casustafel.core.concurrency import etag, expected_from

from .. import selectors, services
from .serializers import (
    AgendaItemCreateSerializer,
    AgendaItemSerializer,
    AttendanceCreateSerializer,
    InvitationSerializer,
    MeetingActionCreateSerializer,
    MeetingActionSerializer,
    MeetingCancelSerializer,
    MeetingCreateSerializer,
    MeetingDecisionCreateSerializer,
    MeetingDecisionSerializer,
    MeetingDetailSerializer,
    MeetingRecordSerializer,
    MeetingSerializer,
    MinutesSerializer,
)


def _detail(request, meeting):
    meeting.agenda = selectors.agenda(request.user, meeting, via_api=True)
    return MeetingDetailSerializer(meeting).data


def _managed_meeting(request, id):
    meeting = selectors.get_meeting(request.user, id, via_api=True)
    policy.require(request.user, policy.Action.MEETING_MANAGE, meeting)
    return meeting


def _managed_item(request, id):
    item = selectors.get_item(request.user, id, via_api=True)
    policy.require(request.user, policy.Action.MEETING_MANAGE, item.meeting)
    return item


class MeetingListView(generics.ListAPIView):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        return selectors.visible_meetings(self.request.user)

    @extend_schema(
        tags=["meetings"],
        operation_id="list_meetings",
        summary="Casusoverleggen van de eigen casustafel",
        description="Datum, tijd, locatie en voorzitter; de inhoud staat in het overleg zelf.",
        responses={200: MeetingSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["meetings"],
        operation_id="schedule_meeting",
        summary="Een casusoverleg plannen",
        description="Door een procesregisseur van de casustafel. Overlappende overleggen van dezelfde "
        "casustafel en overleggen in het verleden worden geweigerd.",
        request=MeetingCreateSerializer,
        responses={201: MeetingSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        policy.require(request.user, policy.Action.MEETING_MANAGE)
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.schedule_meeting(request.user, **data.validated_data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetailView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="read_meeting",
        summary="Een casusoverleg inzien",
        description="Met alleen de agendapunten (verslag, besluiten, acties) van casussen waaraan de "
        "organisatie van de gebruiker deelneemt; de voorzitter en de kernpartners zien de "
        "hele agenda. Het inzien wordt gelogd.",
        responses=MeetingDetailSerializer,
    )
    def get(self, request, id):
        meeting = selectors.get_meeting(request.user, id, via_api=True)
        return Response(_detail(request, meeting), headers={"ETag": etag(meeting)})

    @extend_schema(
        tags=["meetings"],
        operation_id="edit_meeting",
        summary="Datum, tijd of locatie van een casusoverleg wijzigen",
        description="Door de procesregisseur (voorzitter); niet van een geannuleerd overleg. Een gepland "
        "overleg blijft in de toekomst (binnen de planningstermijn), een achteraf vastgelegd overleg in het "
        "verleden. Met in If-Match de ETag uit de GET: is het overleg intussen gewijzigd, dan 412 en wordt "
        "niets opgeslagen; zonder If-Match 428.",
        request=MeetingCreateSerializer,
        parameters=[IF_MATCH],
        responses={200: MeetingSerializer, **WRITE_ERRORS, **CONDITIONAL_ERRORS},
    )
    def put(self, request, id):
        meeting = _managed_meeting(request, id)
        data = MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = expected_from(request)  # after the body: a wrong media type is 415 either way
        meeting = services.edit_meeting(request.user, meeting=meeting, expected_version=expected, **data.validated_data)
        return Response(MeetingSerializer(meeting).data, headers={"ETag": etag(meeting)})


class MeetingRecordView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="record_meeting_afterwards",
        summary="Een (spoed)overleg achteraf vastleggen",
        description="Door de procesregisseur: een overleg dat al heeft plaatsgevonden (hoogstens een jaar "
        "terug), met de reden; daarna worden de casussen geagendeerd en het verslag vastgelegd.",
        request=MeetingRecordSerializer,
        responses={201: MeetingSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        policy.require(request.user, policy.Action.MEETING_MANAGE)
        data = MeetingRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.record_meeting_afterwards(request.user, **data.validated_data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingCancellationView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="cancel_meeting",
        summary="Een gepland casusoverleg annuleren",
        description="Door de procesregisseur, met een reden; het overleg blijft als geannuleerd bewaard.",
        request=MeetingCancelSerializer,
        responses={200: MeetingSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        meeting = _managed_meeting(request, id)
        data = MeetingCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = services.cancel_meeting(request.user, meeting=meeting, reason=data.validated_data["reason"])
        return Response(MeetingSerializer(meeting).data)


class AgendaItemView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="add_agenda_item",
        summary="Een casus agenderen",
        description="Door de procesregisseur (voorzitter); alleen actieve of heropende casussen.",
        request=AgendaItemCreateSerializer,
        responses={201: AgendaItemSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        meeting = _managed_meeting(request, id)
        data = AgendaItemCreateSerializer(data=request.data, region=meeting.region_id)
        data.is_valid(raise_exception=True)
        item = services.add_agenda_item(request.user, meeting=meeting, case=data.validated_data["case"])
        item = selectors.get_item(request.user, item.pk, via_api=True)
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


class AttendanceView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="record_attendance",
        summary="Aanwezigheid van een organisatie vastleggen",
        description="Door de procesregisseur (voorzitter): aanwezig of afwezig.",
        request=AttendanceCreateSerializer,
        responses={200: InvitationSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        meeting = _managed_meeting(request, id)
        data = AttendanceCreateSerializer(data=request.data, region=meeting.region_id)
        data.is_valid(raise_exception=True)
        invitation = services.record_attendance(request.user, meeting=meeting, **data.validated_data)
        return Response(InvitationSerializer(invitation).data)


class MinutesView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="set_agenda_item_minutes",
        summary="Het verslag van een agendapunt vastleggen",
        description="Door de procesregisseur (voorzitter); vervangt het eerdere verslag. Met If-Match "
        '(W/"<version>" van het agendapunt) wordt een verslag dat intussen door een ander is gewijzigd niet '
        "overschreven: 412.",
        request=MinutesSerializer,
        parameters=[IF_MATCH_OPTIONAL],
        responses={200: AgendaItemSerializer, **WRITE_ERRORS, 412: CONDITIONAL_ERRORS[412]},
    )
    def post(self, request, id):
        item = _managed_item(request, id)
        data = MinutesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        expected = expected_from(request) if request.headers.get("If-Match") else None
        services.set_minutes(request.user, item=item, minutes=data.validated_data["minutes"], expected_version=expected)
        return Response(AgendaItemSerializer(selectors.get_item(request.user, id, via_api=True)).data)


class DecisionView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="add_agenda_item_decision",
        summary="Een besluit bij een agendapunt vastleggen",
        description="Door de procesregisseur (voorzitter).",
        request=MeetingDecisionCreateSerializer,
        responses={201: MeetingDecisionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        item = _managed_item(request, id)
        data = MeetingDecisionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.add_decision(request.user, item=item, text=data.validated_data["text"])
        return Response(MeetingDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ActionView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="add_agenda_item_action",
        summary="Een actie bij een agendapunt vastleggen",
        description="Met een eigenaar (een deelnemende organisatie, verplicht) en een uiterste datum.",
        request=MeetingActionCreateSerializer,
        responses={201: MeetingActionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        item = _managed_item(request, id)
        data = MeetingActionCreateSerializer(data=request.data, region=item.meeting.region_id)
        data.is_valid(raise_exception=True)
        action = services.add_action(request.user, item=item, **data.validated_data)
        return Response(MeetingActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionCompletionView(APIView):
    @extend_schema(
        tags=["meetings"],
        operation_id="complete_meeting_action",
        summary="Een actie afronden",
        description="Door de eigenaar van de actie of de procesregisseur.",
        request=None,
        responses={200: MeetingActionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        action = selectors.get_action(request.user, id, via_api=True)
        policy.require(request.user, policy.Action.MEETING_COMPLETE_ACTION, action)
        return Response(MeetingActionSerializer(services.complete_action(request.user, action=action)).data)
