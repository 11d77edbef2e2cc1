"""The public meldpunt (issue 14 item 1, ADR 0044): Wet PGA art. 5 lid 2 — anyone may report a
concern to the burgemeester of the gemeente van verblijf. No login, no JavaScript; the melding
lands in the region's intake queue; a reference and a secret code shown once allow adding
information later, never seeing anything back; the form never reveals whether a person is known;
rate limits per address, a honeypot, size limits, no uploads, a strict content security policy."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casustafel.flow.services import register_signal
from casustafel.meldpunt import services as meldpunt
from casustafel.meldpunt.models import GemeenteMeldpunt, PublicReport, ReportAddition, ReportStatus, SubmissionCounter
from casustafel.processing_log.models import Action, ProcessingLogEntry
from casustafel.signals.models import Addressee, ReporterKind

from .factories import signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"data-reference>([A-Z0-9-]+)<")
CODE = re.compile(r"data-code>([A-Z0-9-]+)<")


def meldpunt_objects(world_region) -> dict:
    """A melding and a gemeente's meldpunt page of ``world_region``, for the authorization matrix."""
    gemeente = world_region.orgs["gemeente"]
    report, _code = meldpunt.submit_report(
        meldpunt.system_actor(),
        data=meldpunt.ReportData(organisation=gemeente, relation="citizen", what="Zorgen (fictief).", anonymous=True),
    )
    return {"public_report": {"pk": report.pk}, "meldpunt_gemeente": {"pk": gemeente.pk}}


def melding(world_region, **overrides) -> dict:
    data = {
        "gemeente": str(world_region.orgs["gemeente"].pk),
        "what": "Mijn buurjongen deelt sinds maart filmpjes die geweld tegen agenten verheerlijken.",
        "about_name": "Piet Onbekend",
        "about_age": "ongeveer 19",
        "about_place": "Lindeveld-Noord",
        "about_other": "",
        "relation": "citizen",
        "contact": "yes",
        "reporter_name": "A. Buurvrouw",
        "reporter_contact": "buurvrouw@example.org",
        "website": "",
    }
    data.update(overrides)
    return data


def url(region, name="region_melding", **kwargs):
    return reverse(f"meldpunt:{name}", kwargs={"region": region.region.code, **kwargs})


def post_form(client, path, data, address="192.0.2.10"):
    """Posted as a browser posts the form (urlencoded; the test client's default is multipart)."""
    return client.post(path, urlencode(data), content_type="application/x-www-form-urlencoded", REMOTE_ADDR=address)


def submit(client, region, address="192.0.2.10", **overrides):
    return post_form(client, url(region), melding(region, **overrides), address)


def shown(response) -> tuple[str, str]:
    body = response.content.decode()
    return REFERENCE.search(body).group(1), CODE.search(body).group(1)


def test_a_melding_lands_for_the_chosen_gemeentes_mayor_art_5_lid_2(world, client):
    """Art. 5 lid 2: anyone reports to the burgemeester of the gemeente van verblijf — without an
    account; the melding lands in that region's intake queue, logged, addressed to the mayor."""
    a = world["a"]
    page = client.get(url(a))
    assert page.status_code == 200
    assert "112" in page.content.decode() and "0800-7000" in page.content.decode()
    response = submit(client, a)
    assert response.status_code == 200
    reference, _code = shown(response)
    report = PublicReport.objects.get(reference=reference)
    assert report.region == a.region and report.organisation == a.orgs["gemeente"]
    assert report.addressed_to == Addressee.MAYOR and report.reporter_kind == ReporterKind.CITIZEN
    assert report.reporter_contact == "buurvrouw@example.org"
    entry = ProcessingLogEntry.objects.get(object_type="publicreport", object_id=report.pk)
    assert entry.action == Action.CREATE and entry.audit_record.user.username == "meldpunt"
    # The region's intake officer finds it; region b's does not.
    login(client, a.users["intake"])
    listed = client.get(reverse("meldpunt:report_list"))
    assert reference in listed.content.decode()
    detail = client.get(reverse("meldpunt:report_detail", kwargs={"pk": report.pk}))
    assert "Mijn buurjongen" in detail.content.decode()
    assert ProcessingLogEntry.objects.filter(object_id=report.pk, action=Action.READ).exists()
    login(client, world["b"].users["intake"])
    assert reference not in client.get(reverse("meldpunt:report_list")).content.decode()
    assert client.get(reverse("meldpunt:report_detail", kwargs={"pk": report.pk})).status_code == 404


