"""Follow-up reminders for salespeople and the delivery record of every message.

``LeadReminder`` is the follow-up discipline: a deadline by which the
salesperson must contact the lead, nagging them until it is completed.

``Delivery`` is one message to one recipient over one channel. Its ``key``
(what, for which object, which occurrence, to whom) is unique, so however many
beat schedulers, retried tasks or racing workers try to create or send it, the
database holds one row and the dispatcher (reminders.dispatch) sends it once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class LeadReminderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"  # the salesperson has been notified at least once; still open
    COMPLETED = "completed", "Completed"
    # Ended without being met or missed: the lead was taken from the salesperson.
    CANCELLED = "cancelled", "Cancelled"


OPEN_REMINDER_STATUSES = (LeadReminderStatus.PENDING, LeadReminderStatus.SENT)


class LeadReminderKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", "First contact"
    FOLLOW_UP = "follow_up", "Follow-up"


class LeadReminder(models.Model):
    """Contact ``lead`` by ``due_at``. Open (pending or sent) until completed;
    at most one open reminder per lead. Written by reminders.services."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="reminders")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lead_reminders")
    kind = models.CharField(max_length=20, choices=LeadReminderKind.choices, default=LeadReminderKind.FOLLOW_UP)
    due_at = models.DateTimeField("contact deadline", db_index=True)
    status = models.CharField(max_length=20, choices=LeadReminderStatus.choices, default=LeadReminderStatus.PENDING)
    reminder_count = models.PositiveIntegerField(
        default=0, help_text="How many times the salesperson has been notified that this is overdue."
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    next_notify_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the next overdue notification is due (the deadline, then every repeat interval).",
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completion_note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = "follow-up reminder"
        indexes = [
            models.Index(fields=["status", "next_notify_at"]),
            models.Index(fields=["salesperson", "status", "due_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(status__in=["pending", "sent"]),
                name="one_open_reminder_per_lead",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.lead} by {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REMINDER_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class DeliveryKind(models.TextChoices):
    FOLLOWUP_OVERDUE = "followup_overdue", "Follow-up overdue (salesperson)"
    TRIAL_PRE_LEAD = "trial_pre_lead", "Before trial (lead)"
    TRIAL_PRE_SALES = "trial_pre_sales", "Before trial (salesperson)"
    TRIAL_POST_SALES = "trial_post_sales", "After trial (salesperson)"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    TELEGRAM = "telegram", "Telegram"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One message, sent at most once thanks to the unique ``key`` and the
    claim protocol in reminders.dispatch.

    ``failed`` with a ``next_attempt_at`` is waiting for a retry; ``failed``
    without one has used up REMINDER_MAX_ATTEMPTS and keeps its last error.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=DeliveryKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name="recipient (staff)",
    )
    address = models.CharField(max_length=254, blank=True, help_text="Email address or Telegram chat id.")
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    object_id = models.PositiveBigIntegerField(help_text="The follow-up reminder or trial this is about.")
    occurrence = models.CharField(max_length=64, help_text="Which occurrence: repeat number or scheduled time.")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True, help_text="What was sent.")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["kind", "object_id"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} via {self.get_channel_display()} ({self.get_status_display()})"
