"""The whole PGA flow in a real browser, with axe-core (WCAG 2.1 A/AA) on every page.

intake officer: login (password + TOTP) → dashboard → signal form (incl. the htmx
known-person check) → signal page → "Voorleggen aan de weegploeg" → weighing page;
gemeente, politie and OM weighing members in turn: login → weighing list → weighing page
→ contribution with every criterion; OM records "Opnemen in de PGA" with a case director
→ the case page; the case director then finds the case on the dashboard and in the list.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from casustafel.accounts.models import AuthenticatorDevice
from casustafel.flow.services import register_signal
from casustafel.signals.models import Signal
from casustafel.weighing.services import active_framework

from ..factories import PASSWORD, build_region, signal_fields, subject_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
# serialized_rollback: the live server needs a transactional database, whose flush after each
# test would also wipe the criteria framework seeded by a migration; this restores it.


def totp_code(user, offset_steps: int = 0) -> str:
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    totp = device.totp()
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


def login(page, check_a11y, user, *, code: str | None = None):
    page.goto("/inloggen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij Casustafel")
    check_a11y(page, "inlogpagina")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Verificatiecode").fill(code if code is not None else totp_code(user))
    page.get_by_role("button", name="Inloggen").click()


def login_ok(page, check_a11y, user):
    login(page, check_a11y, user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    check_a11y(page, f"werkvoorraad ({user.username})")


def logout(page):
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/inloggen/$"))


def nav(page, name: str):
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=name, exact=True).click()


def fill_subject(page, *, given="Pieter", family="Browsertest", born="1998-03-14"):
    page.get_by_label("Voornamen").fill(given)
    page.get_by_label("Achternaam").fill(family)
    page.get_by_label("Geboortedatum").fill(born)
    page.get_by_label("Geslacht").select_option(label="Man")
    page.get_by_label("Gemeente van verblijf").fill("Lindeveld")


def fill_signal(page, *, urgency="Normaal"):
    page.get_by_label("Soort bron").select_option(label="Politie")
    page.get_by_label("Bron (organisatie of functie").fill("Wijkagent team Noord")
    page.get_by_label("Fenomeen").select_option(label="Rechts-extremistisch")
    page.get_by_label("Datum waarneming").fill((date.today() - timedelta(days=2)).isoformat())
    page.get_by_label("Waargenomen feiten").fill("Deelt gewelddadige teksten in een besloten chatgroep.")
    page.get_by_label("Meningen en duidingen").fill("Lijkt steeds verder af te glijden.")
    page.get_by_label("Contra-indicaties").fill("Heeft een stabiele baan.")
    page.get_by_label("Er is een online component").check()
    page.get_by_label("Urgentie").select_option(label=urgency)
    page.get_by_label("Grondslag voor het delen").select_option(
        label="Wet PGA art. 4 en 8 (verstrekking aan de deelnemers van het casusoverleg)"
    )


def contribute(page, check_a11y, weigher, criteria):
    """One core party's contribution, filled in on the weighing page."""
    form = page.get_by_role("region", name="Inbreng van uw organisatie")
    form.get_by_role("group", name="Heeft uw organisatie informatie over deze persoon?").get_by_label(
        "Ja", exact=True
    ).check()
    form.get_by_label("Informatie van uw organisatie").fill(f"Bekend bij {weigher.organisation}.")
    for criterion in criteria:
        form.get_by_role("combobox", name=criterion.label).select_option(label="Aanwezig")
        form.get_by_role("textbox", name=f"Onderbouwing: {criterion.label}").fill(
            f"Onderbouwing {weigher.organisation.kind} voor {criterion.code}."
        )
    form.get_by_label("Standpunt van uw organisatie").select_option(label="Opnemen in de PGA")
    form.get_by_label("Onderbouwing standpunt").fill("Samenhangende zorgen; multidisciplinair nodig.")
    form.get_by_label("Grondslag voor het delen").select_option(index=1)  # the first basis offered to this party
    form.get_by_role("button", name="Inbreng vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("De inbreng van uw organisatie is vastgelegd.")
    check_a11y(page, f"weging na inbreng ({weigher.username})")


def test_login_with_wrong_totp_code_is_refused(page, check_a11y):
    world = build_region("a")
    user = world.users["intake"]
    wrong = f"{(int(totp_code(user)) + 500_000) % 1_000_000:06d}"

    login(page, check_a11y, user, code=wrong)
    expect(page.get_by_role("alert")).to_contain_text("Gebruikersnaam, wachtwoord of verificatiecode is onjuist.")
    expect(page).to_have_url(re.compile(r"/inloggen/$"))
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    check_a11y(page, "inlogpagina met foutmelding")

    # A malformed code is refused with its own field message.
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Verificatiecode").fill("12ab")
    page.get_by_role("button", name="Inloggen").click()
    # In the error summary (a link to the field) and at the field itself.
    expect(page.get_by_text("Vul de zes cijfers van uw verificatiecode in.")).to_have_count(2)
    expect(
        page.get_by_role("alert").get_by_role("link", name="Vul de zes cijfers van uw verificatiecode in.")
    ).to_be_visible()
    check_a11y(page, "inlogpagina met veldfout")

    # Still not logged in: pages send you back to the login page.
    page.goto("/signalen/")
    expect(page).to_have_url(re.compile(r"/inloggen/\?next=/signalen/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij Casustafel")


def test_acute_signal_shows_escalation_notice(page, check_a11y):
    world = build_region("a")
    intake = world.users["intake"]
    # The person is already known from an earlier signal.
    register_signal(
        intake,
        subject=subject_data(given_names="Pieter", family_name="Acuut", date_of_birth=date(1998, 3, 14)),
        fields=signal_fields(),
    )

    login_ok(page, check_a11y, intake)
    page.goto("/signalen/nieuw/")
    fill_subject(page, family="Acuut")
    page.get_by_role("button", name="Controleer of deze persoon bekend is").click()
    known = page.locator("#known-person")
    expect(known).to_contain_text("Deze persoon is al bekend bij deze casustafel.")
    expect(known).to_contain_text("1 eerder signaal zichtbaar voor u.")
    check_a11y(page, "signaalformulier met bekende persoon")
    fill_signal(page, urgency="Acuut gevaar")
    page.get_by_role("button", name="Signaal registreren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Signaal "))
    messages = page.get_by_role("status")
    expect(messages).to_contain_text("ACUUT GEVAAR: meld dit direct bij de politie (112 of de meldkamer).")
    expect(messages).to_contain_text("Deze persoon is al bekend.")
    notice = page.get_by_role("alert").filter(has_text="Acuut gevaar.")
    expect(notice).to_contain_text("Direct geëscaleerd naar de politie op")
    check_a11y(page, "acuut signaal")

    signal = Signal.objects.get(urgency="acuut")
    assert signal.is_acute and signal.escalated_to_police_at is not None
    assert signal.weighing_id is not None, "an acute signal goes to the weegploeg at once"
    page.get_by_role("link", name="Naar de weging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Weging "))
    check_a11y(page, "weging acuut signaal")


