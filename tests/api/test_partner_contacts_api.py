"""A partner records a contact of its own intervention through the API (issue 12 item 3)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casustafel.plans import services

from .conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_the_carrying_organisation_records_a_contact_and_no_other(api, region_a, case_a):
    today = timezone.localdate()
    own = services.add_intervention(
        region_a.users["case_director"],
        case=case_a,
        entry_code="reclasseringstoezicht",
        organisation=region_a.orgs["reclassering"],
        starts_on=today - timedelta(days=5),
        planned_end=today + timedelta(days=90),
    )
    other = services.add_intervention(
        region_a.users["case_director"],
        case=case_a,
        entry_code="zorg_ggz",
        organisation=region_a.orgs["ggz"],
        starts_on=today - timedelta(days=5),
        planned_end=today + timedelta(days=90),
    )
    client = api(region_a.users["participant_reclassering"])
    path = f"/api/v1/cases/{case_a.pk}/plan/contacts"
    body = {"date": str(today), "held": True, "note": "Toezichtgesprek"}
    response = client.post(path, {**body, "intervention": str(own.pk)}, format="json")
    assert response.status_code == 201, response.content
    assert_problem(client.post(path, {**body, "intervention": str(other.pk)}, format="json"), 403)
    assert_problem(
        client.post(path, {**body, "intervention": str(own.pk), "date": "9999-01-01"}, format="json"), 400, "date"
    )
