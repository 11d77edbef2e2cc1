"""A case conference (casusoverleg) from agenda to minutes and actions in a real browser, with
axe-core (WCAG 2.1 A/AA) on every page; and the plan of action of a case.

process director: login → "Casusoverleggen" → plan a conference → build the agenda from the
suggested cases → invite the involved organisations → record attendance → minutes, a decision
and an owned action on one item → the PDF for one organisation; the GGZ participant (involved
in one of the cases only) then sees only that item and completes its action. The case director
adds a goal and a catalogue intervention to a plan of action.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casustafel.meetings.models import ActionStatus, MeetingAction
from casustafel.plans.models import Goal, Intervention

from ..conftest import make_case
from ..factories import admit_ggz, build_region
from .test_flow import login_ok, logout, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def agenda_item(page, case):
    return page.locator("article").filter(has=page.get_by_role("heading", level=3, name=re.compile(case.reference)))


def test_conference_from_agenda_to_minutes_and_actions(page, check_a11y):
    world = build_region("a")
    users, orgs = world.users, world.orgs
    shared = make_case(world, family_name="Overlegpersoon")
    other = make_case(world, family_name="Anderpersoon", date_of_birth=timezone.localdate().replace(year=1990))
    # GGZ takes part in the first case only; reclassering (added by make_case) in both.
    admit_ggz(world, shared)
    day = timezone.localdate() + timedelta(days=7)
    due = timezone.localdate() + timedelta(days=14)

    # --- the process director plans the conference
    director = users["process_director"]
    login_ok(page, check_a11y, director)
    nav(page, "Casusoverleggen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casusoverleggen")
    expect(page.get_by_role("main")).to_contain_text("Er zijn nog geen casusoverleggen gepland.")
    check_a11y(page, "casusoverleggen (leeg)")
    page.get_by_role("link", name="Casusoverleg plannen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casusoverleg plannen")
    check_a11y(page, "overleg plannen")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Begintijd").fill("10:00")
    page.get_by_label("Eindtijd").fill("12:00")
    page.get_by_label("Locatie of link online overleg").fill("Stadhuis, zaal 3")
    page.get_by_role("button", name="Plannen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Casusoverleg "))
    expect(page.get_by_role("status")).to_contain_text("Het casusoverleg is gepland.")
    check_a11y(page, "overleg (nieuw)")
    meeting_url = page.url

    # --- agenda from the suggested (newly included) cases
    agenda = page.get_by_role("region", name="Agenda", exact=True)
    expect(agenda).to_contain_text(shared.reference)
    expect(agenda).to_contain_text(other.reference)
    page.get_by_role("button", name="Voorgestelde casussen agenderen").click()
    expect(page.get_by_role("status")).to_contain_text("2 casussen op de agenda gezet.")
    expect(agenda_item(page, shared)).to_have_count(1)
    expect(agenda_item(page, other)).to_have_count(1)
    check_a11y(page, "overleg met agenda")

    # --- invitations and attendance
    page.get_by_role("button", name="Betrokken organisaties van de agendapunten uitnodigen").click()
    expect(page.get_by_role("status")).to_contain_text("organisaties uitgenodigd.")
    invitations = page.get_by_role("table", name="Uitgenodigde organisaties en aanwezigheid")
    expect(invitations).to_contain_text(orgs["ggz"].name)
    expect(invitations).to_contain_text(orgs["reclassering"].name)
    check_a11y(page, "overleg met uitnodigingen")
    page.get_by_role("combobox", name="Organisatie (verplicht)").select_option(label=orgs["ggz"].name)
    page.get_by_role("combobox", name="Aanwezigheid (verplicht)").select_option(label="Aanwezig")
    page.get_by_role("button", name="Vastleggen", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("De aanwezigheid is vastgelegd.")
    expect(invitations.get_by_role("row").filter(has_text=orgs["ggz"].name)).to_contain_text("Aanwezig")
    check_a11y(page, "overleg met aanwezigheid")

    # --- minutes, a decision and an action on the shared case's item
    item = agenda_item(page, shared)
    item.get_by_text("Verslag, besluit of actie vastleggen").click()
    check_a11y(page, "agendapunt met formulieren open")
    item.get_by_label("Verslag").fill("Behandeling loopt goed; toezicht blijft nodig.")
    item.get_by_role("button", name="Verslag opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Het verslag is opgeslagen.")
    item = agenda_item(page, shared)
    expect(item).to_contain_text("Behandeling loopt goed; toezicht blijft nodig.")

    item.get_by_text("Verslag, besluit of actie vastleggen").click()
    item.get_by_label("Besluit").fill("Traject bij de GGZ voortzetten.")
    item.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("Het besluit is vastgelegd.")
    item = agenda_item(page, shared)
    expect(item).to_contain_text("Traject bij de GGZ voortzetten.")

    item.get_by_text("Verslag, besluit of actie vastleggen").click()
    item.get_by_role("textbox", name="Actie (verplicht)").fill("Terugkoppeling behandelplan")
    item.get_by_label("Eigenaar (organisatie)").select_option(label=orgs["ggz"].name)
    item.get_by_label("Uiterlijk op").fill(due.isoformat())
    item.get_by_role("button", name="Actie vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("De actie is vastgelegd.")
    item = agenda_item(page, shared)
    expect(item).to_contain_text(f"Terugkoppeling behandelplan — {orgs['ggz'].name}")
    expect(item).to_contain_text("Open")
    check_a11y(page, "overleg met verslag, besluit en actie")
    action = MeetingAction.objects.get(description="Terugkoppeling behandelplan")
    assert action.owner == orgs["ggz"] and action.due_date == due and action.status == ActionStatus.OPEN

    # --- the PDF for the GGZ
    page.get_by_label("Voor organisatie").select_option(label=orgs["ggz"].name)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="PDF maken").click()
    download = download_info.value
    assert download.suggested_filename == f"casusoverleg-{day:%Y%m%d}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    pdf_url = f"{meeting_url}pdf/?organisatie={orgs['ggz'].pk}"
    response = page.request.get(pdf_url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    logout(page)

    # --- the GGZ participant sees only the item of the case it takes part in
    participant = users["participant_ggz"]
    login_ok(page, check_a11y, participant)
    nav(page, "Casusoverleggen")
    check_a11y(page, "casusoverleggen (GGZ)")
    page.get_by_role("link", name=re.compile(rf"^{day.day} ")).click()
    expect(page).to_have_url(meeting_url)
    main = page.get_by_role("main")
    expect(main).to_contain_text("U ziet alleen de agendapunten van casussen waaraan uw organisatie deelneemt.")
    expect(main).to_contain_text(shared.reference)
    expect(main).not_to_contain_text(other.reference)
    expect(main).not_to_contain_text("Anderpersoon")
    expect(page.get_by_role("button", name="Voorgestelde casussen agenderen")).to_have_count(0)
    expect(page.get_by_text("Verslag, besluit of actie vastleggen")).to_have_count(0)
    check_a11y(page, "overleg (GGZ)")
    item = agenda_item(page, shared)
    expect(item).to_contain_text("Traject bij de GGZ voortzetten.")
    item.get_by_role("button", name="Afronden").click()
    expect(page.get_by_role("status")).to_contain_text("De actie is afgerond.")
    item = agenda_item(page, shared)
    expect(item).to_contain_text("Afgerond")
    expect(item.get_by_role("button", name="Afronden")).to_have_count(0)
    check_a11y(page, "overleg na afronden actie (GGZ)")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_by == participant

    print("axe checked:", *check_a11y.checked, sep="\n  ")


def test_plan_of_action_goal_and_catalogue_intervention(page, check_a11y):
    world = build_region("a")
    case = make_case(world, family_name="Planpersoon")
    director = world.users["case_director"]
    today = timezone.localdate()

    login_ok(page, check_a11y, director)
    page.goto(f"/casussen/{case.pk}/plan/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Plan van aanpak {case.reference}")
    expect(page.get_by_role("main")).to_contain_text("Nog geen doelen.")
    check_a11y(page, "plan van aanpak (leeg)")

    goals = page.get_by_role("region", name="Doelen per leefgebied")
    goals.get_by_label("Leefgebied").select_option(label="Werk en onderwijs")
    goals.get_by_label("Doel").fill("Vindt binnen drie maanden een stageplaats.")
    goals.get_by_role("button", name="Doel toevoegen").click()
    expect(page.get_by_role("status")).to_contain_text("Het doel is toegevoegd.")
    expect(page.get_by_role("region", name="Doelen per leefgebied")).to_contain_text(
        "Werk en onderwijs: Vindt binnen drie maanden een stageplaats."
    )
    check_a11y(page, "plan van aanpak met doel")

    interventions = page.get_by_role("region", name="Interventies", exact=True)
    interventions.get_by_label("Maatregel of interventie (catalogus)").select_option(
        label="Reclasseringstoezicht met bijzondere voorwaarden (gedwongen)"
    )
    interventions.get_by_label("Uitvoerende (bevoegde) organisatie").select_option(
        label=world.orgs["reclassering"].name
    )
    interventions.get_by_label("Start").fill(today.isoformat())
    interventions.get_by_label("Geplande einddatum").fill((today + timedelta(days=180)).isoformat())
    interventions.get_by_label("Aantal geplande contacten").fill("6")
    interventions.get_by_role("button", name="Interventie toevoegen").click()
    expect(page.get_by_role("status")).to_contain_text("De interventie is toegevoegd.")
    table = page.get_by_role("table", name="Interventies", exact=True)
    expect(table).to_contain_text("Reclasseringstoezicht met bijzondere voorwaarden")
    expect(table).to_contain_text(world.orgs["reclassering"].name)
    expect(table).to_contain_text("gedwongen")
    check_a11y(page, "plan van aanpak met interventie")

    assert Goal.objects.filter(description="Vindt binnen drie maanden een stageplaats.").count() == 1
    intervention = Intervention.objects.get()
    assert intervention.organisation == world.orgs["reclassering"] and intervention.planned_sessions == 6

    print("axe checked:", *check_a11y.checked, sep="\n  ")
