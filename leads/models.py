from django.conf import settings
from django.db import models
from django.utils import timezone

from leads.phones import format_phone_display


class LeadSource(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    TELEGRAM = "telegram", "Telegram"
    WHATSAPP = "whatsapp", "WhatsApp"
    CALL_TRACKING = "call_tracking", "Call tracking"
    LANDING = "landing", "Landing page"
    GOOGLE_SHEETS = "google_sheets", "Google Sheets"
    EXCEL = "excel", "Excel"
    CSV = "csv", "CSV"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    INTERESTED = "interested", "Interested"
    TRIAL_SCHEDULED = "trial_scheduled", "Trial scheduled"
    TRIAL_ATTENDED = "trial_attended", "Trial attended"
    ENROLLED = "enrolled", "Enrolled"
    LOST = "lost", "Lost"


def centre_language() -> str:
    """The centre's default language (CRM_DEFAULT_LANGUAGE), for leads whose own is not known."""
    return settings.LANGUAGE_CODE


class Lead(models.Model):
    """One person who asked about a course. One lead per normalised phone.

    Writes go through leads.services (creation, status changes, assignment),
    which keep LeadStatusChange complete for analytics.
    """

    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, unique=True, help_text="E.164, e.g. +998901234567")
    phone_raw = models.CharField(max_length=64, blank=True, help_text="The phone as it was typed or received.")
    email = models.EmailField(blank=True)
    source = models.CharField(max_length=20, choices=LeadSource.choices)
    status = models.CharField(max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name="salesperson",
    )
    course_interest = models.CharField("course asked about", max_length=200, blank=True)
    comment = models.TextField(blank=True)
    lost_reason = models.CharField(max_length=255, blank=True)

    # Campaign attribution (UTM from the landing page, ids from ad platforms).
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    campaign_id = models.CharField(max_length=64, blank=True)
    ad_id = models.CharField(max_length=64, blank=True)
    form_id = models.CharField(max_length=64, blank=True)

    # The language messages to this person are written in (reminders, replies, SMS).
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=centre_language,
        help_text="Messages to the lead are written in this language: from the channel where it is known "
        "(Telegram, the landing form, an import column), else the centre's default.",
    )

    # Channels we can write back to.
    telegram_chat_id = models.CharField(max_length=32, blank=True)
    whatsapp_id = models.CharField(max_length=32, blank=True)

    # The deadline of the lead's open follow-up (reminders.LeadReminder), kept
    # here by leads.services.lead_note_next_followup so lists sort and filter
    # on an indexed column instead of a subquery per row.
    next_followup_at = models.DateTimeField(
        "next follow-up",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Contact deadline of the open follow-up (local time).",
    )

    # Repeat inquiries from the same phone are recorded here and in LeadInquiry.
    inquiry_count = models.PositiveIntegerField(default=1)
    last_inquiry_at = models.DateTimeField(null=True, blank=True)
    last_inquiry_source = models.CharField(max_length=20, choices=LeadSource.choices, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    assigned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_contacted_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["source", "created_at"]),
            models.Index(fields=["assigned_to", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(phone=""), name="lead_phone_not_empty"),
        ]

    def __str__(self):
        return f"{self.full_name or 'Unnamed'} ({self.phone_display})"

    @property
    def phone_display(self) -> str:
        return format_phone_display(self.phone) if self.phone else ""


class LeadStatusChange(models.Model):
    """Complete history of a lead's status, the source of truth for analytics."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=LeadStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=LeadStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["to_status", "changed_at"])]
        verbose_name = "status change"

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class LeadInquiry(models.Model):
    """Each time a person reached us: the first inquiry and every repeat."""

    # Indexed by leadinquiry_on_record_idx below, which starts with the lead.
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="inquiries", db_index=False)
    source = models.CharField(max_length=20, choices=LeadSource.choices)
    received_at = models.DateTimeField(db_index=True)
    is_repeat = models.BooleanField(default=False)
    note = models.CharField(max_length=255, blank=True)
    fingerprint = models.CharField(
        max_length=16,
        blank=True,
        default="",
        help_text="16 hex digits identifying the imported row (blank for inquiries not from an import).",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "inquiries"
        indexes = [
            # The import's duplicate check: what a lead has on record from one
            # source (times and fingerprints), read from the index alone.
            models.Index(fields=["lead", "source", "fingerprint", "received_at"], name="leadinquiry_on_record_idx"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} at {self.received_at:%Y-%m-%d %H:%M}"
