from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .kinds import KINDS, label_for


class OutgoingMail(models.Model):
    """One e-mail to one person, written in the same transaction as the event it
    tells of and sent by a task worker: retried until it leaves, never twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        HELD = "held", "Held for the daily digest"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: gave up retrying"
        WITHHELD = "withheld", "Not sent: no longer has access"
        DIGESTED = "digested", "Sent in a daily digest"

    recipient = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A notification kind (see kinds.py) or, for other mail, its event.
    kind = models.CharField(max_length=60)
    event = models.CharField(max_length=60)
    # What the message is about, when the caller says so.
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    # Mail about a partnership is sent only to people who may still see it.
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField("idempotency key", max_length=200, unique=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    # The page the message points to, for the digest.
    link = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a worker took it to send; a claim older than OUTBOX_SENDING_TIMEOUT
    # belongs to a worker that died, and the message is sent again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The digest that carried this held notification.
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing mail"
        verbose_name_plural = "outgoing mail"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "user"]),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"

    @property
    def kind_label(self) -> str:
        return label_for(self.kind)

    @property
    def is_retrying(self) -> bool:
        return self.status == self.Status.QUEUED and self.attempts > 0


class NotificationPreference(models.Model):
    """How one person wants to hear of one kind of notification."""

    class Choice(models.TextChoices):
        IMMEDIATELY = "immediately", "Immediately"
        DIGEST = "digest", "In a daily digest"
        OFF = "off", "Off"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=60, choices=[(k.key, k.label) for k in KINDS])
    choice = models.CharField(
        max_length=12, choices=Choice.choices, default=Choice.IMMEDIATELY
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="one_preference_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.kind}: {self.choice}"
