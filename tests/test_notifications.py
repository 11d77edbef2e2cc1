"""E-mail notifications (issue 12 item 2), sent to a real SMTP server on localhost (aiosmtpd):
opt-in per kind, immediate or a daily digest, and never a name, BSN or case content in a message."""

from __future__ import annotations

import socket
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casustafel.flow.services import register_signal, send_to_weighing
from casustafel.weighing.services import submit_contribution
from casustafel.work import notifications
from casustafel.work.models import Delivery, NotificationSettings, NotifiedItem, OutgoingMail

from .factories import contribution, signal_fields, subject_data
from .helpers import login

pytestmark = pytest.mark.django_db

#: What the tests put in signals; none of it may ever leave in a message.
NAME, BSN, FACT = "Vanderbroek", "111222333", "Deelt propaganda in besloten groep"
BIRTH = date(1990, 4, 12)


class _Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost for the test; Django's SMTP backend sends to it."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.CASUSTAFEL_BASE_URL = "https://casustafel.example"
    try:
        yield inbox
    finally:
        controller.stop()


_persons = iter(range(10_000))


def _new_weighing(region):
    intake = region.users["intake"]
    n = next(_persons)
    # A valid BSN (elfproef) per person: the first weighing carries the BSN the tests look for.
    subject = subject_data(family_name=f"{NAME}{n}", date_of_birth=BIRTH + timedelta(days=n), bsn=BSN if n == 0 else "")
    reg = register_signal(intake, subject=subject, fields=signal_fields(facts=FACT))
    return send_to_weighing(intake, signal=reg.signal).weighing


def _subscribe(user, kinds=("weighing_contribution",), delivery=Delivery.IMMEDIATE):
    user.email = f"{user.username}@example.org"
    user.save(update_fields=["email"])
    return notifications.save_preferences(user, kinds=list(kinds), delivery=delivery)


def _texts(inbox) -> list[str]:
    return [
        message_from_bytes(raw, policy=policy.default).get_body(preferencelist=("plain",)).get_content()
        for _to, raw in inbox.messages
    ]


def test_an_opted_in_user_gets_one_message_per_new_task_with_a_link_and_a_reference_only(region_a, smtp_server):
    weigher = region_a.users["weigher_om"]
    _new_weighing(region_a)  # already waiting when the user opts in: not news
    _subscribe(weigher)
    assert notifications.scan() == 0  # the first scan only remembers what waits
    weighing = _new_weighing(region_a)
    assert notifications.scan() == 1
    assert notifications.scan() == 0, "told once"
    assert notifications.send_outbox() == 1
    assert len(smtp_server.messages) == 1
    recipients, raw = smtp_server.messages[0]
    assert recipients == [weigher.email]
    text = _texts(smtp_server)[0]
    assert weighing.reference in text
    assert f"https://casustafel.example/wegingen/{weighing.pk}/" in text
    assert OutgoingMail.objects.get().sent_at is not None


def test_no_personal_data_leaves_in_a_message(region_a, smtp_server):
    """Issue 12: a message carries a link and a reference only — never a name, BSN or case content."""
    from casustafel.subjects.models import Subject

    weigher = region_a.users["weigher_om"]
    _subscribe(weigher, kinds=[s.kind for s in notifications.available_kinds(weigher)])
    notifications.scan()
    weighing = _new_weighing(region_a)
    notifications.scan()
    notifications.send_outbox()
    assert smtp_server.messages
    subject = Subject.objects.get(pk=weighing.subject_id)
    for _to, raw in smtp_server.messages:
        whole = message_from_bytes(raw, policy=policy.default)
        content = str(whole["Subject"]) + whole.get_body(preferencelist=("plain",)).get_content()
        born = subject.date_of_birth
        secrets = (subject.family_name, NAME, BSN, FACT, str(weighing.subject_id), born.isoformat())
        for secret in (*secrets, born.strftime("%d-%m-%Y"), f"{born.day} april {born.year}"):
            assert secret not in content, secret


