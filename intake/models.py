"""The raw intake stream: every accepted webhook delivery or form post, stored
before any processing so nothing that reached us can be lost.

Writes go through intake.services; views only store, tasks only process.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IntakeChannel(models.TextChoices):
    LANDING = "landing", _("Landing page")
    TELEGRAM = "telegram", _("Telegram")
    META = "meta", _("Meta lead ads")
    WHATSAPP = "whatsapp", _("WhatsApp")
    CALLS = "calls", _("Call tracking")


class IntakeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class IntakeOutcome(models.TextChoices):
    CREATED = "created", _("New lead")
    REPEAT = "repeat", _("Repeat inquiry")


class ReplyStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# Statuses a worker may (re)process.
OPEN_STATUSES = (IntakeStatus.PENDING, IntakeStatus.FAILED)


class IntakeEvent(models.Model):
    """One inquiry-shaped thing a channel sent us: a form post, a Telegram
    update, one Meta leadgen, one WhatsApp message, one call.

    Unique by the channel's own id, so a redelivery is recognised, not re-stored.
    """

    channel = models.CharField(_("channel"), max_length=16, choices=IntakeChannel.choices)
    external_id = models.CharField(
        _("external id"),
        max_length=128,
        help_text=_("The channel's own id: update_id, leadgen_id, message id, call id, form key."),
    )
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    platform = models.CharField(
        _("platform"), max_length=16, blank=True, help_text=_("Meta: ig (Instagram) or fb (Facebook).")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True, help_text=_("The request headers that matter."))
    body = models.TextField(_("body"), blank=True, help_text=_("The raw request body as received."))
    payload = models.JSONField(_("payload"), default=dict, blank=True, help_text=_("This event's part of the body."))
    fetched = models.JSONField(
        _("fetched"),
        null=True,
        blank=True,
        help_text=_("Data fetched from the platform while processing (Meta Graph API lead)."),
    )

    status = models.CharField(_("status"), max_length=16, choices=IntakeStatus.choices, default=IntakeStatus.PENDING)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intake_events",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=IntakeOutcome.choices, blank=True)

    reply = models.JSONField(
        _("reply"), null=True, blank=True, help_text=_("The message to send back to the sender, if any.")
    )
    reply_status = models.CharField(_("reply status"), max_length=16, choices=ReplyStatus.choices, blank=True)
    reply_error = models.TextField(_("reply error"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("intake event")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="intake_event_unique_external_id"),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["channel", "received_at"]),
        ]
        verbose_name_plural = _("intake events")

    def __str__(self):
        return f"{self.get_channel_display()} {self.external_id[:24]}"


class IntakeRejection(models.Model):
    """Requests we refused (bad signature, bad key, throttled, malformed), counted
    per channel, reason and local day. Nothing of the request itself is kept."""

    channel = models.CharField(_("channel"), max_length=16, choices=IntakeChannel.choices)
    reason = models.CharField(_("reason"), max_length=32)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("count"), default=0)
    last_at = models.DateTimeField(_("last at"))

    class Meta:
        ordering = ["-day", "channel", "reason"]
        verbose_name = _("rejected request count")
        constraints = [
            models.UniqueConstraint(fields=["channel", "reason", "day"], name="intake_rejection_unique_day"),
        ]
        verbose_name_plural = _("intake rejections")

    def __str__(self):
        return f"{self.get_channel_display()} {self.reason} {self.day}: {self.count}"
