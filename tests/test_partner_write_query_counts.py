"""Partners' write paths have a pinned number of SQL queries (issue 12 item 3), in the manner of
tests/test_write_query_counts.py (see its docstring for what every count contains): a partner's
contact and a journal update through the web, each at two sizes with one number for both."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casustafel.journal.models import JournalEntry
from casustafel.plans import services as plans
from casustafel.plans.models import Contact

from .conftest import make_case
from .factories import admit_ggz
from .helpers import login

pytestmark = pytest.mark.django_db

#: Pinned counts (a change is a decision: update the number and say why in the commit).
CONTACT = 23
JOURNAL = 23

JOURNAL_FORM = {
    "text": "Gesprek gevoerd.",
    "legal_basis": "wet-pga",
    "data_category": "plan_of_action",
    "classification": "ordinary",
    "visibility": "all_participants",
}


def today():
    return timezone.localdate()


def post_counting_queries(client, path, data):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(path, data)
    return response, ctx.captured_queries


def assert_query_count(queries, expected: int, write: str) -> None:
    listing = "\n".join(f"{n:3}. {q['sql']}" for n, q in enumerate(queries, 1))
    assert len(queries) == expected, f"{write}: {len(queries)} queries, pinned at {expected}.\n{listing}"


@pytest.fixture
def web():
    return lambda user: login(Client(), user)


@pytest.fixture
def warm(region_a):
    """The core flow once: the process has cached its one-off lookups (as test_write_query_counts)."""
    make_case(region_a, family_name="Opwarmen")
    return region_a


def _ggz_intervention(region, case):
    admit_ggz(region, case)
    return plans.add_intervention(
        region.users["case_director"],
        case=case,
        entry_code="zorg_ggz",
        organisation=region.orgs["ggz"],
        starts_on=today() - timedelta(days=30),
        planned_end=today() + timedelta(days=90),
    )


def test_a_partners_contact_on_the_web_costs_the_same_for_any_number_of_contacts(web, warm):
    case = make_case(warm, family_name="Partner")
    intervention = _ggz_intervention(warm, case)
    ggz = web(warm.users["participant_ggz"])
    path = f"/casussen/{case.pk}/plan/contacten/"
    form = {"intervention": intervention.pk, "date": today().isoformat(), "held": "ja", "note": "Gesprek"}
    for contacts in (1, 10):
        while Contact.objects.filter(intervention=intervention).count() < contacts:
            assert ggz.post(path, form).status_code == 302
        response, queries = post_counting_queries(ggz, path, form)
        assert response.status_code == 302
        # session, scope, the case selector and its read log, the transaction with its locks, the
        # insert and its log record (as tests/test_write_query_counts.py counts them)
        assert_query_count(queries, CONTACT, f"a partner's contact (web, {contacts} contacts)")


def test_a_journal_update_on_the_web_costs_the_same_for_any_journal_size(web, warm):
    case = make_case(warm, family_name="Journaal")
    reclassering = web(warm.users["participant_reclassering"])
    path = f"/casussen/{case.pk}/journaal/"
    for entries in (1, 10):
        while JournalEntry.objects.filter(case=case).count() < entries:
            assert reclassering.post(path, JOURNAL_FORM).status_code == 302
        response, queries = post_counting_queries(reclassering, path, JOURNAL_FORM)
        assert response.status_code == 302
        # the same shape, with the legal bases the form offers and the provenance checks
        assert_query_count(queries, JOURNAL, f"a journal update (web, {entries} entries)")


def test_the_journal_page_reads_in_a_constant_number_of_queries(web, warm):
    case = make_case(warm, family_name="Lezen")
    reclassering = web(warm.users["participant_reclassering"])
    path = f"/casussen/{case.pk}/journaal/"
    assert reclassering.post(path, JOURNAL_FORM).status_code == 302
    director = web(warm.users["case_director"])
    with CaptureQueriesContext(connection) as few:
        assert director.get(path).status_code == 200
    for _ in range(10):
        assert reclassering.post(path, JOURNAL_FORM).status_code == 302
    with CaptureQueriesContext(connection) as many:
        assert director.get(path).status_code == 200
    assert len(many) == len(few)
