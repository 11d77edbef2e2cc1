"""Webhook notifications for partner systems (issue 14 item 3, ADR 0045).

An organisation taking part in a case subscribes a URL to event types. When such a thing
happens, :func:`enqueue` writes one delivery row per matching subscription once the change has
committed (``hooks``: ``transaction.on_commit``), so an event exists only for a committed change.
The body carries identifiers only — event id, type, moment and the UUIDs of the case, signal or
meeting — never a name, BSN or case content.

``casustafel worker`` calls :func:`deliver_due`: it claims due rows with ``SELECT … FOR UPDATE
SKIP LOCKED`` (several workers never deliver one row twice), POSTs the body signed with the
subscription's secret, and on a timeout, connection error, 408, 429 or 5xx retries with
exponential backoff (30 s, 1 min, 2 min, … at most 6 h) up to :data:`MAX_ATTEMPTS`. All state
is in the database: a worker that stops mid-retry loses nothing; the next one picks the row up.

Signature: header ``Casustafel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``.
A receiver recomputes it with :func:`verify_signature` and refuses a timestamp older than
:data:`SIGNATURE_TOLERANCE` (5 minutes) against replay.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casustafel.core import identity

from .models import EventType, PartnerClient, Scope, WebhookAttempt, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Casustafel-Signature"
#: A receiver refuses a signature whose timestamp is further than this from its clock.
SIGNATURE_TOLERANCE = 300
MAX_ATTEMPTS = 10
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
#: Seconds to wait for a receiver's answer.
TIMEOUT = 10
_EVENT_NAMESPACE = uuid.UUID("6f1b7c2e-4f0a-4d7e-9c55-0e4c5c1b4a45")


# ------------------------------------------------------------------------------ signing


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The ``Casustafel-Signature`` header value for ``body``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance: int = SIGNATURE_TOLERANCE, now: int | None = None
) -> bool:
    """For receivers (and the tests): whether ``header`` signs ``body`` with ``secret`` and its
    timestamp is within ``tolerance`` seconds of ``now`` — an old (replayed) delivery is refused."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        t = int(fields["t"])
    except (ValueError, KeyError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


# ------------------------------------------------------------------------ subscriptions


def _check_url(url: str) -> None:
    """HTTPS only; plain HTTP only to the loopback address (a receiver on the same machine)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http":
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            if host == "localhost":
                return
    raise ValidationError({"url": _("Geef een https-adres (http alleen naar de eigen machine).")})


@dataclass
class NewSubscription:
    subscription: WebhookSubscription
    secret: str


@transaction.atomic
def subscribe(*, client: PartnerClient, url: str, event_types: list[str]) -> NewSubscription:
    """Subscribe ``url`` of the client's organisation to ``event_types``; the secret is shown once."""
    if Scope.WEBHOOKS not in client.scopes:
        raise ValidationError(_("Dit partnersysteem mag geen webhooks beheren."))
    _check_url(url)
    if not event_types or set(event_types) - set(EventType.values):
        raise ValidationError({"eventTypes": _("Kies een of meer soorten gebeurtenissen.")})
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        organisation=client.organisation,
        client=client,
        url=url,
        event_types=sorted(set(event_types)),
        secret_encrypted=identity.encrypt(secret),
    )
    return NewSubscription(subscription, secret)


