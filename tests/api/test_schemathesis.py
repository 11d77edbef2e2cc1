"""Schemathesis against the committed OpenAPI document: property-based requests for every
operation, generated from the document itself, sent to the application (WSGI, no network).

Each operation is called by a role the authorization matrix permits, on the matrix's
object for its path, so the generated bodies reach validation and the services. The
checks: never a server error, and every response — status, content type, body — as the
document promises it. Any failure is a bug in the code or in the document.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from casustafel.accounts.services import create_api_token
from casustafel.wsgi import application

from .test_authorization import (  # noqa: F401 — the matrix's fixtures, used by name
    ROLES,
    ROUTES,
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
from .test_openapi import COMMITTED

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_path(COMMITTED)
schema.app = application

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
#: Examples per operation: enough to find the edges, few enough for CI on two cores.
EXAMPLES = 25


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Keep the test's connection open across WSGI calls, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _route(path: str) -> str:
    return "api/v1" + re.sub(r"\{[^}]+\}", "<uuid:id>", path)


def _caller(route: str, method: str) -> str:
    spec = ROUTES.get(route)
    if spec is None or method not in spec.expect:
        return "process_director"
    for role in ROLES:
        if 200 <= spec.expect[method](role) < 300:
            return role
    return "process_director"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_keeps_its_promises(case, world, request, wsgi_in_the_test_transaction):
    route = _route(case.path)
    spec = ROUTES.get(route)
    if spec is not None and spec.target and case.path_parameters:
        case.path_parameters = {"id": str(request.getfixturevalue(spec.target).pk)}
    user = world["a"].users[_caller(route, case.method.lower())]
    token = create_api_token(user)
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