def test_a_daily_digest_collects_the_new_tasks_and_sends_once_at_its_hour(region_a, smtp_server, settings):
    settings.CASUSTAFEL_DIGEST_HOUR = 7
    weigher = region_a.users["weigher_politie"]
    day = timezone.localdate()
    early = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=5)
    with time_machine.travel(early, tick=False):
        _subscribe(weigher, delivery=Delivery.DAILY_DIGEST)
        notifications.scan()
        first, second = _new_weighing(region_a), _new_weighing(region_a)
        assert notifications.scan() == 0, "before the digest hour nothing is sent"
        assert NotifiedItem.objects.filter(user=weigher, pending=True).count() == 2
    # One was handled before the digest: only what still waits is mailed. The handling happens
    # on the same travelled day (at real time it could fall before 05:00, i.e. before the notice).
    with time_machine.travel(early + timedelta(hours=1), tick=False):
        submit_contribution(weigher, weighing=first, data=contribution(region_a.region))
    with time_machine.travel(early + timedelta(hours=3), tick=False):
        assert notifications.scan() == 1
        assert notifications.scan() == 0, "one digest a day"
        notifications.send_outbox()
    text = _texts(smtp_server)[0]
    assert second.reference in text and first.reference not in text
    assert "dagelijkse samenvatting" in message_from_bytes(smtp_server.messages[0][1])["Subject"]


def test_no_opt_in_no_message(region_a, smtp_server):
    _new_weighing(region_a)
    notifications.scan()
    _new_weighing(region_a)
    assert notifications.scan() == 0 and notifications.send_outbox() == 0
    assert smtp_server.messages == []


def test_preferences_accept_only_kinds_of_the_users_role(region_a):
    participant = region_a.users["participant_ggz"]
    participant.email = "ggz@example.org"
    participant.save(update_fields=["email"])
    with pytest.raises(ValidationError):
        notifications.save_preferences(participant, kinds=["weighing_contribution"], delivery=Delivery.IMMEDIATE)
    assert not NotificationSettings.objects.filter(user=participant).exists()
    notifications.save_preferences(participant, kinds=["meeting_action"], delivery=Delivery.DAILY_DIGEST)
    assert NotificationSettings.objects.get(user=participant).kinds == ["meeting_action"]


def test_the_preferences_page_saves_and_refuses_in_dutch(client, region_a):
    weigher = region_a.users["weigher_om"]
    weigher.email = "om@example.org"
    weigher.save(update_fields=["email"])
    login(client, weigher)
    url = reverse("work:preferences")
    page = client.get(url).content.decode()
    assert "Inbreng van uw organisatie gevraagd" in page and "Evaluatie van het plan van aanpak" not in page
    response = client.post(url, {"kinds": ["plan_review"], "delivery": "immediate"})
    assert response.status_code == 400 and "geldige keuze" in response.content.decode()
    response = client.post(url, {"kinds": ["weighing_contribution"], "delivery": "daily_digest"})
    assert response.status_code == 302
    row = NotificationSettings.objects.get(user=weigher)
    assert row.kinds == ["weighing_contribution"] and row.delivery == "daily_digest"


def test_without_an_email_address_opting_in_is_refused_plainly(client, region_a):
    user = region_a.users["weigher_gemeente"]
    login(client, user)
    response = client.post(reverse("work:preferences"), {"kinds": ["weighing_contribution"], "delivery": "immediate"})
    assert response.status_code == 400 and "geen e-mailadres" in response.content.decode()


def test_an_unreachable_smtp_server_keeps_the_message_and_logs_no_content(region_a, settings, caplog):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # pytest-django sets locmem
    weigher = region_a.users["weigher_om"]
    _subscribe(weigher)
    notifications.scan()
    weighing = _new_weighing(region_a)
    notifications.scan()
    assert notifications.send_outbox() == 0
    mail = OutgoingMail.objects.get()
    assert mail.sent_at is None and mail.attempts == 1 and mail.last_error
    assert weighing.reference not in caplog.text and weigher.email not in caplog.text


def test_without_a_mail_server_configured_messages_wait(region_a, settings):
    settings.EMAIL_HOST = ""
    weigher = region_a.users["weigher_om"]
    _subscribe(weigher)
    notifications.scan()
    _new_weighing(region_a)
    notifications.scan()
    assert notifications.send_outbox() == 0
    assert OutgoingMail.objects.get().attempts == 0


def test_the_worker_command_scans_and_sends_in_one_round(region_a, smtp_server, capsys):
    from casustafel.cli import main

    weigher = region_a.users["weigher_om"]
    _subscribe(weigher)
    notifications.scan()
    weighing = _new_weighing(region_a)
    assert main(["worker", "--once"]) == 0
    assert "1 bericht(en) klaargezet, 1 verstuurd" in capsys.readouterr().out
    assert weighing.reference in _texts(smtp_server)[0]
