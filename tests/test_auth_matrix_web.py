"""Authorization matrix for every web route × every role × every verb.

The table below states, per route, which verbs exist and which users (keys of
``factories.USER_SPECS``, all of region "a") may use them. Every other user — every
role of region "b" included — must get "not found" (except a refused GET of a page
without an object in its path: 403 "Geen toegang", issue 12 item 11); unsupported verbs get 405;
anonymous visitors are sent to the login page. A meta-test fails when a route exists
that the table does not cover.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casustafel.cases.blocking import decide_reuse
from casustafel.cases.services import transition_case
from casustafel.cases.third_parties import propose_third_party
from casustafel.corrections.services import correct_item
from casustafel.demo import admit_jointly
from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.governance.audits import record_audit
from casustafel.governance.rights import register_rights_request
from casustafel.oversight.services import record_advice
from casustafel.subjects.elsewhere import request_information
from casustafel.subjects.models import CrossRegionRequest
from casustafel.weighing.models import Contribution
from casustafel.weighing.services import record_consultation

from .conftest import make_case
from .factories import USER_SPECS, OrganisationFactory, governance_objects, signal_fields, subject_data
from .helpers import login
from .meetings_helpers import meeting_objects
from .test_annual_report import annual_report_objects
from .test_meldpunt import meldpunt_objects
from .test_partner_webhooks import partner_objects
from .test_policy_signals import policy_signal_objects
from .test_retention_report import retention_objects
from .test_transfer import incoming_transfer_to

pytestmark = pytest.mark.django_db

VERBS = ["get", "post", "put", "patch", "delete"]
SIGNAL_WORKERS = {"intake", "weigher_gemeente", "weigher_politie", "weigher_om"}
WEIGHERS = {"weigher_gemeente", "weigher_politie", "weigher_om"}
CASE_ROLES = SIGNAL_WORKERS | {"process_director", "case_director", "participant_reclassering", "participant_ggz"}
# case_a's participants: gemeente, politie, om (weighed), zvh (case director's), reclassering.
CASE_READERS = SIGNAL_WORKERS | {"process_director", "case_director", "participant_reclassering"}
# Art. 3 lid 3: the ggz takes part in case_a as a third party, with identifying data only (objects).
THIRD_PARTY = {"participant_ggz"}
CASE_MANAGERS = {"process_director", "case_director"}
EVERYONE = set(USER_SPECS)
ANNUAL_REPORT_READERS = {"process_director", "mayor", "analyst", "privacy_officer"}

#: route name → (kwargs builder key, {verb: users allowed})
MATRIX: dict[str, tuple[str | None, dict[str, set[str]]]] = {
    "web:dashboard": (None, {"get": EVERYONE}),
    "work:preferences": (None, {"get": EVERYONE, "post": EVERYONE}),
    # Wet PGA art. 17: everyone reads the confidentiality text; acknowledging it is asked of
    # users without a duty of secrecy from elsewhere (tests/test_confidentiality.py).
    "accounts:confidentiality": (None, {"get": EVERYONE, "post": EVERYONE}),
    # Wet PGA art. 13: the explanation for users without a valid designation (the matrix's users
    # are designated and are sent on; tests/test_designation.py covers the others).
    "accounts:no_designation": (None, {"get": EVERYONE}),
    # Issue 12 item 9 (ADR 0036): stay signed in on the user's click; the form kept when the session ended.
    "accounts:keep_alive": (None, {"post": EVERYONE}),
    "accounts:draft": (None, {"get": EVERYONE, "post": EVERYONE}),
    "signals:signal_list": (None, {"get": SIGNAL_WORKERS}),
    "signals:signal_create": (None, {"get": SIGNAL_WORKERS, "post": SIGNAL_WORKERS}),
    "signals:known_person_check": (None, {"post": SIGNAL_WORKERS}),
    "signals:signal_detail": ("signal", {"get": SIGNAL_WORKERS}),
    "signals:signal_transition": ("signal_target", {"post": SIGNAL_WORKERS}),
    "subjects:known_elsewhere_check": ("signal", {"post": SIGNAL_WORKERS}),
    "subjects:known_elsewhere_request": ("signal", {"post": SIGNAL_WORKERS}),
    "subjects:request_list": (None, {"get": SIGNAL_WORKERS}),
    "subjects:request_answer": ("incoming_request", {"post": SIGNAL_WORKERS}),
    "weighing:weighing_list": (None, {"get": SIGNAL_WORKERS}),
    "weighing:weighing_detail": ("weighing", {"get": SIGNAL_WORKERS}),
    "weighing:weighing_contribute": ("weighing", {"post": WEIGHERS}),
    "weighing:weighing_decide": ("weighing", {"post": WEIGHERS}),
    "weighing:decision_confirm": ("weighing", {"post": WEIGHERS}),
    "weighing:registrant_informed": ("weighing", {"post": SIGNAL_WORKERS}),
    # Art. 5 lid 3: the three record consultations of other participants (objects: one awaits its answer).
    "weighing:consultation_create": ("weighing", {"post": WEIGHERS}),
    "weighing:consultation_answer": ("weighing", {"post": WEIGHERS}),
    "governance:weighing_withheld": ("weighing", {"post": SIGNAL_WORKERS}),
    "governance:withheld_list": (None, {"get": SIGNAL_WORKERS | {"mayor", "privacy_officer"}}),
    "cases:case_list": (None, {"get": CASE_ROLES}),
    "cases:case_detail": ("case", {"get": CASE_READERS | THIRD_PARTY}),
    # Art. 3 lid 3: case managers and the three propose a third party; the three decide.
    "cases:third_party_propose": ("case", {"post": CASE_MANAGERS | WEIGHERS}),
    "cases:third_party_admissions": (None, {"get": WEIGHERS}),
    "cases:third_party_decide": ("admission", {"get": WEIGHERS, "post": WEIGHERS}),
    "cases:case_add_participant": ("case", {"post": CASE_MANAGERS}),
    "cases:case_transition": ("case", {"post": CASE_MANAGERS}),
    # Transfers: the sending case's managers propose; the receiving table (process director,
    # core-party weighing members) sees incoming proposals and decides.
    "cases:case_transfer": ("case", {"get": CASE_MANAGERS, "post": CASE_MANAGERS}),
    "cases:transfer_list": (None, {"get": {"process_director"} | WEIGHERS}),
    "cases:transfer_decide": (
        "incoming_transfer",
        {"get": {"process_director"} | WEIGHERS, "post": {"process_director"} | WEIGHERS},
    ),
    # Art. 7 lid 2: the sending table's case and signal workers see its proposals and may
    # object (that their organisation supplied items is checked by the service: 400).
    "cases:transfer_outgoing": (None, {"get": CASE_ROLES}),
    "cases:transfer_object": ("outgoing_transfer", {"get": CASE_ROLES, "post": CASE_ROLES}),
    # Art. 6 lid 3: a closed case is blocked; only the law's uses remain.
    "cases:blocked_cases": (None, {"get": CASE_MANAGERS | WEIGHERS | {"privacy_officer"}}),
    "cases:closed_case": ("closed_case", {"get": CASE_MANAGERS}),
    "cases:lawfulness_review": ("closed_case", {"get": {"privacy_officer"}, "post": {"privacy_officer"}}),
    "cases:blocked_case_notice": ("closed_case", {"get": WEIGHERS, "post": WEIGHERS}),
    "cases:blocked_case_content": ("closed_case", {"get": WEIGHERS}),
    "processing_log:logbook": (None, {"get": {"privacy_officer"}, "post": {"privacy_officer"}}),
    "processing_log:entry_proof": ("log_entry", {"get": {"privacy_officer"}}),
    "retention:overview": (None, {"get": {"privacy_officer", "functional_admin"}}),
    "retention:person": (
        "retention_subject",
        {"get": {"privacy_officer", "functional_admin"}, "post": {"privacy_officer", "functional_admin"}},
    ),
    "retention:report_pdf": ("destruction_run", {"get": {"privacy_officer", "functional_admin"}}),
    "retention:report_csv": ("destruction_run", {"get": {"privacy_officer", "functional_admin"}}),
    # Ambtsberichten: the mayor, and the official the mayor designated (governance_objects).
    "governance:restricted_list": (None, {"get": {"mayor", "weigher_gemeente"}}),
    "governance:restricted_create": (None, {"get": {"mayor"}, "post": {"mayor"}}),
    "governance:restricted_detail": ("restricted_document", {"get": {"mayor", "weigher_gemeente"}}),
    "governance:restricted_release": ("restricted_document", {"post": {"mayor"}}),
    "governance:restricted_designate": ("restricted_document", {"post": {"mayor"}}),
    "governance:case_transparency": ("case", {"get": CASE_READERS, "post": CASE_MANAGERS}),
    "governance:objection_create": ("case", {"post": CASE_MANAGERS}),
    "governance:objection_handle": ("objection", {"post": CASE_MANAGERS}),
    "governance:access_request_list": (None, {"get": {"privacy_officer"}, "post": {"privacy_officer"}}),
    "governance:access_request_export": ("access_request", {"get": {"privacy_officer"}}),
    # Art. 16: the region's FG records privacy audits and their dispatch to the AP.
    "governance:audit_list": (None, {"get": {"privacy_officer"}}),
    "governance:audit_create": (None, {"get": {"privacy_officer"}, "post": {"privacy_officer"}}),
    "governance:audit_detail": ("privacy_audit", {"get": {"privacy_officer"}}),
    "governance:audit_sent": ("privacy_audit", {"post": {"privacy_officer"}}),
    # Art. 10: the supplier corrects its signal (the gemeente's signal workers) or its party's
    # contribution (the politie's weighing member); the melding goes to the gemeente's queue.
    "corrections:signal_correct": (
        "signal",
        {"get": {"intake", "weigher_gemeente"}, "post": {"intake", "weigher_gemeente"}},
    ),
    "corrections:contribution_correct": ("contribution", {"get": {"weigher_politie"}, "post": {"weigher_politie"}}),
    "corrections:notice_done": ("correction_notice", {"post": {"intake", "weigher_gemeente"}}),
    # Issue 12 (ADR 0035): everyone who sees signals or cases searches them; the terms go in a POST.
    "search:search": (None, {"get": CASE_ROLES, "post": CASE_ROLES}),
    # Art. 13: the region's FG reads and exports the authorisation register.
    "governance:designation_list": (None, {"get": {"privacy_officer"}}),
    "governance:designation_export": (None, {"get": {"privacy_officer"}}),
    # Art. 15: the lawfulness advisory committee reads and advises; the chair responds.
    "oversight:overview": (None, {"get": {"committee", "process_director"}}),
    "oversight:advice_create": (None, {"get": {"committee"}, "post": {"committee"}}),
    "oversight:advice_detail": ("advice", {"get": {"committee", "process_director"}, "post": {"process_director"}}),
    # Art. 12: the region's FGs track rights requests; an FG of a public participant designates the
    # coordinating FG and sets the contact point.
    "governance:privacy_coordination": (None, {"get": {"privacy_officer"}, "post": {"privacy_officer"}}),
    "governance:rights_request_list": (None, {"get": {"privacy_officer"}, "post": {"privacy_officer"}}),
    "governance:rights_request_detail": ("rights_request", {"get": {"privacy_officer"}}),
    "governance:rights_request_extend": ("rights_request", {"post": {"privacy_officer"}}),
    "governance:rights_request_answer": ("rights_request", {"post": {"privacy_officer"}}),
    # Case conferences: every case role of the region sees the meeting (content scoped per
    # organisation); the process director chairs; the owning organisation completes its action.
    "meetings:meeting_list": (None, {"get": CASE_ROLES}),
    "meetings:meeting_create": (None, {"get": {"process_director"}, "post": {"process_director"}}),
    "meetings:meeting_record": (None, {"get": {"process_director"}, "post": {"process_director"}}),
    "meetings:meeting_edit": ("meeting", {"get": {"process_director"}, "post": {"process_director"}}),
    "meetings:meeting_cancel": ("meeting", {"get": {"process_director"}, "post": {"process_director"}}),
    "meetings:item_remove": ("agenda_item", {"post": {"process_director"}}),
    # Issue 12 item 6: the timelines — the case's for whoever sees the case, the person's for whoever
    # sees a signal, weighing or case about them with the identifying data (the ggz of case_a has them).
    "timeline:case_timeline": ("case", {"get": CASE_READERS | THIRD_PARTY}),
    "timeline:person_timeline": ("subject", {"get": CASE_READERS | THIRD_PARTY}),
    "meetings:meeting_detail": ("meeting", {"get": CASE_ROLES}),
    "meetings:meeting_pdf": ("meeting", {"get": CASE_ROLES}),
    "meetings:build_agenda": ("meeting", {"post": {"process_director"}}),
    "meetings:add_item": ("meeting", {"post": {"process_director"}}),
    "meetings:invite": ("meeting", {"post": {"process_director"}}),
    "meetings:attendance": ("meeting", {"post": {"process_director"}}),
    "meetings:item_minutes": ("agenda_item", {"post": {"process_director"}}),
    "meetings:item_decision": ("agenda_item", {"post": {"process_director"}}),
    "meetings:item_action": ("agenda_item", {"post": {"process_director"}}),
    "meetings:action_done": ("meeting_action", {"post": {"process_director", "participant_reclassering"}}),
    "plans:plan": ("case", {"get": CASE_READERS}),
    "plans:goal_add": ("case", {"post": CASE_MANAGERS}),
    "plans:intervention_add": ("case", {"post": CASE_MANAGERS}),
    # Issue 12: the carrying organisation records contacts of, edits and ends its own intervention
    # (the service decides per intervention: 400 for the others who may see the plan).
    "plans:intervention_end": ("case", {"post": CASE_READERS}),
    "plans:contact_add": ("case", {"post": CASE_READERS}),
    "plans:intervention_edit": ("case", {"post": CASE_READERS}),
    "plans:goal_edit": ("case", {"post": CASE_MANAGERS}),
    # Issue 12: the case journal — every participant reads and writes (the ggz of case_a is a third
    # party without plan data, art. 3 lid 3: not found).
    "journal:journal": ("case", {"get": CASE_READERS, "post": CASE_READERS}),
    "plans:acknowledge": ("case", {"post": CASE_MANAGERS}),
    "plans:review_add": ("case", {"post": CASE_MANAGERS}),
    "plans:task_done": ("case", {"post": CASE_READERS}),  # the service refuses non-owners of the task
    "plans:checkin_record": ("closed_case", {"post": CASE_MANAGERS}),
    "plans:catalogue": (None, {"get": CASE_ROLES | {"functional_admin"}, "post": {"functional_admin"}}),
    # Issue 13 item 3 (ADR 0041): the council and quarterly report — protected aggregates of a gemeente,
    # the region or (analyst, functional admin) the nation, for the roles of access.policy.REPORT_ROLES.
    "reporting:council_report": (
        None,
        {
            "get": {"analyst", "process_director", "privacy_officer", "functional_admin", "mayor"},
            "post": {"analyst", "process_director", "privacy_officer", "functional_admin", "mayor"},
        },
    ),
    # The meldpunt (Wet PGA art. 5 lid 2, ADR 0044): the region's signal workers read the meldingen from
    # the public; the functional admin sets each gemeente's page. The public pages: PUBLIC below.
    "meldpunt:report_list": (None, {"get": SIGNAL_WORKERS}),
    "meldpunt:report_detail": ("public_report", {"get": SIGNAL_WORKERS}),
    "meldpunt:report_handled": ("public_report", {"post": SIGNAL_WORKERS}),
    "meldpunt:report_register": ("public_report", {"get": SIGNAL_WORKERS, "post": SIGNAL_WORKERS}),
    "meldpunt:gemeente_pages": (None, {"get": {"functional_admin"}}),
    "meldpunt:gemeente_page_edit": ("meldpunt_gemeente", {"get": {"functional_admin"}, "post": {"functional_admin"}}),
    # Issue 13 (ADR 0042): insight in aggregates for the analyst and the process director; the lists
    # behind the process director's numbers are the director's (person-level, never the analyst's).
    "insight:overview": (None, {"get": {"analyst", "process_director"}}),
    "insight:recognition": (None, {"get": {"analyst", "process_director"}}),
    "insight:measures": (None, {"get": {"analyst", "process_director"}}),
    "insight:flow_meetings": (None, {"get": {"process_director"}}),
    "insight:flow_reviews": (None, {"get": {"process_director"}}),
    "insight:flow_actions": (None, {"get": {"process_director"}}),
    "insight:flow_tasks": (None, {"get": {"process_director"}}),
    "insight:flow_drifting": (None, {"get": {"process_director"}}),
    # Issue 13 item 6 (ADR 0043): policy signals — raised from a case (its art. 3 lid 1 participants) or a
    # conference; read by the region's case roles; handled by the process director.
    "policy_signals:signal_list": (None, {"get": CASE_ROLES}),
    "policy_signals:signal_detail": ("policy_signal", {"get": CASE_ROLES, "post": {"process_director"}}),
    "policy_signals:raise_from_case": ("case", {"get": CASE_READERS, "post": CASE_READERS}),
    "policy_signals:raise_from_meeting": ("meeting", {"get": CASE_ROLES, "post": CASE_ROLES}),
    # Issue 13 item 8 (art. 24): the national figures from imported aggregates — aggregates only.
    "national:figures": (None, {"get": {"analyst", "functional_admin"}}),
    "national:figures_csv": (None, {"get": {"analyst", "functional_admin"}}),
    # Partner systems and the delivery log per webhook subscription (ADR 0045): the functional admin.
    "partners:client_list": (None, {"get": {"functional_admin"}}),
    "partners:delivery_log": ("webhook_subscription", {"get": {"functional_admin"}}),
    # Issue 13 item 2 (Wet PGA art. 18, ADR 0040): the annual report — aggregates only. The process
    # director prepares and redacts, the mayor publishes; readers of the table's report as well.
    "reporting:annual_list": (None, {"get": ANNUAL_REPORT_READERS}),
    "reporting:annual_create": (None, {"get": {"process_director"}, "post": {"process_director"}}),
    "reporting:annual_detail": ("annual_report", {"get": ANNUAL_REPORT_READERS}),
    "reporting:annual_join": ("annual_report", {"post": {"process_director"}}),
    "reporting:annual_leave_out": ("annual_report", {"post": {"process_director"}}),
    "reporting:annual_put_back": ("annual_report", {"post": {"process_director"}}),
    "reporting:annual_finish": ("annual_report", {"post": {"process_director"}}),
    "reporting:annual_reopen": ("annual_report", {"post": {"process_director"}}),
    "reporting:annual_publish": ("annual_report", {"post": {"mayor"}}),
    "reporting:annual_html": ("annual_report", {"get": ANNUAL_REPORT_READERS}),
    "reporting:annual_pdf": ("annual_report", {"get": ANNUAL_REPORT_READERS}),
    "reporting:annual_csv": ("annual_report", {"get": ANNUAL_REPORT_READERS}),
}
#: Public or session routes, tested in test_login.py; the public meldpunt (anonymous and every user
#: allowed) in test_meldpunt.py::test_public_routes_answer_everyone_without_login.
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "meldpunt:region_melding",
    "meldpunt:gemeente_melding",
    "meldpunt:follow_up",
}


def _route_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _route_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_web_route_is_in_the_matrix():
    # Every page route of every app (a new app's routes too); the API has its own matrix.
    names = {n for n in _route_names() if n.split(":")[0] != "api"}
    assert names - set(MATRIX) - PUBLIC == set(), "routes missing from the authorization matrix"
    assert set(MATRIX) - names == set(), "matrix names routes that no longer exist"


def log_entry_of(case):
    """A log row about the case's subject by a user of its region (the FG's inclusion proof, ADR 0048)."""
    from casustafel.processing_log.models import ProcessingLogEntry

    rows = ProcessingLogEntry.objects.filter(
        data_subject_id=case.subject_id, audit_record__organisation__region_id=case.region_id
    )
    return rows.values_list("pk", flat=True).first()


@pytest.fixture
def objects(world, case_a, signal_a):
    a, b = world["a"], world["b"]
    signal = send_to_weighing(a.users["intake"], signal=signal_a)
    consult_awaiting_answer(a, signal.weighing)
    # Region b knows the same person and asks region a formally.
    elsewhere = register_signal(
        b.users["intake"], subject=subject_data(family_name="Signaalpersoon"), fields=signal_fields()
    )
    request_information(b.users["intake"], elsewhere.signal.subject, "Zelfde persoon?")
    incoming = CrossRegionRequest.objects.get(to_subject=signal.subject)
    return {
        None: {},
        "signal": {"pk": signal.pk},
        "signal_target": {"pk": signal.pk, "target": "wegen"},
        "weighing": {"pk": signal.weighing_id},
        "case": {"pk": case_a.pk},
        "subject": {"pk": case_a.subject_id},
        "log_entry": {"pk": log_entry_of(case_a)},
        "incoming_request": {"pk": incoming.pk},
        "incoming_transfer": {"pk": incoming_transfer_to(world).pk},
        "outgoing_transfer": {"pk": incoming_transfer_to(world, to="b").pk},
        "closed_case": {"pk": closed_case_with_new_aanmelding(a).pk},
        "admission": {"pk": third_party_objects(a, case_a).pk},
        "privacy_audit": {"pk": privacy_audit_of(a).pk},
        "advice": {"pk": record_advice(a.users["committee"], subject_line="Advies", text="Voorstel (fictief).").pk},
        **correction_objects(a, case_a),
        "rights_request": {"pk": rights_request_of(a).pk},
        **governance_objects(a, case=case_a),
        **meeting_objects(a, case_a),
        **retention_objects(a),
        **meldpunt_objects(a),
        **policy_signal_objects(a, case_a),
        **annual_report_objects(a),
        **partner_objects(a),
        **{"_b": governance_objects(b, subject=elsewhere.signal.subject)},
        "foreign_markers": [signal.reference, case_a.reference, case_a.subject.family_name],
    }


def consult_awaiting_answer(world_region, weighing):
    """Art. 5 lid 3: the politie consulted the reclassering; the answer is awaited (its form shows)."""
    return record_consultation(
        world_region.users["weigher_politie"],
        weighing=weighing,
        organisation=world_region.orgs["reclassering"],
        consulted_on=timezone.localdate(),
        question="Loopt er toezicht?",
    )


def third_party_objects(world_region, case):
    """The ggz admitted to ``case`` as a third party seeing identifying data only (not the plan:
    the matrix grants it the case page, never the plan or transparency), and an open proposal
    for the onderwijs awaiting the three."""
    admit_jointly(
        world_region.users["weigher_gemeente"],
        case=case,
        organisation=world_region.orgs["ggz"],
        expertise="Behandeling",
        necessary_data=["identifying"],
    )
    school = OrganisationFactory(region=world_region.region, kind="onderwijs", name="School")
    return propose_third_party(
        world_region.users["case_director"],
        case=case,
        organisation=school,
        expertise="Leerplicht en begeleiding op school",
        plan_roles=["carrying_out"],
        necessary_data=["plan_of_action"],
    )


def correction_objects(world_region, case):
    """Art. 10: the politie's contribution to ``case``'s weighing, and a melding to the gemeente
    after its intake officer corrected the case's signal."""
    contribution = Contribution.objects.get(weighing__decisions__case=case, party="politie")
    signal = contribution.weighing.signals.first()
    correction = correct_item(
        world_region.users["intake"],
        item=signal,
        changes={"facts": "Gecorrigeerde feiten."},
        reason="Onjuist (fictief).",
    )
    return {"contribution": {"pk": contribution.pk}, "correction_notice": {"pk": correction.notice.pk}}