@transaction.atomic
def end_subscription(*, subscription: WebhookSubscription) -> WebhookSubscription:
    """Stop the subscription; deliveries still waiting are given up, the log stays."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.ended_at is None:
        subscription.ended_at = timezone.now()
        subscription.save(update_fields=["ended_at"])
        WebhookDelivery.objects.filter(subscription=subscription, delivered_at=None, given_up_at=None).update(
            given_up_at=subscription.ended_at
        )
    return subscription


def subscriptions_of(client: PartnerClient):
    return WebhookSubscription.objects.filter(organisation=client.organisation)


# ------------------------------------------------------------------------------ events


def enqueue(
    event_type: str,
    *,
    organisation_ids: Iterable,
    source_key: str,
    case=None,
    signal=None,
    meeting=None,
    occurred_at: datetime | None = None,
) -> int:
    """Queue the event for every live subscription of these organisations to this type, in the
    caller's transaction. ``source_key`` names the change (e.g. the transition's id): the same
    change queued twice is one event (its id derives from it)."""
    organisation_ids = {str(pk) for pk in organisation_ids if pk is not None}
    if not organisation_ids:
        return 0
    subscriptions = list(
        WebhookSubscription.objects.filter(
            organisation_id__in=organisation_ids,
            ended_at=None,
            event_types__contains=[event_type],
            client__revoked_at=None,
        )
    )
    if not subscriptions:
        return 0
    occurred_at = occurred_at or timezone.now()
    event_id = uuid.uuid5(_EVENT_NAMESPACE, f"{event_type}:{source_key}")
    payload = {
        "id": str(event_id),
        "type": event_type,
        "occurredAt": occurred_at.isoformat(),
        "case": str(case) if case else None,
        "signal": str(signal) if signal else None,
        "meeting": str(meeting) if meeting else None,
    }
    body = json.dumps(payload, separators=(",", ":"))
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=s, event_id=event_id, event_type=event_type, body=body, next_attempt_at=occurred_at
            )
            for s in subscriptions
        ],
        ignore_conflicts=True,
    )
    return len(rows)


# ---------------------------------------------------------------------------- delivery


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min, … at most 6 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _retryable(status: int | None) -> bool:
    return status is None or status >= 500 or status in (408, 429)


def _post(url: str, body: bytes, signature: str, event_id: str, timeout: float) -> int:
    # https, or http to the loopback address only (_check_url).
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature,
            "Casustafel-Event-Id": event_id,
            "User-Agent": "Casustafel-Webhooks/1",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def deliver_due(*, now: datetime | None = None, limit: int = 50, timeout: float | None = None) -> int:
    """Deliver the rows that are due; returns how many were delivered. Each row is claimed with
    ``SKIP LOCKED`` and updated in the same transaction as its attempt."""
    delivered = 0
    tried: list[int] = []
    timeout = timeout if timeout is not None else getattr(settings, "CASUSTAFEL_WEBHOOK_TIMEOUT", TIMEOUT)
    for _n in range(limit):
        moment = now or timezone.now()
        with transaction.atomic():
            row = (
                WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("subscription")
                .filter(delivered_at=None, given_up_at=None, next_attempt_at__lte=moment)
                .exclude(pk__in=tried)
                .order_by("next_attempt_at", "id")
                .first()
            )
            if row is None:
                break
            tried.append(row.pk)
            secret = identity.decrypt(row.subscription.secret_encrypted)
            body = row.body.encode()
            started = time.monotonic()
            status: int | None = None
            error = ""
            try:
                _check_url(row.subscription.url)
                status = _post(row.subscription.url, body, sign(secret, body), str(row.event_id), timeout)
            except TimeoutError:
                error = "timeout"
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                error = "timeout" if isinstance(reason, TimeoutError) else type(reason).__name__
            except ValidationError:
                error = "invalid_url"
            duration = int((time.monotonic() - started) * 1000)
            at = now or timezone.now()
            WebhookAttempt.objects.create(delivery=row, at=at, status_code=status, error=error, duration_ms=duration)
            row.attempts += 1
            row.last_status = status
            row.last_error = error
            if status is not None and 200 <= status < 300:
                row.delivered_at = at
                delivered += 1
            elif error == "invalid_url" or not _retryable(status) or row.attempts >= MAX_ATTEMPTS:
                row.given_up_at = at
            else:
                row.next_attempt_at = at + backoff(row.attempts)
            row.save(
                update_fields=[
                    "attempts",
                    "last_status",
                    "last_error",
                    "delivered_at",
                    "given_up_at",
                    "next_attempt_at",
                ]
            )
            if row.delivered_at is None:
                logger.info("webhook delivery %s attempt %s: %s", row.pk, row.attempts, status or error)
    return delivered


def deliveries_of(subscription: WebhookSubscription):
    return WebhookDelivery.objects.filter(subscription=subscription).prefetch_related("attempt_log")
