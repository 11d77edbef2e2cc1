"""Plan endpoints under a case: read the plan; add goals, interventions, contacts, reviews, acknowledgements."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from casustafel.access import policy
from casustafel.accounts.models import Organisation
from casustafel.api.serializers import WRITE_ERRORS
from casustafel.cases import blocking
from casustafel.cases import selectors as case_selectors

from .. import selectors, services
from ..models import CheckIn, CoordinationTask
from .serializers import (
    AcknowledgementCreateSerializer,
    AcknowledgementSerializer,
    CheckInRecordSerializer,
    CheckInSerializer,
    ContactCreateSerializer,
    ContactSerializer,
    CoordinationTaskSerializer,
    GoalCreateSerializer,
    GoalSerializer,
    InterventionCreateSerializer,
    InterventionSerializer,
    PlanSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
    TaskCompleteSerializer,
)


def _managed_case(request, id):
    case = case_selectors.get_case(request.user, id, via_api=True)
    policy.require(request.user, policy.Action.CASE_MANAGE, case)
    return case


def _organisation(case, pk):
    return Organisation.objects.filter(pk=pk, region_id=case.region_id).first() if pk else None


class PlanView(APIView):
    @extend_schema(
        operation_id="read_plan",
        summary="Het plan van aanpak van een casus inzien",
        description="Doelen, interventies (met contacten en signalering), conflicten en evaluaties; "
        "leesbaar voor de deelnemers aan de casus. Zonder plan: 404.",
        responses=PlanSerializer,
    )
    def get(self, request, id):
        case = case_selectors.get_case(request.user, id, via_api=True)
        plan = selectors.plan_for_case(request.user, case, via_api=True)
        if plan is None:
            raise exceptions.NotFound(_("Deze casus heeft nog geen plan van aanpak."))
        return Response(PlanSerializer(plan).data)


class GoalView(APIView):
    @extend_schema(
        operation_id="add_plan_goal",
        summary="Een doel toevoegen",
        request=GoalCreateSerializer,
        description="Een doel per leefgebied; door de casusregisseur of procesregisseur.",
        responses={201: GoalSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        case = _managed_case(request, id)
        data = GoalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.add_goal(request.user, case=case, **data.validated_data)
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class InterventionView(APIView):
    @extend_schema(
        operation_id="add_plan_intervention",
        summary="Een interventie uit de catalogus toevoegen",
        description="De uitvoerende organisatie moet bevoegd zijn volgens de catalogus.",
        request=InterventionCreateSerializer,
        responses={201: InterventionSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        case = _managed_case(request, id)
        data = InterventionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        intervention = services.add_intervention(
            request.user,
            case=case,
            entry_code=d["measure"],
            organisation=_organisation(case, d["organisation"]),
            starts_on=d["starts_on"],
            planned_end=d["planned_end"],
            planned_sessions=d["planned_sessions"],
        )
        return Response(InterventionSerializer(intervention).data, status=status.HTTP_201_CREATED)


class ContactView(APIView):
    @extend_schema(
        operation_id="add_plan_contact",
        summary="Een (niet) gehouden contact vastleggen",
        description="Het contactlogboek van een interventie: datum, doorgegaan of niet, notitie; door de "
        "casusregisseur of procesregisseur, of door de uitvoerende organisatie van die interventie.",
        request=ContactCreateSerializer,
        responses={201: ContactSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        # The service decides per intervention (policy.Action.PLAN_INTERVENTION_DELIVER).
        case = case_selectors.get_case(request.user, id, via_api=True)
        policy.require(request.user, policy.Action.CASE_PLAN_VIEW, case)
        data = ContactCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        contact = services.log_contact(
            request.user,
            case=case,
            intervention_id=d["intervention"],
            on=d["date"],
            held=d["held"],
            note=d["note"],
            via_api=True,
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class ReviewView(APIView):
    @extend_schema(
        operation_id="add_plan_review",
        summary="Een evaluatie vastleggen",
        description="Een score per doel (1-5) met toelichting; optioneel een gestructureerd "
        "instrument (zonder itemteksten). Een afgesloten casus wordt niet geëvalueerd.",
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        case = _managed_case(request, id)
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        scores = {s["goal"]: s["score"] for s in d.pop("scores")}
        review = services.add_review(
            request.user, case=case, held_on=d.pop("held_on"), narrative=d.pop("narrative"), scores=scores, **d
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class AcknowledgementView(APIView):
    @extend_schema(
        operation_id="acknowledge_plan_conflict",
        summary="Een conflict tussen maatregelen erkennen",
        description="Met een reden (verplicht) en optioneel een afstemmingsactie met eigenaar en datum.",
        request=AcknowledgementCreateSerializer,
        responses={201: AcknowledgementSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        case = _managed_case(request, id)
        data = AcknowledgementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        ack = services.acknowledge(
            request.user,
            case=case,
            rule_code=d["rule"],
            reason=d["reason"],
            coordination=d["coordination"],
            owner=_organisation(case, d["owner"]) if d["owner"] else None,
            due_on=d["due_on"],
        )
        return Response(AcknowledgementSerializer(ack).data, status=status.HTTP_201_CREATED)


class TaskCompletionView(APIView):
    @extend_schema(
        operation_id="complete_coordination_task",
        tags=["cases"],
        summary="Een afstemmingsactie afronden",
        description="Door de eigenaar (organisatie) van de afstemmingsactie of de casusregisseur, met "
        "wat er is afgesproken (verplicht). Eenmalig; niet na afsluiting van de casus.",
        request=TaskCompleteSerializer,
        responses={200: CoordinationTaskSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        task = CoordinationTask.objects.select_related("plan").filter(pk=id).first()
        if task is None:
            raise exceptions.NotFound(_("Niet gevonden."))
        case = case_selectors.get_case(request.user, task.plan.case_id, via_api=True)
        task.plan.case = case
        policy.require(request.user, policy.Action.PLAN_TASK_COMPLETE, task)
        data = TaskCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.complete_task(
            request.user, case=case, task_id=task.pk, outcome=data.validated_data["outcome"], via_api=True
        )
        return Response(CoordinationTaskSerializer(task).data)


class CaseCheckInsView(APIView):
    @extend_schema(
        operation_id="list_case_checkins",
        tags=["cases"],
        summary="De opvolgmomenten na afsluiting van een casus",
        description="De geplande en gehouden opvolgmomenten (6 en 12 maanden na afsluiting), ook "
        "voor een casus zonder plan van aanpak. Een afgesloten casus is afgeschermd (Wet PGA art. 6 "
        "lid 3): alleen de casusregisseur en een deelnemende procesregisseur zien dit minimum. "
        "Vastleggen: `POST /checkins/{id}/result`.",
        responses=CheckInSerializer(many=True),
    )
    def get(self, request, id):
        # A closed case is blocked (Wet PGA art. 6 lid 3): only its follow-up minimum.
        case = blocking.get_closed_case(request.user, id, via_api=True)
        return Response(
            CheckInSerializer(selectors.checkins_for_case(request.user, case, via_api=True), many=True).data
        )


class CheckInResultView(APIView):
    @extend_schema(
        operation_id="record_checkin",
        tags=["cases"],
        summary="Een opvolgmoment na afsluiting vastleggen",
        description="Datum, organisatie, nieuwe zorgen ja/nee en een notitie; door de casusregisseur "
        "of procesregisseur, eenmalig en vanaf de geplande datum min het venster "
        "(`opens_on`). Bij nieuwe zorgen zegt `follow_up` wat te doen.",
        request=CheckInRecordSerializer,
        responses={200: CheckInSerializer, **WRITE_ERRORS},
    )
    def post(self, request, id):
        checkin = CheckIn.objects.filter(pk=id).first()
        if checkin is None:
            raise exceptions.NotFound(_("Niet gevonden."))
        case = blocking.get_closed_case(request.user, checkin.case_id, via_api=True)
        policy.require(request.user, policy.Action.CASE_MANAGE, case)
        data = CheckInRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        checkin = services.record_checkin(
            request.user,
            case=case,
            checkin_id=checkin.pk,
            held_on=d["held_on"],
            organisation=_organisation(case, d["organisation"]),
            new_concerns=d["new_concerns"],
            note=d["note"],
            via_api=True,
        )
        return Response(CheckInSerializer(checkin).data)
