"""Reads that cross signals and cases."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from casustafel.cases import states as case_states
from casustafel.cases.models import Case
from casustafel.signals.models import Signal


def reopening_proposals(region_id: Any) -> QuerySet[Case]:
    """Scaled-down cases of the region with a signal about the person registered after the
    case was scaled down: the next conference is proposed to reopen them.

    Not closed cases: their data are blocked (Wet PGA art. 6 lid 3); a new aanmelding about
    the person is weighed anew by the three, who are told the blocked case exists
    (``cases.blocking``)."""
    newer_signal = Signal.objects.filter(
        subject_id=OuterRef("subject_id"), registered_at__gt=OuterRef("status_changed_at")
    )
    return Case.objects.filter(region_id=region_id, status=case_states.SCALED_DOWN).filter(Exists(newer_signal))


def proposes_reopening(signal: Signal) -> bool:
    """Whether registering ``signal`` put a reopening proposal on the next conference's agenda."""
    return reopening_proposals(signal.region_id).filter(subject_id=signal.subject_id).exists()
