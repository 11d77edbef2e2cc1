"""Partner systems (issue 14 items 2 and 3): their client credentials, the aanmeldingen they
submit with an ``Idempotency-Key``, and the webhooks they subscribe to (ADR 0045).

A partner client is a system, not a person: it acts through a service account of its
organisation (``service_user``), so every write goes through the same services, access policy
and processing log as a person's, and the log names the partner system as the actor.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    REGISTER = "aanmelding:schrijven", _("Aanmeldingen indienen (art. 5 lid 1 Wet PGA)")
    WEBHOOKS = "webhooks:beheren", _("Webhooks beheren en hun afleverlog lezen")


class EventType(models.TextChoices):
    ACTION_ASSIGNED = "action_assigned", _("Nieuwe actie voor de organisatie")
    MEETING_SCHEDULED = "meeting_scheduled", _("Casus geagendeerd voor een casusoverleg")
    CASE_TRANSFERRED = "case_transferred", _("Casus overgedragen")
    CASE_CLOSED = "case_closed", _("Casus afgesloten")
    REGISTRATION_NOT_ACCEPTED = "registration_not_accepted", _("Aanmelding niet voorgelegd (art. 5 lid 6)")


class PartnerClient(models.Model):
    """Client credentials of one partner system of one organisation (not a person's token)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client_id = models.CharField(_("client-id"), max_length=40, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisatie")
    )
    name = models.CharField(_("naam van het systeem"), max_length=200)
    scopes = ArrayField(models.CharField(max_length=40, choices=Scope.choices), default=list)
    #: The account the system acts as: role intake officer, no password, no second factor.
    service_user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnersysteem")
        ordering = ["organisation__name", "name"]

    def __str__(self):
        return self.client_id


class ClientSecret(models.Model):
    """A secret of a partner client, stored as its SHA-256 digest only (the secret is shown once).

    Rotation adds a secret and lets the previous ones expire after a grace period, so that at
    most two are valid while a partner switches over."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="secrets")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class IdempotencyRecord(models.Model):
    """One submission under an ``Idempotency-Key``, scoped to the client; expires after
    ``CASUSTAFEL_IDEMPOTENCY_HOURS``. Holds the stored answer: identifiers only."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_unique_key_per_client")]


class PartnerRegistration(models.Model):
    """How an aanmelding came in from a partner system: the client, its trace, and for a
    Zorg- en Veiligheidshuis when the rules of the Wgs stop applying (once the weighing takes it on)."""

    signal = models.OneToOneField("signals.Signal", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(PartnerClient, on_delete=models.PROTECT, related_name="+")
    #: W3C trace context as received (or the trace started here), and its trace id.
    traceparent = models.CharField(max_length=55, blank=True)
    trace_id = models.CharField(max_length=32)
    received_at = models.DateTimeField(auto_now_add=True)
    #: Registered by a Zorg- en Veiligheidshuis under the Wet gegevensverwerking door
    #: samenwerkingsverbanden (Wgs): its case rules apply until the weighing takes the signal on.
    wgs_registration = models.BooleanField(default=False)
    wgs_rules_end_at = models.DateTimeField(null=True, blank=True)


class WebhookSubscription(models.Model):
    """A URL of a participating organisation, for events about the cases it takes part in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(PartnerClient, on_delete=models.PROTECT, related_name="subscriptions")
    url = models.URLField(max_length=500)
    event_types = ArrayField(models.CharField(max_length=40, choices=EventType.choices))
    #: The signing secret, encrypted (core.identity); shown once when subscribing.
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]


class WebhookDelivery(models.Model):
    """The delivery queue (PostgreSQL, no second store): one event for one subscription, claimed
    by a worker with ``SELECT … FOR UPDATE SKIP LOCKED``, retried with backoff until delivered or
    given up. The body holds identifiers only."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    #: The error class only (timeout, connection refused): never the receiver's answer.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once_per_event")
        ]
        indexes = [models.Index(fields=["delivered_at", "given_up_at", "next_attempt_at"], name="webhook_due")]


class WebhookAttempt(models.Model):
    """One attempt at a delivery, for the delivery log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]
