"""Wet PGA art. 13: the API authorisation matrix with expired designations.

For every API route, a role the matrix lets through gets problem+json 403 once its
designation has expired, for every verb it was allowed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from casustafel.accounts.models import Designation

from .conftest import assert_problem
from .test_authorization import (  # noqa: F401 — the matrix's fixtures, used by name
    ROLES,
    ROUTES,
    _call,
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

PRIVATE_ROUTES = sorted(route for route, spec in ROUTES.items() if not spec.public)


@pytest.mark.parametrize("route", PRIVATE_ROUTES)
def test_art13_an_expired_designation_closes_every_api_route(route, world, request, api):
    spec = ROUTES[route]
    path = _path(route, request)
    yesterday = timezone.localdate() - timedelta(days=1)
    Designation.objects.update(valid_from=yesterday - timedelta(days=30), valid_until=yesterday)
    checked = 0
    for verb, expect in spec.expect.items():
        role = next((r for r in ROLES if expect(r) < 400), None)
        if role is None:
            continue
        body = spec.body[verb](request) if verb in spec.body else None
        assert_problem(_call(api(world["a"].users[role]), verb, path, body), 403)
        checked += 1
    assert checked, "every private route lets some role through"
