"""E-mail notifications about the work queue (issue 12).

A user opts in per kind of work and chooses immediate messages or one daily digest
(:func:`save_preferences`). :func:`scan` compares each subscriber's queue with the items the
user was already told about and writes the messages to the outbox in the same transaction;
:func:`send_outbox` hands them to the organisation's SMTP server (Django's mail backend),
claiming each row with ``SKIP LOCKED`` so that two workers never send one twice. A message
names the kind of task, a reference, a due date and a link — never a name, BSN or case
content — and every mailed item is recorded in the processing log for its user.

``casustafel worker`` runs scan and send every minute.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casustafel.access import rls
from casustafel.accounts.models import User

from .models import Delivery, NotificationSettings, NotifiedItem, OutgoingMail
from .queue import SOURCES, WorkItem, available_kinds, record_listed, work_queue

logger = logging.getLogger(__name__)

#: A message that failed this many times stays in the outbox for the administrator.
MAX_ATTEMPTS = 5


def mail_enabled() -> bool:
    return bool(settings.EMAIL_HOST)


def preferences_of(user: User) -> NotificationSettings:
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user, kinds=[])


@transaction.atomic
def save_preferences(actor: User, *, kinds: Sequence[str], delivery: str) -> NotificationSettings:
    """Opt in to (or out of) e-mail about these kinds of work; only kinds the user can get."""
    allowed = {source.kind for source in available_kinds(actor)}
    unknown = set(kinds) - allowed
    if unknown:
        raise ValidationError({"kinds": _("Kies alleen soorten taken die bij uw rol horen.")})
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": _("Kies hoe u de meldingen wilt ontvangen.")})
    if kinds and not actor.email:
        raise ValidationError(
            {
                "kinds": _(
                    "Er is geen e-mailadres bij uw account bekend; vraag de functioneel beheerder dit vast te leggen."
                )
            }
        )
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=actor)
    added = set(kinds) - set(row.kinds)
    row.kinds = [kind for kind in SOURCES if kind in set(kinds)]
    row.delivery = delivery
    if added:
        # What already waits for a newly chosen kind is not news: the next scan only remembers it.
        row.baseline_done = False
    row.save()
    return row


def scan(*, now: datetime | None = None) -> int:
    """Compare every subscriber's queue with what they were told; write the messages due.
    Returns the number of messages queued."""
    now = now or timezone.now()
    queued = 0
    subscribers = NotificationSettings.objects.exclude(kinds=[]).select_related("user__organisation")
    for row in subscribers:
        user = row.user
        if not (user.is_active and user.email and user.organisation_id):
            continue
        with rls.regions(user.organisation.region_id):
            queued += _scan_one(row, now)
    return queued


@transaction.atomic
def _scan_one(row: NotificationSettings, now: datetime) -> int:
    row = (
        NotificationSettings.objects.select_for_update(of=("self",)).select_related("user__organisation").get(pk=row.pk)
    )
    user = row.user
    today = timezone.localdate(now)
    kinds = [k for k in row.kinds if k in {s.kind for s in available_kinds(user)}]
    queue = work_queue(user, today=today, kinds=kinds, log=False)
    items = {item.key: item for item in queue.items}
    known = set(NotifiedItem.objects.filter(user=user, key__in=list(items)).values_list("key", flat=True))
    new = [item for key, item in items.items() if key not in known]
    baseline = not row.baseline_done
    pending = row.delivery == Delivery.DAILY_DIGEST and not baseline
    NotifiedItem.objects.bulk_create(
        [
            NotifiedItem(
                user=user,
                key=item.key,
                pending=pending,
                kind=item.kind,
                reference=item.reference,
                path=item.path,
                due_on=item.due_on,
            )
            for item in new
        ],
        ignore_conflicts=True,
    )
    queued = 0
    if baseline:
        row.baseline_done = True
    elif row.delivery == Delivery.IMMEDIATE and new:
        record_listed(user, queue.listed(new))
        _enqueue(user, new, today=today, digest=False)
        queued = 1
    if row.delivery == Delivery.DAILY_DIGEST and _digest_due(row, now):
        waiting = list(NotifiedItem.objects.filter(user=user, pending=True).order_by("due_on", "seen_at"))
        # Only what still waits: an item handled since it was noted is not mailed.
        still = [n for n in waiting if n.key in items]
        if still:
            record_listed(user, queue.listed([items[n.key] for n in still]))
            _enqueue(user, [items[n.key] for n in still], today=today, digest=True)
            queued = 1
        NotifiedItem.objects.filter(pk__in=[n.pk for n in waiting]).update(pending=False)
        row.last_digest_on = today
    row.save()
    return queued


def _digest_due(row: NotificationSettings, now: datetime) -> bool:
    local = timezone.localtime(now)
    return local.hour >= settings.CASUSTAFEL_DIGEST_HOUR and row.last_digest_on != local.date()


def _enqueue(user: User, items: list[WorkItem], *, today: date, digest: bool) -> OutgoingMail:
    items = sorted(items, key=lambda i: (not i.overdue(today), i.due_on or date.max, i.reference))
    base = settings.CASUSTAFEL_BASE_URL.rstrip("/")
    with translation.override("nl"):
        lines = [
            {
                "label": str(item.label),
                "reference": item.reference,
                "due_on": item.due_on,
                "overdue": item.overdue(today),
                "url": base + item.path,
            }
            for item in items
        ]
        context = {
            "lines": lines,
            "digest": digest,
            "dashboard": base + "/",
            "preferences": base + reverse("work:preferences"),
        }
        subject = (
            _("Casustafel: uw dagelijkse samenvatting (%(count)d taken)") % {"count": len(items)}
            if digest
            else _("Casustafel: %(count)d nieuwe taak of taken in uw werkvoorraad") % {"count": len(items)}
        )
        body = render_to_string("work/mail.txt", context)
    return OutgoingMail.objects.create(user=user, to=user.email, subject=subject, body=body)


def send_outbox(*, limit: int = 50) -> int:
    """Send unsent messages through the SMTP server; returns how many were sent.
    Without ``CASUSTAFEL_EMAIL_HOST`` nothing is sent and the messages wait."""
    if not mail_enabled():
        return 0
    sent = 0
    tried: list[int] = []
    for _n in range(limit):
        with transaction.atomic():
            mail = (
                OutgoingMail.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
                .exclude(pk__in=tried)
                .order_by("created_at")
                .first()
            )
            if mail is None:
                break
            tried.append(mail.pk)
            try:
                EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to]).send()
            except (smtplib.SMTPException, OSError) as error:
                mail.attempts += 1
                code = getattr(error, "smtp_code", "")
                mail.last_error = f"{type(error).__name__} {code}".strip()[:200]
                mail.save(update_fields=["attempts", "last_error"])
                # The class and code only: an SMTP error can echo the address or the message.
                logger.warning("mail %s not sent: %s", mail.pk, mail.last_error)
                continue
            mail.sent_at = timezone.now()
            mail.attempts += 1
            mail.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent
