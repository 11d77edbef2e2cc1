"""Reads of weighings, through the access policy; detail reads are logged."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404

from casustafel.access import policy
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record, record_refused

from .models import Consultation, Contribution, Decision, RegistrantNotice, Weighing


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


def consultations_of(user, weighing: Weighing, *, via_api: bool = False) -> list[Consultation]:
    """The consultations of other participants recorded on a weighing the user may see (art. 5
    lid 3 Wet PGA): part of the weighing record, so whoever sees the weighing sees them; each
    read is logged. ``weighing`` comes from :func:`get_weighing` (already scoped)."""
    consultations = list(
        Consultation.objects.filter(weighing__in=visible_weighings(user).filter(pk=weighing.pk).values("pk"))
        .select_related("organisation", "consulting_organisation", "recorded_by", "answer_recorded_by")
        .order_by("consulted_on", "recorded_at")
    )
    for consultation in consultations:
        consultation.weighing = weighing  # the scoped row: its subject is logged without a query per row
    record(user, action=Action.READ, purpose=Purpose.WEIGHING, objects=consultations, via_api=via_api)
    return consultations


def get_consultation(user, pk, *, via_api: bool = False) -> Consultation:
    """A consultation of a weighing the user may see, else "not found" (the refusal logged)."""
    try:
        consultation = Consultation.objects.select_related("weighing", "organisation").get(
            pk=pk, weighing__in=visible_weighings(user).values("pk")
        )
    except (Consultation.DoesNotExist, ValueError, TypeError, ValidationError):
        record_refused(user, action=Action.READ, purpose=Purpose.WEIGHING, model=Consultation, pk=pk, via_api=via_api)
        raise Http404 from None
    record(user, action=Action.READ, purpose=Purpose.WEIGHING, objects=[consultation], via_api=via_api)
    return consultation
