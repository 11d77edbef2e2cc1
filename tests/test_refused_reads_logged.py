"""Every refused read of an existing object is in the processing log (Wet PGA art. 17: the
log shows who accessed, or tried to access, which data — a refusal included).

A meta-test over the web authorization matrix: for every route that reads one object
(a ``pk`` in its path), every user the matrix refuses gets "not found", and the log holds
a *refused* entry for that object, whatever its type. A new object route is covered as
soon as it is in the matrix, which ``test_every_web_route_is_in_the_matrix`` demands.
``tests/api/test_refused_access_logged.py`` does the same over the API matrix.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from casustafel.processing_log.models import ProcessingLogEntry, Status

from .helpers import login
from .test_auth_matrix_web import MATRIX, _users
from .test_auth_matrix_web import objects as objects  # the matrix's fixture, used by name

pytestmark = pytest.mark.django_db

OBJECT_READS = sorted(
    route for route, (kwargs_key, grants) in MATRIX.items() if kwargs_key is not None and "get" in grants
)


@pytest.mark.parametrize("route", OBJECT_READS)
def test_refused_object_read_is_logged(route, world, objects, client):
    kwargs_key, grants = MATRIX[route]
    kwargs = objects[kwargs_key]
    url = reverse(route, kwargs=kwargs)
    missing = []
    for region, key, user in _users(world):
        if region == "a" and key in grants["get"]:
            continue
        login(client, user)
        with transaction.atomic():
            before = ProcessingLogEntry.objects.count()
            response = client.get(url)
            assert response.status_code == 404, (region, key, response.status_code)
            refused = ProcessingLogEntry.objects.filter(
                object_id=kwargs["pk"], status=Status.REFUSED, audit_record__user=user
            ).exists()
            if not refused:
                missing.append(f"{region}/{key} (log grew by {ProcessingLogEntry.objects.count() - before})")
            transaction.set_rollback(True)
        client.logout()
    assert missing == [], f"{route}: refused reads without a log entry: {missing}"