def test_whole_flow_from_signal_to_case(page, check_a11y):
    world = build_region("a")
    users = world.users
    criteria = list(active_framework(world.region).criteria.all())
    assert criteria, "the seeded criteria framework must be present"

    # --- intake officer registers the signal
    login_ok(page, check_a11y, users["intake"])
    # WhiteNoise (with finders) serves the stylesheets (the NL Design System theme's tokens,
    # ADR 0037) and htmx from the live server: the header's accent is the theme's action colour.
    expect(page.locator(".page-header")).to_have_css("border-bottom-color", "rgb(81, 21, 239)")
    assert page.evaluate("typeof window.htmx") == "object"
    page.get_by_role("main").get_by_role("link", name="Signaal registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaal registreren")
    check_a11y(page, "signaalformulier")

    fill_subject(page)
    page.get_by_role("button", name="Controleer of deze persoon bekend is").click()
    expect(page.locator("#known-person")).to_contain_text(
        "Geen eerdere signalen of casussen over deze persoon gevonden."
    )
    check_a11y(page, "signaalformulier na controle bekende persoon")
    fill_signal(page)
    page.get_by_role("button", name="Signaal registreren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Signaal "))
    expect(page.get_by_role("status")).to_contain_text("is geregistreerd.")
    expect(page.get_by_role("main")).to_contain_text("Pieter Browsertest")
    expect(page.get_by_role("alert")).to_have_count(0)  # not acute
    check_a11y(page, "signaalpagina")
    signal_url = page.url

    page.get_by_role("button", name="Voorleggen aan de weegploeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Weging "))
    check_a11y(page, "wegingpagina (intake)")
    weighing_url = page.url

    page.goto(signal_url)
    expect(page.get_by_role("link", name="Naar de weging")).to_be_visible()
    check_a11y(page, "signaalpagina in weging")
    nav(page, "Signalen")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Pieter Browsertest")
    check_a11y(page, "signalenlijst")
    nav(page, "Wegingen")
    check_a11y(page, "wegingenlijst (intake)")
    logout(page)

    # --- the three core parties contribute, each in their own session
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        weigher = users[key]
        login_ok(page, check_a11y, weigher)
        nav(page, "Wegingen")
        check_a11y(page, f"wegingenlijst ({key})")
        # A row link (the links in the header sort the list).
        page.get_by_role("table", name="Wegingen").locator("tbody").get_by_role("link").first.click()
        expect(page).to_have_url(weighing_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Weging "))
        check_a11y(page, f"wegingpagina ({key})")
        contribute(page, check_a11y, weigher, criteria)
        if key != "weigher_om":
            logout(page)

    # --- OM (the last to contribute) proposes the joint decision
    decision = page.get_by_role("region", name="Gezamenlijk besluit")
    expect(decision).not_to_contain_text("pas worden vastgelegd")
    decision.get_by_role("group", name="Besluit").get_by_label("Opnemen in de PGA").check()
    decision.get_by_label("Gezamenlijke onderbouwing").fill("Alle drie de partijen zien samenhangende zorgen.")
    director = users["case_director"]
    decision.get_by_label("Casusregisseur").select_option(label=f"{director.display_name} ({director.organisation})")
    decision.get_by_role("group", name="Overige deelnemende organisaties").get_by_label(
        str(world.orgs["reclassering"])
    ).check()
    decision.get_by_label("Reden van betrokkenheid van deze organisaties").fill("Toezicht loopt.")
    decision.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("is voorgesteld")
    proposal = page.get_by_role("region", name="Voorgesteld besluit")
    expect(proposal).to_contain_text("Openbaar Ministerie: onderschreven")
    check_a11y(page, "wegingpagina met voorgesteld besluit (OM)")
    logout(page)

    # --- the eensluidende beoordeling (art. 5 lid 3 Wet PGA): gemeente and politie confirm
    for key in ("weigher_gemeente", "weigher_politie"):
        # A second login within the same 30 seconds: a code is accepted once, so use the next one.
        login(page, check_a11y, users[key], code=totp_code(users[key], offset_steps=1))
        expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad")
        page.goto(weighing_url)
        proposal = page.get_by_role("region", name="Voorgesteld besluit")
        proposal.get_by_label("Ja, wij onderschrijven het besluit").check()
        check_a11y(page, f"bevestigen van het besluit ({key})")
        proposal.get_by_role("button", name="Bevestiging vastleggen").click()
        if key == "weigher_gemeente":
            expect(page.get_by_role("status")).to_contain_text("Uw bevestiging is vastgelegd.")
            logout(page)

    # --- with the third confirmation the case page opens
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Casus "))
    expect(page.get_by_role("status")).to_contain_text("Eensluidend besloten: Opnemen in de PGA.")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Pieter Browsertest")
    expect(main).to_contain_text(director.display_name)
    participants = page.get_by_role("table", name="Deelnemende organisaties")
    expect(participants).to_contain_text(str(world.orgs["reclassering"]))
    check_a11y(page, "casuspagina")
    case_url = page.url
    nav(page, "Casussen")
    check_a11y(page, "casussenlijst (politie)")
    logout(page)

    # --- the case director finds the case
    login_ok(page, check_a11y, director)
    expect(page.get_by_role("region", name="Mijn lopende casussen")).to_contain_text("Pieter Browsertest")
    nav(page, "Casussen")
    check_a11y(page, "casussenlijst (casusregisseur)")
    page.get_by_role("table", name="Casussen").locator("tbody").get_by_role("link").first.click()
    expect(page).to_have_url(case_url)
    expect(page.get_by_role("region", name="Status wijzigen")).to_be_visible()
    check_a11y(page, "casuspagina (casusregisseur)")

    print("axe checked:", *check_a11y.checked, sep="\n  ")
