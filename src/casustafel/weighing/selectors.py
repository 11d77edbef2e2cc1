"""Reads of weighings, through the access policy; detail reads are logged."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import Contribution, Decision, RegistrantNotice, Weighing


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


def get_decision(user, pk, *, via_api: bool = False) -> Decision:
    """A decision of a weighing the user may see (the weighing's need-to-know), else "not found"."""
    try:
        decision = Decision.objects.select_related("weighing").get(
            pk=pk, weighing__in=visible_weighings(user).values("pk")
        )
    except (Decision.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, action=Action.READ, purpose=Purpose.WEIGHING, model=Decision, pk=pk, via_api=via_api)
        raise Http404 from None
    record(user, action=Action.READ, purpose=Purpose.WEIGHING, objects=[decision], via_api=via_api)
    return decision


def open_registrant_notices(user, *, weighing=None, limit: int | None = None) -> list[RegistrantNotice]:
    """Art. 5 lid 6: registering participants still to be informed, for the weighings the user sees
    (or for one of them), oldest first; at most ``limit`` (the dashboard's work list)."""
    weighings = visible_weighings(user) if weighing is None else visible_weighings(user).filter(pk=weighing.pk)
    notices = (
        RegistrantNotice.objects.filter(informed_on__isnull=True, decision__weighing__in=weighings.values("pk"))
        .select_related("organisation", "decision__weighing")
        .order_by("created_at")
    )
    return list(notices[:limit] if limit is not None else notices)
