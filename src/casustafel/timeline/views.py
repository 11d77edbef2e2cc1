"""Timeline pages: a case's and a person's, newest first, the user's visible part only."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from casustafel.access import policy
from casustafel.cases import selectors as case_selectors

from . import selectors


@require_GET
def case_timeline(request, pk):
    case = case_selectors.get_case(request.user, pk)
    entries = selectors.case_timeline(request.user, case)
    return render(
        request,
        "timeline/timeline.html",
        {
            "case": case,
            "entries": entries,
            "subject": case.subject if policy.can(request.user, policy.Action.CASE_IDENTITY_VIEW, case) else None,
        },
    )


@require_GET
def person_timeline(request, pk):
    subject = selectors.get_subject(request.user, pk)
    entries = selectors.person_timeline(request.user, subject)
    return render(request, "timeline/timeline.html", {"person": subject, "entries": entries})
