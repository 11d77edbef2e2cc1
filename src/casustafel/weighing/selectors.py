"""Reads of weighings, through the access policy; detail reads are logged."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import Contribution, Weighing


def visible_weighings(user):
    return policy.scope_weighings(user, Weighing.objects.select_related("subject", "framework"))


def get_weighing(user, pk, *, via_api: bool = False) -> Weighing:
    qs = visible_weighings(user).prefetch_related(
        "framework__criteria",
        "signals",
        "decisions",
        Prefetch(
            "contributions",
            queryset=Contribution.objects.select_related(
                "organisation", "contributor", "legal_basis", "weighing"
            ).prefetch_related("assessments__criterion"),
        ),
    )
    try:
        weighing = qs.get(pk=pk)
    except (Weighing.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, action=Action.READ, purpose=Purpose.WEIGHING, model=Weighing, pk=pk, via_api=via_api)
        raise Http404 from None
    record(user, action=Action.READ, purpose=Purpose.WEIGHING, objects=[weighing], via_api=via_api)
    return weighing