def test_an_anonymous_melding_keeps_no_name_or_contact(world, client):
    a = world["a"]
    refused = submit(client, a, contact="anonymous")
    assert refused.status_code == 400
    assert "U meldt anoniem: laat uw naam en contactgegevens leeg." in refused.content.decode()
    response = submit(client, a, contact="anonymous", reporter_name="", reporter_contact="", relation="family")
    report = PublicReport.objects.get(reference=shown(response)[0])
    assert report.reporter_kind == ReporterKind.ANONYMOUS and not report.reporter_contact
    assert report.relation == "family"


def test_reference_and_code_are_shown_once_and_only_a_hash_is_kept(world, client):
    a = world["a"]
    reference, code = shown(submit(client, a))
    report = PublicReport.objects.get(reference=reference)
    assert code not in str(list(PublicReport.objects.values_list()))
    assert report.code_hash.startswith("scrypt$") and meldpunt.code_matches(code, report.code_hash)
    assert len(code.replace("-", "")) == 20  # 100 random bits
    # Nowhere to see it again: the reference is in no address, the pages show no code.
    assert reference not in client.get(url(a)).content.decode()
    assert code not in client.get(url(a, "follow_up")).content.decode()


def test_follow_up_with_the_right_code_adds_information(world, client):
    a = world["a"]
    reference, code = shown(submit(client, a))
    answer = post_form(
        client,
        url(a, "follow_up"),
        {
            "reference": reference.lower(),
            "code": code.replace("-", " "),
            "text": "Hij noemde een datum.",
            "website": "",
        },
    )
    assert answer.status_code == 200
    addition = ReportAddition.objects.get()
    assert addition.report.reference == reference and addition.text == "Hij noemde een datum."
    assert ProcessingLogEntry.objects.filter(object_id=addition.pk, action=Action.UPDATE).exists()
    # Nothing is shown back to the reporter: not the melding, not the addition.
    assert "Mijn buurjongen" not in answer.content.decode() and "Hij noemde" not in answer.content.decode()
    login(client, a.users["intake"])
    detail = client.get(reverse("meldpunt:report_detail", kwargs={"pk": addition.report_id}))
    assert "Hij noemde een datum." in detail.content.decode()


def test_a_wrong_code_or_reference_gets_the_same_neutral_answer_and_stores_nothing(world, client):
    a = world["a"]
    reference, code = shown(submit(client, a))
    post = {"reference": reference, "code": code, "text": "Aanvulling.", "website": ""}
    right = post_form(client, url(a, "follow_up"), post, "192.0.2.11").content
    ReportAddition.objects.all().delete()
    wrong_code = post_form(client, url(a, "follow_up"), {**post, "code": "AAAAA-BBBBB-CCCCC-DDDDD"}, "192.0.2.12")
    unknown = post_form(client, url(a, "follow_up"), {**post, "reference": "MLD-2026-ZZZZZZ"}, "192.0.2.13")
    assert wrong_code.status_code == unknown.status_code == 200
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", wrong_code.content) == strip.sub(b"", right) == strip.sub(b"", unknown.content)
    assert not ReportAddition.objects.exists()
    # Another region's meldpunt does not reach this region's melding either.
    post_form(client, url(world["b"], "follow_up"), post, "192.0.2.14")
    assert not ReportAddition.objects.exists()


def test_the_answer_never_reveals_whether_the_person_is_known(world, client):
    """The same page and the same queries whether the person named is known at the table or not:
    the public path asks the database nothing about the person."""
    a = world["a"]
    register_signal(
        a.users["intake"], subject=subject_data(given_names="Karel", family_name="Bekend"), fields=signal_fields()
    )
    answers = []
    for name in ("Karel Bekend", "Niemand Onbekend"):
        with CaptureQueriesContext(connection) as queries:
            response = submit(client, a, address=f"198.51.100.{len(answers) + 1}", about_name=name)
        reference, code = shown(response)
        body = response.content.decode().replace(reference, "REF").replace(code, "CODE")
        answers.append((response.status_code, re.sub(r'value="[^"]{20,}"', "", body), len(queries)))
    assert answers[0] == answers[1]


