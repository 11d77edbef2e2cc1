"""Cross-region "known elsewhere" check: hit / no hit on keyed hashes, then a formal request."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.access import policy, rls
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record

from .models import CrossRegionRequest, Subject, SubjectKind


def _matches_elsewhere(subject: Subject) -> list[tuple]:
    """(subject id, region id) of the same person at other tables.

    The one place that reads across regions: the database scope is widened to every
    region for this single query (ADR 0014), which returns only keys, never content.
    """
    if subject.is_legal_person:
        matches = _organisation_matches(subject)
    else:
        condition = Q(identity_index=subject.identity_index)
        if subject.bsn_index:
            condition |= Q(bsn_index=subject.bsn_index)
        matches = Subject.objects.filter(condition, kind=SubjectKind.NATURAL_PERSON).exclude(
            region_id=subject.region_id
        )
        if subject.bsn_index:
            # Same name and birth date but another BSN is another person.
            matches = matches.filter(Q(bsn_index=subject.bsn_index) | Q(bsn_index=""))
    with rls.all_regions():
        return list(matches.values_list("pk", "region_id"))


def _organisation_matches(subject: Subject):
    """A legal person (Wet PGA art. 2) elsewhere: same KvK number or RSIN; or the same name and
    place where no number on either side says it is another organisation."""
    numbers = Q()
    if subject.kvk_index:
        numbers |= Q(kvk_index=subject.kvk_index)
    if subject.rsin_index:
        numbers |= Q(rsin_index=subject.rsin_index)
    same_name = Q(identity_index=subject.identity_index)
    if subject.kvk_index:
        same_name &= Q(kvk_index="") | Q(kvk_index=subject.kvk_index)
    if subject.rsin_index:
        same_name &= Q(rsin_index="") | Q(rsin_index=subject.rsin_index)
    condition = (numbers | same_name) if numbers else same_name
    return Subject.objects.filter(condition, kind=SubjectKind.LEGAL_PERSON).exclude(region_id=subject.region_id)


def known_elsewhere(actor, subject: Subject) -> bool:
    """Hit / no hit only: whether another region's table knows this person."""
    policy.require(actor, policy.Action.SIGNAL_VIEW, subject)
    hit = bool(_matches_elsewhere(subject))
    record(actor, action=Action.SEARCH, purpose=Purpose.KNOWN_PERSON_CHECK, objects=[subject])
    return hit


@transaction.atomic
def request_information(actor, subject: Subject, reason: str) -> int:
    """Start a formal request to every region that knows the person; returns how many."""
    policy.require(actor, policy.Action.SIGNAL_VIEW, subject)
    if not reason.strip():
        raise ValidationError({"reason": _("Geef de reden van het verzoek.")})
    targets = _matches_elsewhere(subject)
    if not targets:
        raise ValidationError(_("Deze persoon is niet bekend bij een andere casustafel."), code="no_hit")
    requests = CrossRegionRequest.objects.bulk_create(
        CrossRegionRequest(
            subject=subject,
            from_region_id=subject.region_id,
            to_subject_id=target_id,
            to_region_id=region_id,
            requested_by=actor,
            reason=reason.strip(),
        )
        for target_id, region_id in targets
    )
    record(actor, action=Action.CREATE, purpose=Purpose.KNOWN_PERSON_CHECK, objects=requests)
    return len(requests)


def incoming_requests(user):
    """Requests to this user's table (matched to the table's own record of the person)."""
    return policy.scope_cross_region_requests(user, CrossRegionRequest.objects.all(), incoming=True).select_related(
        "to_subject", "from_region"
    )


def outgoing_requests(user):
    return policy.scope_cross_region_requests(user, CrossRegionRequest.objects.all(), incoming=False).select_related(
        "subject"
    )


@transaction.atomic
def answer_request(actor, request_id, answer: str) -> CrossRegionRequest:
    try:
        request = incoming_requests(actor).select_for_update(of=("self",)).get(pk=request_id)
    except (CrossRegionRequest.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    if request.status == CrossRegionRequest.ANSWERED:
        raise ValidationError(_("Dit verzoek is al beantwoord."), code="answered")
    if not answer.strip():
        raise ValidationError({"answer": _("Geef een antwoord.")})
    request.status, request.answer = CrossRegionRequest.ANSWERED, answer.strip()
    request.answered_by, request.answered_at = actor, timezone.now()
    request.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    record(actor, action=Action.UPDATE, purpose=Purpose.KNOWN_PERSON_CHECK, objects=[request])
    return request