def privacy_audit_of(world_region):
    """A privacy audit of the region (art. 16), not yet sent to the AP, with a failed part."""
    return record_audit(
        world_region.users["privacy_officer"],
        audited_on=date(2026, 3, 2),
        scope="Casustafel en logging",
        auditor="Auditbureau (fictief)",
        results=[{"part": "logging", "passed": False, "note": "Logging onvolledig"}],
    )


def rights_request_of(world_region):
    """An open rectification request of the region (AVG art. 16), deadline a month out (art. 12 lid 3)."""
    return register_rights_request(
        world_region.users["privacy_officer"],
        kind="rectification",
        received_on=timezone.localdate(),
        summary="Verzoek om rectificatie (fictief)",
    )


def closed_case_with_new_aanmelding(world_region):
    """A closed (blocked) case of the region, a new aanmelding about its person, and the
    three core parties' decision that its data may serve the renewed weighing."""
    case = make_case(world_region, family_name="Afgesloten")
    transition_case(
        world_region.users["case_director"], case=case, target="closed", reason="Klaar", closure_reason="verhuisd"
    )
    register_signal(
        world_region.users["intake"], subject=subject_data(family_name="Afgesloten"), fields=signal_fields()
    )
    for key in ("weigher_gemeente", "weigher_politie", "weigher_om"):
        decide_reuse(world_region.users[key], case=case, decision="may_serve", reason="Zelfde zorgen")
    return case


