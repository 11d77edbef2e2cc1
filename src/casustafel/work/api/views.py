from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..queue import work_queue
from .serializers import WorkQueueSerializer


class WorkQueueView(APIView):
    @extend_schema(
        operation_id="list_work_items",
        summary="Mijn werkvoorraad",
        description="Wat op de organisatie van de gebruiker wacht, wat over de termijn is eerst; per soort ten "
        "hoogste 25 taken met het totaal. Een taak noemt alleen soort, kenmerk, termijn en pad, nooit een naam of "
        "inhoud. Elke getoonde taak wordt vastgelegd in het logboek dataverwerkingen.",
        responses=WorkQueueSerializer,
    )
    def get(self, request):
        queue = work_queue(request.user, via_api=True)
        items = [
            {
                "kind": item.kind,
                "task": str(item.label),
                "reference": item.reference,
                "due_on": item.due_on,
                "overdue": item.overdue(queue.today),
                "acute": item.acute,
                "url": item.path,
            }
            for item in queue.items
        ]
        kinds = [{"kind": b.source.kind, "task": str(b.source.label), "total": b.total} for b in queue.blocks]
        data = {"items": items, "kinds": kinds, "total": queue.total, "overdue": queue.overdue}
        return Response(WorkQueueSerializer(data).data)
