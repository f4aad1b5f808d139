"""The raw intake stream: every accepted webhook delivery or form post, stored
before any processing so nothing that reached us can be lost.

Writes go through intake.services; views only store, tasks only process.
"""

import uuid

from django.db import models
from django.utils import timezone


class IntakeChannel(models.TextChoices):
    LANDING = "landing", "Landing page"
    TELEGRAM = "telegram", "Telegram"
    META = "meta", "Meta lead ads"
    WHATSAPP = "whatsapp", "WhatsApp"
    CALLS = "calls", "Call tracking"


class IntakeStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class IntakeOutcome(models.TextChoices):
    CREATED = "created", "New lead"
    REPEAT = "repeat", "Repeat inquiry"


class ReplyStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


# Statuses a worker may (re)process.
OPEN_STATUSES = (IntakeStatus.PENDING, IntakeStatus.FAILED)


class IntakeEvent(models.Model):
    """One inquiry-shaped thing a channel sent us: a form post, a Telegram
    update, one Meta leadgen, one WhatsApp message, one call.

    Unique by the channel's own id, so a redelivery is recognised, not re-stored.
    """

    channel = models.CharField(max_length=16, choices=IntakeChannel.choices)
    external_id = models.CharField(
        max_length=128, help_text="The channel's own id: update_id, leadgen_id, message id, call id, form key."
    )
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    platform = models.CharField(max_length=16, blank=True, help_text="Meta: ig (Instagram) or fb (Facebook).")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    headers = models.JSONField(default=dict, blank=True, help_text="The request headers that matter.")
    body = models.TextField(blank=True, help_text="The raw request body as received.")
    payload = models.JSONField(default=dict, blank=True, help_text="This event's part of the body.")
    fetched = models.JSONField(
        null=True, blank=True, help_text="Data fetched from the platform while processing (Meta Graph API lead)."
    )

    status = models.CharField(max_length=16, choices=IntakeStatus.choices, default=IntakeStatus.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="intake_events"
    )
    outcome = models.CharField(max_length=16, choices=IntakeOutcome.choices, blank=True)

    reply = models.JSONField(null=True, blank=True, help_text="The message to send back to the sender, if any.")
    reply_status = models.CharField(max_length=16, choices=ReplyStatus.choices, blank=True)
    reply_error = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "intake event"
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="intake_event_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["channel", "received_at"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.external_id[:24]}"


class IntakeRejection(models.Model):
    """Requests we refused (bad signature, bad key, throttled, malformed), counted
    per channel, reason and local day. Nothing of the request itself is kept."""

    channel = models.CharField(max_length=16, choices=IntakeChannel.choices)
    reason = models.CharField(max_length=32)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "channel", "reason"]
        verbose_name = "rejected request count"
        constraints = [
            models.UniqueConstraint(fields=["channel", "reason", "day"], name="intake_rejection_unique_day"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.reason} {self.day}: {self.count}"
