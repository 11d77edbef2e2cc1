"""Wet PGA art. 13: the authorisation matrix with expired designations.

Every web route of the matrix, for a user the matrix grants it: once that user's designation
has expired, the route sends them to "Geen geldige aanwijzing" instead of serving it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casustafel.accounts.models import Designation

from .helpers import login
from .test_auth_matrix_web import MATRIX
from .test_auth_matrix_web import objects as objects  # the matrix's fixture, used by name

pytestmark = pytest.mark.django_db

NO_DESIGNATION = "/geen-aanwijzing/"


def _expire(user) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    Designation.objects.filter(user=user).update(valid_from=yesterday - timedelta(days=30), valid_until=yesterday)


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_art13_an_expired_designation_closes_every_route_to_a_granted_user(route, world, objects, client):
    kwargs_key, grants = MATRIX[route]
    url = reverse(route, kwargs=objects[kwargs_key])
    # The explanation page itself answers the undesignated user (403, with what to do).
    expected = (403, None) if url == NO_DESIGNATION else (302, NO_DESIGNATION)
    failures = []
    for verb, users in sorted(grants.items()):
        user = world["a"].users[sorted(users)[0]]
        _expire(user)
        login(client, user)
        response = getattr(client, verb)(url)
        if (response.status_code, response.get("Location")) != expected:
            failures.append(f"{verb.upper()} as {user.username} → {response.status_code}")
    assert failures == []