CLOSED_CASE_CONTENT_ROUTES = [
    "cases:case_detail",
    "cases:case_add_participant",
    "cases:case_transfer",
    "governance:case_transparency",
    "plans:plan",
    "plans:goal_add",
    "plans:task_done",
    "journal:journal",
    "timeline:case_timeline",
]


@pytest.mark.parametrize("route", CLOSED_CASE_CONTENT_ROUTES)
def test_closed_case_content_is_blocked_for_every_user(route, world, client):
    """Wet PGA art. 6 lid 3: no participant reads a closed case's personal data (404, logged)."""
    case = closed_case_with_new_aanmelding(world["a"])
    url = reverse(route, kwargs={"pk": case.pk})
    failures = []
    for region, key, user in _users(world):
        login(client, user)
        for verb in ("get", "post"):
            with transaction.atomic():
                status = getattr(client, verb)(url).status_code
                transaction.set_rollback(True)
            if status not in (404, 405):
                failures.append(f"{region}/{key} {verb.upper()} → {status}")
        client.logout()
    assert failures == []


def _users(world):
    for region in ("a", "b"):
        for key, user in world[region].users.items():
            yield region, key, user


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_refuses_everyone_without_a_grant(route, world, objects, client):
    kwargs_key, grants = MATRIX[route]
    url = reverse(route, kwargs=objects[kwargs_key])
    failures = []
    for verb in VERBS:
        response = getattr(client, verb)(url)
        if response.status_code != 302 or "/inloggen/" not in response["Location"]:
            failures.append(f"anonymous {verb.upper()} → {response.status_code}")
    for region, key, user in _users(world):
        login(client, user)
        for verb in VERBS:
            with transaction.atomic():
                response = getattr(client, verb)(url)
                transaction.set_rollback(True)
            # Object routes serve region "a" objects; list routes serve each region its own rows.
            allowed = key in grants.get(verb, set()) and (region == "a" or kwargs_key is None)
            status = response.status_code
            if verb not in grants:
                ok = status == 405
            elif allowed:
                ok = status in (200, 302, 400)
            elif verb == "get" and kwargs_key is None:
                # A section page the role cannot use says so plainly (issue 12 item 11): 403,
                # not "niet gevonden" — no object is involved. Objects and writes stay 404.
                ok = status == 403
            else:
                ok = status == 404
            if ok and region == "b" and status == 200:
                leaked = [m for m in objects["foreign_markers"] if m in response.content.decode()]
                if leaked:
                    failures.append(f"{region}/{key} {verb.upper()} shows region a rows")
            if not ok:
                failures.append(f"{region}/{key} {verb.upper()} → {status} (allowed={allowed})")
        client.logout()
    assert failures == []
