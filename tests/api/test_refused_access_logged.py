"""Every refused access to an existing object through the API is in the processing log
(Wet PGA art. 17), whatever its type: a meta-test over the API authorization matrix, for
every object route and every verb a role is refused (403 or 404).
"""

from __future__ import annotations

import pytest
from django.db import transaction

from casustafel.processing_log.models import ProcessingLogEntry, Status

from .test_authorization import (  # noqa: F401 — the matrix's fixtures, used by name
    ROLES,
    ROUTES,
    _path,
    agenda_item_a,
    closed_case_a,
    closed_checkin_a,
    coordination_task_a,
    due_checkin_a,
    incoming_transfer_a,
    meeting_a,
    meeting_action_a,
    meeting_objects_a,
    planned_case_a,
)

pytestmark = pytest.mark.django_db

OBJECT_ROUTES = sorted(route for route, spec in ROUTES.items() if spec.target and not spec.public)


@pytest.mark.parametrize("route", OBJECT_ROUTES)
def test_refused_api_access_is_logged(route, world, request, api):
    spec = ROUTES[route]
    request.getfixturevalue(spec.target)
    path = _path(route, request)
    missing = []
    for role in ROLES:
        client = api(world["a"].users[role])
        for verb, expect in spec.expect.items():
            if expect(role) not in (403, 404):
                continue
            body = spec.body[verb](request) if verb in spec.body else None
            with transaction.atomic():
                response = getattr(client, verb)(path, data=body, format="json")
                assert response.status_code == expect(role), (role, verb, response.content[:200])
                # The object refused: the target, or the object the policy decided on (an agenda
                # item's meeting, a task's case).
                refused = ProcessingLogEntry.objects.filter(
                    status=Status.REFUSED, audit_record__user=world["a"].users[role]
                ).exists()
                if not refused:
                    missing.append(f"{role} {verb.upper()} → {response.status_code}")
                transaction.set_rollback(True)
    assert missing == [], f"{route}: refusals without a log entry: {missing}"
