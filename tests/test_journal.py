"""The case journal (issue 12 item 3): participants add updates with provenance; entries are
immutable (a correction is a new entry, art. 10); reads follow the visibility the writing
organisation chose; every read and write is in the processing log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casustafel.core.errors import PolicyDenied
from casustafel.journal import selectors, services
from casustafel.journal.models import JournalEntry
from casustafel.processing_log.models import ProcessingLogEntry

from .conftest import make_case
from .factories import admit_ggz
from .helpers import login

pytestmark = pytest.mark.django_db


def write(user, case, text="Gesprek gevoerd; afspraak over dagbesteding.", **provenance):
    values = {"legal_basis": "wet-pga", "classification": "ordinary", "visibility": "all_participants"}
    values.update(provenance)
    return services.add_entry(user, case=case, text=text, **values)


def test_participant_adds_an_update_with_provenance_and_it_is_logged(region_a, case_a):
    reclassering = region_a.users["participant_reclassering"]
    entry = write(reclassering, case_a)
    assert (entry.author, entry.organisation) == (reclassering, region_a.orgs["reclassering"])
    assert entry.legal_basis.code == "wet-pga" and entry.classification == "ordinary"
    assert entry.visibility == "all_participants" and entry.data_category == "plan_of_action"
    assert entry.created_at is not None and entry.kind == "update"
    logged = ProcessingLogEntry.objects.get(object_type="journalentry", object_id=entry.pk, action="create")
    assert logged.user == reclassering and logged.data_subject_id == case_a.subject_id


@pytest.mark.parametrize(
    "provenance, field",
    [
        ({"legal_basis": ""}, "legal_basis"),
        ({"legal_basis": "wpg-20"}, "legal_basis"),  # the politie's basis, not the reclassering's
        ({"classification": "special_category"}, "classification"),  # art. 8: refused since version 2
        ({"visibility": "everyone"}, "visibility"),
    ],
)
def test_provenance_is_checked_like_every_contribution(region_a, case_a, provenance, field):
    """Art. 8 and the legal-bases data: the same checks as a weighing contribution."""
    with pytest.raises(ValidationError) as error:
        write(region_a.users["participant_reclassering"], case_a, **provenance)
    assert field in error.value.message_dict
    assert JournalEntry.objects.count() == 0


def test_empty_text_is_refused(region_a, case_a):
    with pytest.raises(ValidationError) as error:
        write(region_a.users["participant_reclassering"], case_a, text="   ")
    assert "text" in error.value.message_dict


def test_who_may_write(world, region_a, case_a):
    """Art. 3 lid 3: a third party writes only with plan data marked necessary; other regions and
    roles without case work never."""
    for outsider in (region_a.users["participant_ggz"], region_a.users["analyst"], world["b"].users["case_director"]):
        with pytest.raises(PolicyDenied):
            write(outsider, case_a)
    admit_ggz(region_a, case_a)
    assert write(region_a.users["participant_ggz"], case_a).organisation == region_a.orgs["ggz"]


def test_entries_are_immutable_and_a_correction_refers_to_the_original(region_a, case_a):
    """Art. 10: the supplier corrects with a new entry; the original stays, marked corrected."""
    reclassering = region_a.users["participant_reclassering"]
    original = write(reclassering, case_a, text="Afspraak op dinsdag.")
    original.text = "Gewijzigd"
    with pytest.raises(ValueError):
        original.save()
    with pytest.raises(ValidationError) as error:  # another organisation cannot correct it
        write(region_a.users["case_director"], case_a, corrects_id=original.pk)
    assert "corrects" in error.value.message_dict
    correction = write(reclassering, case_a, text="Afspraak op woensdag.", corrects_id=original.pk)
    assert correction.kind == "correction" and correction.corrects_id == original.pk
    entries = selectors.entries_for_case(region_a.users["case_director"], case_a)
    assert [e.text for e in entries] == ["Afspraak op woensdag.", "Afspraak op dinsdag."]
    assert entries[1].is_corrected and not entries[0].is_corrected


def test_reads_follow_the_chosen_visibility_and_are_logged(region_a, case_a):
    """The visibility the writing organisation chose (provenance) narrows who reads the entry."""
    politie = region_a.users["weigher_politie"]
    core_only = write(politie, case_a, legal_basis="wet-pga", visibility="core_parties", text="Alleen kern")
    everyone = write(region_a.users["participant_reclassering"], case_a, text="Voor iedereen")
    director = region_a.users["case_director"]  # the zvh: not a core party
    assert [e.pk for e in selectors.entries_for_case(director, case_a)] == [everyone.pk]
    assert {e.pk for e in selectors.entries_for_case(region_a.users["weigher_om"], case_a)} == {
        core_only.pk,
        everyone.pk,
    }
    read = ProcessingLogEntry.objects.filter(object_type="journalentry", action="read", audit_record__user=director)
    assert set(read.values_list("object_id", flat=True)) == {everyone.pk}
    with pytest.raises(PolicyDenied):  # a third party without plan data reads no journal
        selectors.entries_for_case(region_a.users["participant_ggz"], case_a)


def test_timeline_entries_for_part_c(world, region_a, case_a):
    entry = write(region_a.users["participant_reclassering"], case_a, text="x" * 300)
    other = make_case(world["b"])
    write(world["b"].users["case_director"], other, text="Andere regio")
    lines = selectors.timeline_entries(region_a.users["case_director"], [case_a])
    assert len(lines) == 1
    line = lines[0]
    assert line.date == entry.created_at and line.kind == "Casusjournaal" and len(line.text) <= 120
    assert line.link == reverse("journal:journal", kwargs={"pk": case_a.pk}) + f"#notitie-{entry.pk}"
    assert selectors.timeline_entries(region_a.users["participant_ggz"], [case_a]) == []


def test_journal_page_adds_an_entry_and_the_plan_page_shows_it(client, region_a, case_a):
    login(client, region_a.users["participant_reclassering"])
    url = reverse("journal:journal", kwargs={"pk": case_a.pk})
    assert client.get(url).status_code == 200
    data = {
        "text": "Toezichtgesprek gehouden",
        "legal_basis": "wet-pga",
        "data_category": "plan_of_action",
        "classification": "ordinary",
        "visibility": "all_participants",
    }
    assert client.post(url, {**data, "text": ""}).status_code == 400
    assert client.post(url, data).status_code == 302
    client.logout()
    login(client, region_a.users["case_director"])
    plan = client.get(reverse("plans:plan", kwargs={"pk": case_a.pk})).content.decode()
    assert "Toezichtgesprek gehouden" in plan and "reclassering a" in plan


def test_correction_through_the_page(client, region_a, case_a):
    reclassering = region_a.users["participant_reclassering"]
    original = write(reclassering, case_a, text="Eerste versie")
    login(client, reclassering)
    url = reverse("journal:journal", kwargs={"pk": case_a.pk})
    page = client.get(url, {"corrigeer": original.pk}).content.decode()
    assert f'value="{original.pk}"' in page and "U corrigeert de notitie" in page
    response = client.post(
        url,
        {
            "text": "Tweede versie",
            "corrects": original.pk,
            "legal_basis": "wet-pga",
            "data_category": "plan_of_action",
            "classification": "ordinary",
            "visibility": "all_participants",
        },
    )
    assert response.status_code == 302
    assert JournalEntry.objects.get(text="Tweede versie").corrects_id == original.pk


def test_journal_read_and_write_query_counts_are_constant(client, region_a, case_a):
    reclassering = region_a.users["participant_reclassering"]

    def timed_write():
        with CaptureQueriesContext(connection) as queries:
            write(reclassering, case_a)
        return len(queries)

    first = timed_write()
    login(client, region_a.users["case_director"])
    url = reverse("journal:journal", kwargs={"pk": case_a.pk})
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        timed_write()
    assert timed_write() == first
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