def test_the_n_plus_first_post_from_one_address_gets_429_in_dutch(world, client, settings):
    settings.MELDPUNT_RATE_LIMIT = 3
    a = world["a"]
    for _ in range(3):
        assert submit(client, a, address="203.0.113.7").status_code == 200
    refused = submit(client, a, address="203.0.113.7")
    assert refused.status_code == 429
    assert "Te veel berichten" in refused.content.decode() and "112" in refused.content.decode()
    assert PublicReport.objects.count() == 3
    # The follow-up counts against the same limit; another address is fine.
    followed = post_form(client, url(a, "follow_up"), {"reference": "x", "code": "y", "text": "z"}, "203.0.113.7")
    assert followed.status_code == 429
    assert submit(client, a, address="203.0.113.8").status_code == 200
    # No address is stored: only keyed hashes.
    keys = list(SubmissionCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2 and not any("203.0.113" in key for key in keys)


def test_a_filled_honeypot_pretends_success_and_stores_nothing(world, client):
    a = world["a"]
    response = submit(client, a, website="https://spam.example")
    assert response.status_code == 200
    reference, code = shown(response)
    assert reference.startswith("MLD-") and code
    assert not PublicReport.objects.exists()
    assert not ProcessingLogEntry.objects.filter(object_type="publicreport").exists()


def test_an_oversized_post_is_refused_in_dutch_and_nothing_is_stored(world, client, settings):
    a = world["a"]
    response = submit(client, a, what="x" * (settings.MELDPUNT_MAX_BODY_BYTES + 10))
    assert response.status_code == 413
    assert "te groot" in response.content.decode()
    too_long = submit(client, a, what="x" * 5001)
    assert too_long.status_code == 400
    assert "maximaal 5000 tekens" in too_long.content.decode()
    assert not PublicReport.objects.exists()


def test_no_file_can_be_uploaded(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = world["a"]
    data = {**melding(a), "bijlage": SimpleUploadedFile("foto.html", b"<script>alert(1)</script>")}
    response = client.post(url(a), data, REMOTE_ADDR="192.0.2.20")  # multipart/form-data
    assert response.status_code == 400
    assert "geen bestanden" in response.content.decode()
    assert not PublicReport.objects.exists()


def test_script_in_text_is_stored_as_typed_and_shown_escaped(world, client):
    a = world["a"]
    typed = '<script>alert("x")</script> & <b>vet</b>'
    reference, _code = shown(submit(client, a, what=typed, about_name=typed))
    report = PublicReport.objects.get(reference=reference)
    assert report.what == typed
    login(client, a.users["intake"])
    body = client.get(reverse("meldpunt:report_detail", kwargs={"pk": report.pk})).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body


def test_public_pages_carry_no_script_and_a_strict_policy(world, client):
    a = world["a"]
    GemeenteMeldpunt.objects.create(organisation=a.orgs["gemeente"], region=a.region, code="lindeveld")
    for path in (url(a), url(a, "follow_up"), url(a, "gemeente_melding", gemeente="lindeveld")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script" not in response.content.decode()
        policy = response["Content-Security-Policy"]
        assert "script-src 'none'" in policy and "form-action 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "connect-src 'none'" in policy
        assert "sessionid" not in response.cookies


def test_public_routes_answer_everyone_without_login(world, client):
    """The public routes (the matrix's PUBLIC set): anonymous visitors and every user of every
    region get the page — no login, no role; an unknown region or gemeente is not found."""
    a = world["a"]
    GemeenteMeldpunt.objects.create(organisation=a.orgs["gemeente"], region=a.region, code="lindeveld")
    paths = [url(a), url(a, "follow_up"), url(a, "gemeente_melding", gemeente="lindeveld")]
    for region in ("a", "b"):
        for user in [None, *world[region].users.values()]:
            client.logout()
            if user is not None:
                login(client, user)
            assert [client.get(path).status_code for path in paths] == [200, 200, 200], user
    assert client.get("/melden/bestaat-niet/").status_code == 404
    assert client.get(url(a, "gemeente_melding", gemeente="onbekend")).status_code == 404
    assert client.put(url(a)).status_code == 405


def test_the_functional_admin_sets_a_gemeentes_intro_and_contact(world, client):
    a = world["a"]
    login(client, a.users["functional_admin"])
    edit = reverse("meldpunt:gemeente_page_edit", kwargs={"pk": a.orgs["gemeente"].pk})
    assert client.get(edit).status_code == 200
    refused = client.post(edit, {"code": "aanvullen", "intro_text": "", "contact_details": ""})
    assert refused.status_code == 400
    saved = client.post(
        edit,
        {
            "code": "lindeveld",
            "intro_text": "Welkom bij ons meldpunt.",
            "contact_details": "Bel 14 0000.",
            "version": 0,
        },
    )
    assert saved.status_code == 302
    client.logout()
    page = client.get(url(a, "gemeente_melding", gemeente="lindeveld")).content.decode()
    assert "Welkom bij ons meldpunt." in page and "Bel 14 0000." in page
    assert "selected" in page  # the gemeente of the page is the one chosen


def test_the_intake_officer_marks_a_melding_handled(world, client):
    a = world["a"]
    report_pk = meldpunt_objects(a)["public_report"]["pk"]
    login(client, a.users["intake"])
    response = client.post(reverse("meldpunt:report_handled", kwargs={"pk": report_pk}))
    assert response.status_code == 302
    assert PublicReport.objects.get(pk=report_pk).status == ReportStatus.HANDLED


@pytest.mark.parametrize("key", ["intake", "weigher_politie", "functional_admin", "mayor", "case_director"])
def test_the_menu_links_the_meldpunt_pages_to_whom_they_are_available(world, client, key):
    from .test_menu import menu_links

    login(client, world["a"].users[key])
    links = menu_links(client.get(reverse("web:dashboard")).content.decode())
    for label, name in (("Meldpunt", "meldpunt:report_list"), ("Meldpunt per gemeente", "meldpunt:gemeente_pages")):
        shown = label in links
        assert shown == (client.get(reverse(name)).status_code == 200), f"{label} for {key}"
        if shown:
            assert links[label] == reverse(name)


def test_the_intake_officer_registers_a_signal_from_a_melding_art_5_lid_2(world, client):
    """The melding becomes a signal through the ordinary entry (flow.register_signal): a melding of
    art. 5 lid 2, addressed to the mayor, its reporter as the public gave it; the melding is handled."""
    import uuid

    from casustafel.signals.models import IntakeRoute, Signal

    a = world["a"]
    reference, _code = shown(submit(client, a, relation="family"))
    report = PublicReport.objects.get(reference=reference)
    login(client, a.users["intake"])
    path = reverse("meldpunt:report_register", kwargs={"pk": report.pk})
    form = client.get(path).content.decode()
    assert "Mijn buurjongen deelt" in form and reference in form
    assert 'value="familie_omgeving" selected' in form or 'value="familie_omgeving"\n selected' in form
    post = {
        "intake_route": "report",
        "addressed_to": "mayor",
        "reporter_kind": "citizen",
        "reporter_name": "A. Buurvrouw",
        "reporter_contact": "buurvrouw@example.org",
        "kind": "natural_person",
        "given_names": "Piet",
        "family_name": "Onbekend",
        "date_of_birth": "2007-03-02",
        "gender": "man",
        "municipality": "Lindeveld",
        "bsn": "",
        "source_type": "familie_omgeving",
        "source_description": f"Openbaar meldpunt, melding {reference}",
        "phenomenon": "gemengd_onduidelijk",
        "facts": report.what,
        "opinions": "",
        "counter_indications": "",
        "urgency": "normaal",
        "observed_on": "",
        "submission": str(uuid.uuid4()),
        "legal_basis": "wet-pga",
        "classification": "ordinary",
        "visibility": "all_participants",
    }
    response = client.post(path, post)
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.intake_route == IntakeRoute.REPORT and signal.addressed_to == Addressee.MAYOR
    assert signal.reporter_kind == ReporterKind.CITIZEN and signal.reporter_contact == "buurvrouw@example.org"
    report.refresh_from_db()
    assert report.status == ReportStatus.HANDLED and report.signal == signal
    assert signal.reference in client.get(reverse("meldpunt:report_detail", kwargs={"pk": report.pk})).content.decode()
