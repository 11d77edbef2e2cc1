"""Issue 12: partners contribute to the plan (contacts, ending their own interventions), goals and
interventions can be edited within date bounds, and refused plan forms show their errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casustafel.access import policy
from casustafel.core.errors import PolicyDenied
from casustafel.plans import bounds, services
from casustafel.plans.models import Contact, Goal, Intervention
from casustafel.processing_log.models import ProcessingLogEntry

from .conftest import make_case
from .factories import admit_ggz
from .helpers import login

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def _intervention(world_region, case, code, kind, start=TODAY - timedelta(days=10)):
    return services.add_intervention(
        world_region.users["case_director"],
        case=case,
        entry_code=code,
        organisation=world_region.orgs[kind],
        starts_on=start,
        planned_end=start + timedelta(days=180),
        planned_sessions=4,
    )


@pytest.fixture
def plan(region_a, case_a):
    """case_a with a reclassering intervention (a participant, art. 3 lid 1) and a ggz one (the ggz
    admitted as a third party with plan data marked necessary, art. 3 lid 3)."""
    with time_machine.travel(TODAY, tick=False):
        admit_ggz(region_a, case_a)
        return {
            "reclassering": _intervention(region_a, case_a, "reclasseringstoezicht", "reclassering"),
            "ggz": _intervention(region_a, case_a, "zorg_ggz", "ggz"),
        }


@time_machine.travel(TODAY, tick=False)
def test_partner_records_a_contact_for_its_own_intervention_only(region_a, case_a, plan):
    """Art. 3 lid 3 / art. 4 e: the carrying organisation records contacts of its own intervention."""
    ggz = region_a.users["participant_ggz"]
    contact = services.log_contact(
        ggz, case=case_a, intervention_id=plan["ggz"].pk, on=TODAY, held=True, note="Intake gehouden"
    )
    assert contact.by == ggz and contact.intervention_id == plan["ggz"].pk
    logged = ProcessingLogEntry.objects.get(object_type="contact", object_id=contact.pk, action="create")
    assert logged.user == ggz and logged.data_subject_id == case_a.subject_id
    with pytest.raises(PolicyDenied) as refused:  # the reclassering's intervention is not the ggz's
        services.log_contact(ggz, case=case_a, intervention_id=plan["reclassering"].pk, on=TODAY, held=True)
    assert refused.value.visible and "uitvoerende organisatie" in str(refused.value)
    reclassering = region_a.users["participant_reclassering"]
    services.log_contact(reclassering, case=case_a, intervention_id=plan["reclassering"].pk, on=TODAY, held=False)
    # The case director may still record for every intervention.
    services.log_contact(
        region_a.users["case_director"], case=case_a, intervention_id=plan["ggz"].pk, on=TODAY, held=True
    )
    assert Contact.objects.filter(intervention__plan__case=case_a).count() == 3


@time_machine.travel(TODAY, tick=False)
def test_partner_of_another_region_or_without_plan_data_is_refused(world, region_a, case_a, plan):
    """Art. 3 lid 3: a third party without plan data marked necessary records nothing; nothing crosses regions."""
    other_region = make_case(world["b"])
    with pytest.raises(PolicyDenied):
        services.log_contact(
            world["b"].users["participant_ggz"], case=case_a, intervention_id=plan["ggz"].pk, on=TODAY, held=True
        )
    # Another region's case director cannot reach region a's intervention through its own case either.
    with pytest.raises(ValidationError):
        services.log_contact(
            world["b"].users["case_director"], case=other_region, intervention_id=plan["ggz"].pk, on=TODAY, held=True
        )
    intervention = Intervention.objects.select_related("plan__case").get(pk=plan["ggz"].pk)
    assert policy.can(region_a.users["participant_ggz"], policy.Action.PLAN_INTERVENTION_DELIVER, intervention)
    assert not policy.can(world["b"].users["participant_ggz"], policy.Action.PLAN_INTERVENTION_DELIVER, intervention)
    assert not policy.can(region_a.users["weigher_politie"], policy.Action.PLAN_INTERVENTION_DELIVER, intervention)
    assert not policy.can(region_a.users["analyst"], policy.Action.PLAN_INTERVENTION_DELIVER, intervention)
    assert Contact.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_third_party_without_plan_data_cannot_record(region_a, case_a):
    """Art. 3 lid 3: the ggz admitted with identifying data only may not record plan delivery."""
    admit_ggz(region_a, case_a, necessary_data=("identifying",))
    intervention = _intervention(region_a, case_a, "zorg_ggz", "ggz")
    with pytest.raises(PolicyDenied):
        services.log_contact(
            region_a.users["participant_ggz"], case=case_a, intervention_id=intervention.pk, on=TODAY, held=True
        )


@time_machine.travel(TODAY, tick=False)
def test_partner_ends_its_own_intervention_with_a_note(region_a, case_a, plan):
    ggz = region_a.users["participant_ggz"]
    with pytest.raises(PolicyDenied):
        services.end_intervention(ggz, case=case_a, intervention_id=plan["reclassering"].pk, ended_on=TODAY)
    ended = services.end_intervention(
        ggz, case=case_a, intervention_id=plan["ggz"].pk, ended_on=TODAY, note="Behandeling afgerond"
    )
    assert ended.ended_on == TODAY and ended.end_note == "Behandeling afgerond"
    with pytest.raises(ValidationError) as error:  # an ended intervention takes no more contacts
        services.log_contact(ggz, case=case_a, intervention_id=plan["ggz"].pk, on=TODAY, held=True)
    assert "intervention" in error.value.message_dict


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "starts_on, planned_end, field",
    [
        (date(9999, 1, 1), date(9999, 2, 1), "starts_on"),
        (TODAY, date(9999, 12, 31), "planned_end"),
        (date(1900, 1, 1), TODAY, "starts_on"),
        (TODAY, TODAY - timedelta(days=1), "planned_end"),
    ],
    ids=["year-9999", "end-9999", "year-1900", "end-before-start"],
)
def test_intervention_dates_within_bounds(region_a, case_a, plan, starts_on, planned_end, field):
    """Item 7: dates within one set of bounds (no year 9999), the end not before the start — for
    adding and for editing alike."""
    director = region_a.users["case_director"]
    with pytest.raises(ValidationError) as error:
        services.update_intervention(
            director,
            case=case_a,
            intervention_id=plan["ggz"].pk,
            starts_on=starts_on,
            planned_end=planned_end,
            planned_sessions=2,
        )
    assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_intervention(
            director,
            case=case_a,
            entry_code="zorg_ggz",
            organisation=region_a.orgs["ggz"],
            starts_on=starts_on,
            planned_end=planned_end,
        )
    assert field in error.value.message_dict
    assert bounds.out_of_bounds(date(9999, 1, 1), missing="x")


@time_machine.travel(TODAY, tick=False)
def test_future_or_ancient_contact_and_end_are_refused(region_a, case_a, plan):
    ggz = region_a.users["participant_ggz"]
    for day in (date(9999, 1, 1), TODAY + timedelta(days=1), date(1999, 12, 31)):
        with pytest.raises(ValidationError) as error:
            services.log_contact(ggz, case=case_a, intervention_id=plan["ggz"].pk, on=day, held=True)
        assert "date" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.end_intervention(ggz, case=case_a, intervention_id=plan["ggz"].pk, ended_on=day)
        assert "ended_on" in error.value.message_dict


@time_machine.travel(TODAY, tick=False)
def test_carrying_organisation_edits_its_intervention_and_the_change_is_logged(region_a, case_a, plan):
    ggz = region_a.users["participant_ggz"]
    services.log_contact(ggz, case=case_a, intervention_id=plan["ggz"].pk, on=TODAY - timedelta(days=5), held=True)
    with pytest.raises(ValidationError) as error:  # the start may not pass a recorded contact
        services.update_intervention(
            ggz,
            case=case_a,
            intervention_id=plan["ggz"].pk,
            starts_on=TODAY,
            planned_end=TODAY + timedelta(days=90),
            planned_sessions=6,
        )
    assert "starts_on" in error.value.message_dict
    edited = services.update_intervention(
        ggz,
        case=case_a,
        intervention_id=plan["ggz"].pk,
        starts_on=TODAY - timedelta(days=10),
        planned_end=TODAY + timedelta(days=90),
        planned_sessions=6,
    )
    assert edited.planned_sessions == 6 and edited.updated_by == ggz and edited.updated_at is not None
    assert ProcessingLogEntry.objects.filter(object_type="intervention", object_id=edited.pk, action="update").exists()
    with pytest.raises(PolicyDenied):
        services.update_intervention(
            ggz,
            case=case_a,
            intervention_id=plan["reclassering"].pk,
            starts_on=TODAY,
            planned_end=TODAY + timedelta(days=90),
            planned_sessions=6,
        )


@time_machine.travel(TODAY, tick=False)
def test_only_plan_managers_edit_goals(region_a, case_a):
    director = region_a.users["case_director"]
    goal = services.add_goal(director, case=case_a, domain="huisvesting", description="Woning")
    with pytest.raises(PolicyDenied):
        services.update_goal(
            region_a.users["participant_reclassering"],
            case=case_a,
            goal_id=goal.pk,
            domain="huisvesting",
            description="Anders",
        )
    with pytest.raises(ValidationError):
        services.update_goal(director, case=case_a, goal_id=goal.pk, domain="geen", description=" ")
    services.update_goal(director, case=case_a, goal_id=goal.pk, domain="werk_onderwijs", description="Werk vinden")
    goal = Goal.objects.get(pk=goal.pk)
    assert (goal.domain, goal.description, goal.updated_by) == ("werk_onderwijs", "Werk vinden", director)
    assert ProcessingLogEntry.objects.filter(object_type="goal", object_id=goal.pk, action="update").count() == 1


# ---------------------------------------------------------------- web


@time_machine.travel(TODAY, tick=False)
def test_partner_records_a_contact_on_the_plan_page_and_the_director_sees_it(client, region_a, case_a, plan):
    ggz = region_a.users["participant_ggz"]
    login(client, ggz)
    url = reverse("plans:plan", kwargs={"pk": case_a.pk})
    page = client.get(url).content.decode()
    assert page.count(reverse("plans:contact_add", kwargs={"pk": case_a.pk})) == 1  # its own intervention only
    response = client.post(
        reverse("plans:contact_add", kwargs={"pk": case_a.pk}),
        {"intervention": plan["ggz"].pk, "date": TODAY.isoformat(), "held": "ja", "note": "Eerste gesprek"},
    )
    assert response.status_code == 302
    refused = client.post(
        reverse("plans:contact_add", kwargs={"pk": case_a.pk}),
        {"intervention": plan["reclassering"].pk, "date": TODAY.isoformat(), "held": "ja"},
    )
    assert refused.status_code == 400 and "uitvoerende organisatie" in refused.content.decode()
    client.logout()
    login(client, region_a.users["case_director"])
    page = client.get(url).content.decode()
    assert "Eerste gesprek" in page and "ggz a" in page


@time_machine.travel(TODAY, tick=False)
def test_refused_contact_shows_the_error_at_the_field_with_its_section_open(client, region_a, case_a, plan):
    """Item 8: not "Controleer de gemarkeerde velden" with nothing marked."""
    login(client, region_a.users["case_director"])
    row = plan["ggz"].pk
    response = client.post(
        reverse("plans:contact_add", kwargs={"pk": case_a.pk}),
        {"intervention": row, "date": "9999-01-01", "held": "ja", "note": "Onthouden tekst"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<details open id="interventie-{row}">' in page
    assert f'id="contact-{row}-date_error"' in page and "niet in de toekomst" in page
    assert 'value="9999-01-01"' in page and "Onthouden tekst" in page  # nothing typed is lost
    assert page.count("<details open") == 1


@time_machine.travel(TODAY, tick=False)
def test_refused_acknowledgement_shows_the_error_at_the_field(client, region_a, case_a, plan):
    """Item 8: the conflict acknowledgement's reason is marked at its field (reclasseringstoezicht
    and a meldplicht conflict in the seeded catalogue)."""
    director = region_a.users["case_director"]
    services.add_intervention(
        director,
        case=case_a,
        entry_code="meldplicht",
        organisation=region_a.orgs["gemeente"],
        starts_on=TODAY,
        planned_end=TODAY + timedelta(days=90),
    )
    login(client, director)
    page = client.get(reverse("plans:plan", kwargs={"pk": case_a.pk})).content.decode()
    assert "Conflict erkennen" in page, "the seeded catalogue no longer makes these two conflict"
    rule = page.split('name="rule" value="')[1].split('"')[0]
    response = client.post(reverse("plans:acknowledge", kwargs={"pk": case_a.pk}), {"rule": rule, "reason": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="ack-{rule}-reason_error"' in page


@time_machine.travel(TODAY, tick=False)
def test_edit_forms_on_the_plan_page(client, region_a, case_a, plan):
    director = region_a.users["case_director"]
    goal = services.add_goal(director, case=case_a, domain="huisvesting", description="Woning")
    login(client, director)
    base = {"pk": case_a.pk}
    response = client.post(
        reverse("plans:goal_edit", kwargs=base),
        {"goal": goal.pk, "domain": "huisvesting", "description": "Eigen", "version": goal.version},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("plans:intervention_edit", kwargs=base),
        {
            "intervention": plan["ggz"].pk,
            "starts_on": "2026-03-01",
            "planned_end": "9999-01-01",
            "planned_sessions": 3,
            "version": plan["ggz"].version,
        },
    )
    assert response.status_code == 400
    assert f'id="edit-{plan["ggz"].pk}-planned_end_error"' in response.content.decode()
    page = client.get(reverse("plans:plan", kwargs=base)).content.decode()
    assert "Eigen" in page and "Gewijzigd op" in page


@time_machine.travel(TODAY, tick=False)
def test_contact_write_query_count_is_constant(region_a, case_a, plan):
    """Recording a contact costs the same number of queries however many contacts exist."""
    ggz = region_a.users["participant_ggz"]

    def write():
        with CaptureQueriesContext(connection) as queries:
            services.log_contact(ggz, case=case_a, intervention_id=plan["ggz"].pk, on=TODAY, held=True)
        return len(queries)

    first = write()
    for _ in range(5):
        write()
    assert write() == first


@pytest.mark.parametrize(
    "form_class, field",
    [("GoalForm", "domain"), ("ContactForm", "held"), ("CheckInForm", "new_concerns"), ("InterventionForm", "entry")],
)
def test_plan_forms_preselect_nothing(form_class, field, region_a, case_a):
    """Issue 12 item 10: an untouched plan form records no life domain, no "held", no "no new
    concerns" and no measure; the user chooses explicitly."""
    from casustafel.plans import forms as plan_forms

    kwargs = {"case": case_a} if form_class in ("CheckInForm", "InterventionForm") else {}
    form = getattr(plan_forms, form_class)(data={}, **kwargs)
    assert form.fields[field].choices[0][0] == ""
    assert not form.is_valid() and field in form.errors
