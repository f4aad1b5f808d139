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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leads.models import lead_owner_field


class LeadReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")  # the salesperson has been notified at least once; still open
    COMPLETED = "completed", _("Completed")
    # Ended without being met or missed: the lead was taken from the salesperson.
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REMINDER_STATUSES = (LeadReminderStatus.PENDING, LeadReminderStatus.SENT)


class LeadReminderKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("First contact")
    FOLLOW_UP = "follow_up", _("Follow-up")


class LeadReminder(models.Model):
    """Contact ``lead`` by ``due_at``. Open (pending or sent) until completed;
    at most one open reminder per lead. Written by reminders.services."""

    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="reminders")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.CASCADE, related_name="lead_reminders"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=LeadReminderKind.choices, default=LeadReminderKind.FOLLOW_UP
    )
    due_at = models.DateTimeField(_("contact deadline"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LeadReminderStatus.choices, default=LeadReminderStatus.PENDING
    )
    reminder_count = models.PositiveIntegerField(
        _("reminder count"),
        default=0,
        help_text=_("How many times the salesperson has been notified that this is overdue."),
    )
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    next_notify_at = models.DateTimeField(
        _("next notify at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the next overdue notification is due (the deadline, then every repeat interval)."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completion_note = models.CharField(_("completion note"), max_length=255, blank=True)
    # Not ``salesperson``: that is who this follow-up was for, kept when the
    # lead moves on; the lead's current salesperson decides who sees the row.
    lead_owner = lead_owner_field()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up reminder")
        indexes = [
            models.Index(fields=["status", "next_notify_at"]),
            models.Index(fields=["salesperson", "status", "due_at"]),
            # A salesperson's list by deadline, and filtered by status or kind.
            models.Index(fields=["lead_owner", "due_at", "id"], name="leadreminder_mine_idx"),
            models.Index(fields=["lead_owner", "status", "due_at", "id"], name="leadreminder_mine_status_idx"),
            models.Index(fields=["lead_owner", "kind", "due_at", "id"], name="leadreminder_mine_kind_idx"),
            # A manager's list filtered by kind, in its order.
            models.Index(fields=["kind", "due_at", "id"], name="leadreminder_kind_idx"),
            # The open follow-ups by deadline (the overdue list), however many
            # completed ones came before them.
            models.Index(
                fields=["due_at", "id"], condition=Q(status__in=["pending", "sent"]), name="leadreminder_open_due_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(status__in=["pending", "sent"]),
                name="one_open_reminder_per_lead",
            ),
        ]
        verbose_name_plural = _("follow-up reminders")

    def __str__(self):
        return gettext("%(kind)s for %(lead)s by %(due)s") % {
            "kind": self.get_kind_display(),
            "lead": self.lead,
            "due": f"{timezone.localtime(self.due_at):%d.%m.%Y %H:%M}",
        }

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REMINDER_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class DeliveryKind(models.TextChoices):
    FOLLOWUP_OVERDUE = "followup_overdue", _("Follow-up overdue (salesperson)")
    TRIAL_PRE_LEAD = "trial_pre_lead", _("Before trial (lead)")
    TRIAL_PRE_SALES = "trial_pre_sales", _("Before trial (salesperson)")
    TRIAL_POST_SALES = "trial_post_sales", _("After trial (salesperson)")
    SMS_TEST = "sms_test", _("Test SMS (sent by a manager)")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One message, sent at most once thanks to the unique ``key`` and the
    claim protocol in reminders.dispatch.

    ``failed`` with a ``next_attempt_at`` is waiting for a retry; ``failed``
    without one has used up REMINDER_MAX_ATTEMPTS and keeps its last error.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=DeliveryKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name=_("recipient (staff)"),
    )
    address = models.CharField(
        _("address"),
        max_length=254,
        blank=True,
        help_text=_("Email address, Telegram chat id or phone (SMS, digits 998…)."),
    )
    lead = models.ForeignKey(
        "leads.Lead", verbose_name=_("lead"), null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    object_id = models.PositiveBigIntegerField(
        _("object id"), help_text=_("The follow-up reminder or trial this is about.")
    )
    occurrence = models.CharField(
        _("occurrence"), max_length=64, help_text=_("Which occurrence: repeat number or scheduled time.")
    )
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    skip_reason = models.CharField(_("skip reason"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("What was sent."))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # SMS: the gateway's id for the message and its latest delivery report
    # (reminders.sms records them; Eskiz posts the report to our callback).
    gateway_id = models.CharField(
        _("gateway id"), max_length=64, blank=True, db_index=True, help_text=_("The SMS gateway's id of the message.")
    )
    gateway_status = models.CharField(
        _("delivery report"), max_length=20, blank=True, help_text=_("The gateway's last status, e.g. DELIVRD.")
    )
    gateway_status_at = models.DateTimeField(_("delivery report at"), null=True, blank=True)
    gateway_report = models.JSONField(_("last report as received"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    lead_owner = lead_owner_field()

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["kind", "object_id"]),
            # SMS sent per day: the daily limit before each SMS, the dashboard.
            models.Index(fields=["channel", "sent_at"], name="delivery_channel_sent_at"),
            # The dispatcher's claim (reminders.dispatch.deliveries_claim) reads these
            # in order and stops after one batch; partial, so they hold only the
            # rows still to send, not the ever-growing history of sent ones.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=["pending", "failed"]),
                name="delivery_due",
            ),
            models.Index(fields=["claimed_at", "id"], condition=Q(status="sending"), name="delivery_sending"),
            # The delivery list's default order (newest due first), and its
            # exact search by address.
            models.Index(fields=["due_at", "id"], name="delivery_list_order_idx"),
            models.Index(fields=["address"], name="delivery_address_idx"),
            # A salesperson's list (newest due first), and filtered by status or kind.
            models.Index(fields=["lead_owner", "due_at", "id"], name="delivery_mine_idx"),
            models.Index(fields=["lead_owner", "status", "due_at", "id"], name="delivery_mine_status_idx"),
            models.Index(fields=["lead_owner", "kind", "due_at", "id"], name="delivery_mine_kind_idx"),
            # The list filtered by the SMS gateway's report: only SMS rows have one.
            models.Index(
                fields=["gateway_status", "due_at", "id"],
                condition=~Q(gateway_status=""),
                name="delivery_report_idx",
            ),
        ]
        verbose_name = _("delivery")

    def __str__(self):
        return gettext("%(kind)s via %(channel)s (%(status)s)") % {
            "kind": self.get_kind_display(),
            "channel": self.get_channel_display(),
            "status": self.get_status_display(),
        }


class MessageKind(models.TextChoices):
    """The messages a lead receives, each with a text per language (MessageTemplate)."""

    TRIAL_PRE_LEAD_SMS = "trial_pre_lead_sms", _("Before trial (lead, SMS)")
    TRIAL_PRE_LEAD_TELEGRAM = "trial_pre_lead_telegram", _("Before trial (lead, Telegram)")
    TELEGRAM_WELCOME = "telegram_welcome", _("Telegram: answer to /start")
    TELEGRAM_SHARE_BUTTON = "telegram_share_button", _("Telegram: the share-your-number button")
    TELEGRAM_THANK_YOU = "telegram_thank_you", _("Telegram: number received")
    TELEGRAM_OWN_CONTACT = "telegram_own_contact", _("Telegram: asked for the sender's own number")
    SMS_TEST = "sms_test", _("SMS: test message")


class MessageTemplate(models.Model):
    """The text of one message kind in one language, edited by managers in the
    admin. ``{name}``-style placeholders, only those its kind offers
    (reminders.templates.PLACEHOLDERS); rendered by reminders.templates.message_render,
    which falls back to the centre's default language, then English."""

    kind = models.CharField(_("message"), max_length=40, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="one_template_per_kind_and_language")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"
