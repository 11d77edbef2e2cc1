"""Webhook notifications for partner systems (issue 14 item 3, ADR 0045): subscriptions, events
queued with the change that causes them, identifiers only, signed deliveries, replay refusal, and
retries with backoff by a worker whose state is the database (a restart loses nothing)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction
from django.utils import timezone

from casustafel.cases.services import transition_case
from casustafel.cases.transfer import decide_transfer
from casustafel.demo import decide_jointly
from casustafel.flow.services import send_to_weighing
from casustafel.partners import webhooks
from casustafel.partners.models import EventType, WebhookDelivery, WebhookSubscription
from casustafel.weighing.models import Outcome
from casustafel.weighing.services import DecisionData

from .api.conftest import assert_problem, signal_body
from .conftest import make_case, weigh_all
from .helpers import api_client
from .meetings_helpers import meeting_with_case
from .test_keys import keyring  # noqa: F401 — fixture
from .test_partner_api import partner, post
from .test_transfer import incoming_transfer_to

SUBSCRIPTIONS = "/api/v1/webhook-subscriptions"
ALL_EVENTS = list(EventType.values)


class Receiver:
    """A local HTTP receiver (http.server in a thread) answering from a script: a status code,
    or ``"slow"`` (answer after the client's timeout)."""

    def __init__(self, script):
        self.script = list(script)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                action = receiver.script.pop(0) if receiver.script else 200
                if action == "slow":
                    time.sleep(1.5)
                    action = 200
                try:
                    self.send_response(action)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/casustafel"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` — run what the block queues on commit, as a committed change would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def subscribe(organisation, url, events=ALL_EVENTS):
    client, http = partner(organisation, scopes=("webhooks:beheren",), name="Ontvanger")
    response = http.post(SUBSCRIPTIONS, data={"url": url, "event_types": events}, format="json")
    assert response.status_code == 201, response.content
    return response.json(), http


def partner_objects(world_region) -> dict:
    """A webhook subscription of the region's reclassering, for the web authorization matrix."""
    from casustafel.partners.services import create_client

    issued = create_client(organisation=world_region.orgs["reclassering"], name="Matrix", scopes=["webhooks:beheren"])
    new = webhooks.subscribe(client=issued.client, url="https://matrix.example/hook", event_types=["case_closed"])
    return {"webhook_subscription": {"pk": new.subscription.pk}}


def bodies(subscription_id):
    return [json.loads(d.body) for d in WebhookDelivery.objects.filter(subscription_id=subscription_id)]


# --------------------------------------------------------------------------- signing


def test_signature_verifies_and_refuses_tampering_and_replay():
    body = b'{"id":"1","type":"case_closed"}'
    now = int(time.time())
    header = webhooks.sign("geheim", body, timestamp=now)
    assert header.startswith(f"t={now},v1=")
    assert webhooks.verify_signature("geheim", header, body, now=now)
    assert not webhooks.verify_signature("ander geheim", header, body, now=now)
    assert not webhooks.verify_signature("geheim", header, body + b" ", now=now)
    # Replay: a timestamp older than the tolerance (5 minutes) is refused, even correctly signed.
    assert webhooks.verify_signature("geheim", header, body, now=now + webhooks.SIGNATURE_TOLERANCE)
    assert not webhooks.verify_signature("geheim", header, body, now=now + webhooks.SIGNATURE_TOLERANCE + 1)
    assert not webhooks.verify_signature("geheim", "v1=abc", body, now=now)
    assert not webhooks.verify_signature("geheim", "onzin", body, now=now)


# ---------------------------------------------------------------------- subscriptions


@pytest.mark.django_db
def test_subscribing_shows_the_secret_once_and_only_to_the_own_organisation(region_a, world):
    created, http = subscribe(region_a.orgs["reclassering"], "https://partner.example/hook", ["case_closed"])
    assert created["secret"].startswith("whsec_")
    listed = http.get(SUBSCRIPTIONS).json()["results"]
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
    assert created["secret"] not in WebhookSubscription.objects.get(pk=created["id"]).secret_encrypted
    # Another organisation's client does not see it.
    _other, other_http = partner(world["b"].orgs["reclassering"], scopes=("webhooks:beheren",))
    assert_problem(other_http.get(f"{SUBSCRIPTIONS}/{created['id']}"), 404)
    assert_problem(other_http.get(f"{SUBSCRIPTIONS}/{created['id']}/deliveries"), 404)
    assert other_http.get(SUBSCRIPTIONS).json()["results"] == []
    # Plain http only to the own machine; an unknown event type is refused.
    bad = http.post(
        SUBSCRIPTIONS, data={"url": "http://partner.example/hook", "event_types": ["case_closed"]}, format="json"
    )
    assert_problem(bad, 400, "url")
    unknown = http.post(SUBSCRIPTIONS, data={"url": "https://x.example", "event_types": ["x"]}, format="json")
    assert_problem(unknown, 400, "event_types.0")
    # A person's token, and a client without the scope: 403.
    assert_problem(api_client(region_a.users["case_director"]).get(SUBSCRIPTIONS), 403)
    _client, registering = partner(region_a.orgs["gemeente"])
    assert_problem(registering.get(SUBSCRIPTIONS), 403)
    # Ending it: 204, and it stays in the list as ended.
    assert http.delete(f"{SUBSCRIPTIONS}/{created['id']}").status_code == 204
    assert http.get(f"{SUBSCRIPTIONS}/{created['id']}").json()["ended_at"] is not None


# --------------------------------------------------------------------------- events


@pytest.mark.django_db
def test_case_closed_is_queued_for_participants_with_identifiers_only(region_a, committed):
    case = make_case(region_a, family_name="Özdemir", bsn="")
    created, _http = subscribe(region_a.orgs["reclassering"], "https://partner.example/hook")
    outsider, _ = subscribe(region_a.orgs["ggz"], "https://ggz.example/hook")
    with committed():
        transition_case(
            region_a.users["case_director"], case=case, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
        )
    [event] = bodies(created["id"])
    assert set(event) == {"id", "type", "occurredAt", "case", "signal", "meeting"}
    assert (event["type"], event["case"]) == ("case_closed", str(case.pk))
    raw = WebhookDelivery.objects.get(subscription_id=created["id"]).body
    for personal in ("Özdemir", "Ozdemir", case.reference, "Lindeveld", "1999"):
        assert personal not in raw
    # The ggz does not take part in the case: nothing for it.
    assert bodies(outsider["id"]) == []


@pytest.mark.django_db
def test_an_event_exists_only_when_its_change_commits(region_a, committed):
    case = make_case(region_a)
    created, _http = subscribe(region_a.orgs["reclassering"], "https://partner.example/hook")
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        transition_case(
            region_a.users["case_director"], case=case, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
        )
        raise RuntimeError("afgebroken")
    assert bodies(created["id"]) == []


@pytest.mark.django_db
def test_meeting_and_action_events_reach_the_right_organisations(region_a, case_a, committed):
    reclassering, _ = subscribe(region_a.orgs["reclassering"], "https://r.example/hook")
    politie, _ = subscribe(region_a.orgs["politie"], "https://p.example/hook", ["meeting_scheduled"])
    with committed():
        meeting, _item, _action = meeting_with_case(region_a, case_a)
    types = sorted(e["type"] for e in bodies(reclassering["id"]))
    assert types == ["action_assigned", "meeting_scheduled"]  # the action is owned by the reclassering
    [scheduled] = bodies(politie["id"])
    assert (scheduled["case"], scheduled["meeting"]) == (str(case_a.pk), str(meeting.pk))


@pytest.mark.django_db
def test_not_accepted_registration_is_told_to_the_registering_partner_art_5_lid_6(region_a, committed):
    """Art. 5 lid 6: the participant that registered a case not put to the casusoverleg is informed."""
    created, _ = subscribe(region_a.orgs["zvh"], "https://zvh.example/hook", ["registration_not_accepted"])
    _client, http = partner(region_a.orgs["zvh"], name="ZVH-systeem")
    signal_id = post(http, signal_body()).json()["id"]
    from casustafel.signals.models import Signal

    signal = send_to_weighing(region_a.users["intake"], signal=Signal.objects.get(pk=signal_id))
    weigh_all(region_a, signal.weighing, view=Outcome.NO_ACTION)
    with committed():
        decide_jointly(
            region_a.users["weigher_gemeente"],
            weighing=signal.weighing,
            data=DecisionData(outcome=Outcome.NO_ACTION, rationale="Geen zorgen."),
        )
    [event] = bodies(created["id"])
    assert (event["type"], event["signal"], event["case"]) == ("registration_not_accepted", signal_id, None)


@pytest.mark.django_db
def test_case_transferred_reaches_the_sending_participants(world, committed):
    sending, _ = subscribe(world["b"].orgs["reclassering"], "https://b.example/hook", ["case_transferred"])
    transfer = incoming_transfer_to(world)
    a = world["a"]
    with committed():
        decide_transfer(
            a.users["process_director"], transfer=transfer, accept=True, case_director=a.users["case_director"]
        )
    [event] = bodies(sending["id"])
    assert (event["type"], event["case"]) == ("case_transferred", str(transfer.case_id))


# -------------------------------------------------------------------------- delivery


def _close_case(region_a, committed=None):
    case = make_case(region_a)
    with committed() if committed else contextlib.nullcontext():
        transition_case(
            region_a.users["case_director"], case=case, target="closed", reason="Klaar", closure_reason="doelen_bereikt"
        )
    return case


@pytest.mark.django_db
def test_delivery_is_signed_and_retried_with_backoff_after_500_and_timeout(region_a, committed):
    with Receiver([500, "slow", 200]) as receiver:
        created, http = subscribe(region_a.orgs["reclassering"], receiver.url, ["case_closed"])
        _close_case(region_a, committed)
        t0 = timezone.now()
        assert webhooks.deliver_due(now=t0, timeout=0.5) == 0  # 500
        row = WebhookDelivery.objects.get()
        assert (row.attempts, row.last_status, row.next_attempt_at) == (1, 500, t0 + timedelta(seconds=30))
        assert webhooks.deliver_due(now=t0 + timedelta(seconds=10), timeout=0.5) == 0  # not yet due
        assert len(receiver.received) == 1
        assert webhooks.deliver_due(now=t0 + timedelta(seconds=31), timeout=0.5) == 0  # timeout
        row.refresh_from_db()
        assert (row.attempts, row.last_error) == (2, "timeout")
        assert row.next_attempt_at == t0 + timedelta(seconds=31) + timedelta(seconds=60)
        assert webhooks.deliver_due(now=t0 + timedelta(seconds=95), timeout=2) == 1
        row.refresh_from_db()
        assert row.delivered_at is not None and row.attempts == 3
    for headers, body in receiver.received:
        assert webhooks.verify_signature(created["secret"], headers["Casustafel-Signature"], body)
        assert json.loads(body)["type"] == "case_closed"
    # The delivery log shows each attempt.
    log = http.get(f"{SUBSCRIPTIONS}/{created['id']}/deliveries").json()["results"]
    assert [(a["status_code"], a["error"]) for a in log[0]["attempt_log"]] == [(500, ""), (None, "timeout"), (200, "")]


@pytest.mark.django_db
def test_a_client_error_is_given_up_and_so_is_a_delivery_after_the_last_attempt(region_a, committed):
    with Receiver([410, 500]) as receiver:
        subscribe(region_a.orgs["reclassering"], receiver.url, ["case_closed"])
        _close_case(region_a, committed)
        webhooks.deliver_due()
        row = WebhookDelivery.objects.get()
        assert row.given_up_at is not None and row.last_status == 410
        WebhookDelivery.objects.update(given_up_at=None, attempts=webhooks.MAX_ATTEMPTS - 1)
        webhooks.deliver_due()
        row.refresh_from_db()
        assert row.given_up_at is not None and row.attempts == webhooks.MAX_ATTEMPTS
    assert webhooks.backoff(1) == timedelta(seconds=30)
    assert webhooks.backoff(30) == webhooks.BACKOFF_MAX


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restarted_worker_picks_up_the_retry_and_workers_never_share_a_row(region_a):
    """The queue is the database: worker 1 fails (500) and stops; a new worker on its own
    connection delivers the row when due. A row another worker holds is skipped (SKIP LOCKED)."""
    with Receiver([500, 200]) as receiver:
        created, _http = subscribe(region_a.orgs["reclassering"], receiver.url, ["case_closed"])
        _close_case(region_a)
        t0 = timezone.now()
        assert webhooks.deliver_due(now=t0) == 0
        connection.close()  # worker 1 is gone
        results = {}

        def new_worker(name, moment):
            try:
                results[name] = webhooks.deliver_due(now=moment)
            finally:
                connection.close()

        # Another worker holds the row: a worker started meanwhile skips it.
        with transaction.atomic():
            WebhookDelivery.objects.select_for_update().get()
            worker = threading.Thread(target=new_worker, args=("while-locked", t0 + timedelta(minutes=5)))
            worker.start()
            worker.join(30)
        assert results["while-locked"] == 0
        worker = threading.Thread(target=new_worker, args=("restarted", t0 + timedelta(minutes=5)))
        worker.start()
        worker.join(30)
        assert results["restarted"] == 1
    row = WebhookDelivery.objects.get()
    assert (row.attempts, row.delivered_at is not None) == (2, True)
    assert [json.loads(body)["id"] for _h, body in receiver.received] == [bodies(created["id"])[0]["id"]] * 2


@pytest.mark.django_db
def test_the_worker_command_delivers_and_purges(region_a, monkeypatch, capsys, committed):
    """``casustafel worker --once`` runs the partner round (minimal hook in work/cli.py)."""
    from casustafel import cli

    monkeypatch.setattr(cli, "_setup", lambda **kwargs: None)
    with Receiver([200]) as receiver:
        subscribe(region_a.orgs["reclassering"], receiver.url, ["case_closed"])
        _close_case(region_a, committed)
        assert cli.main(["worker", "--once"]) == 0
    assert "1 webhook(s) afgeleverd" in capsys.readouterr().out
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_the_functional_admin_reads_the_partner_systems_and_the_delivery_log(region_a, world, client, committed):
    """The delivery log page per subscription: each event with its attempts, no personal data."""
    from django.urls import reverse

    from .helpers import login

    with Receiver([503, 200]) as receiver:
        created, _http = subscribe(region_a.orgs["reclassering"], receiver.url, ["case_closed"])
        case = _close_case(region_a, committed)
        t0 = timezone.now()
        webhooks.deliver_due(now=t0)
        webhooks.deliver_due(now=t0 + timedelta(minutes=1))
    login(client, region_a.users["functional_admin"])
    overview = client.get(reverse("partners:client_list")).content.decode()
    assert "Ontvanger" in overview and receiver.url in overview
    page = client.get(reverse("partners:delivery_log", kwargs={"pk": created["id"]}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "HTTP 503" in html and "HTTP 200" in html and "Afgeleverd" in html
    assert case.reference not in html and case.subject.family_name not in html
    # Another region's functional admin: not found.
    client.logout()
    login(client, world["b"].users["functional_admin"])
    assert client.get(reverse("partners:delivery_log", kwargs={"pk": created["id"]})).status_code == 404
    assert created["id"] not in client.get(reverse("partners:client_list")).content.decode()


@pytest.mark.django_db
def test_key_rotation_re_encrypts_the_signing_secret(region_a, keyring, settings):  # noqa: F811 — the fixture
    """``casustafel keys rotate`` covers the webhook secrets: after rotating and removing the old
    key, deliveries are still signed with the same secret."""
    from cryptography.fernet import Fernet

    from casustafel.core import identity
    from casustafel.subjects.keys import check, rotate

    old, new = settings.CASUSTAFEL_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    keyring([old])
    created, _http = subscribe(region_a.orgs["reclassering"], "https://partner.example/hook", ["case_closed"])
    keyring([new, old])
    assert check()["partners_webhooksubscription"] == 1
    rotate(identity.key_fingerprint(new))
    keyring([new])
    stored = WebhookSubscription.objects.get(pk=created["id"]).secret_encrypted
    assert identity.decrypt(stored) == created["secret"]
