"""Notification preferences, what a user was told, and the outbox of messages.

None of these rows holds personal data of a data subject: a message carries a link and a
reference only (issue 12), and what a user was told is remembered by the queue item's key
(kind and object id).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Direct bij elke nieuwe taak")
    DAILY_DIGEST = "daily_digest", _("Eén dagelijkse samenvatting")


class NotificationSettings(models.Model):
    """A user's choice: which kinds of work to be e-mailed about, and how often.

    No row, or no kinds: no e-mail (opt-in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    kinds = models.JSONField(_("soorten taken"), default=list, blank=True)
    delivery = models.CharField(_("bezorging"), max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    #: The first scan after opting in only remembers what is already waiting: no flood of old work.
    baseline_done = models.BooleanField(default=False)
    last_digest_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meldingsinstellingen")


class NotifiedItem(models.Model):
    """A work-queue item a user has been told about (or that was waiting when they opted in)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    seen_at = models.DateTimeField(auto_now_add=True)
    #: Queued for the next digest, not yet mailed.
    pending = models.BooleanField(default=False)
    kind = models.CharField(max_length=40)
    reference = models.CharField(max_length=40)
    path = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notified_item_once_per_user")]


class OutgoingMail(models.Model):
    """The outbox (PostgreSQL as the queue): written in the scan's transaction, sent afterwards,
    each row claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` so that workers never send twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: The SMTP error class and code only; never the message.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outgoing_mail_unsent")]
