"""Trial lessons: a lead sits in one lesson of a group before deciding.

Writes go through trials.services (free places, one scheduled trial per lead,
lead status, reminders). Times are local (TIME_ZONE): ``scheduled_date`` and
``scheduled_time`` are what the receptionist says on the phone.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class GroupNotLoaded(AttributeError):
    """A trial's lesson times were read without its group loaded."""


class TrialStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


class TrialResult(models.TextChoices):
    PENDING = "pending", "Pending"
    SALES_OFFER = "sales_offer", "Sales offer made"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Trial(models.Model):
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="trials")
    group = models.ForeignKey("scheduling.Group", on_delete=models.PROTECT, related_name="trials")
    scheduled_date = models.DateField()
    scheduled_time = models.TimeField(help_text="Local time; defaults to the group's start time.")
    status = models.CharField(max_length=12, choices=TrialStatus.choices, default=TrialStatus.SCHEDULED)
    result = models.CharField(max_length=12, choices=TrialResult.choices, default=TrialResult.PENDING)
    notes = models.TextField(blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="booked_trials"
    )
    booked_at = models.DateTimeField(default=timezone.now, editable=False)
    attendance_marked_at = models.DateTimeField(null=True, blank=True, editable=False)
    result_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_reason = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-scheduled_date", "-scheduled_time", "-id"]
        indexes = [
            models.Index(fields=["group", "scheduled_date", "status"]),
            models.Index(fields=["status", "scheduled_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status="scheduled"), name="trial_one_scheduled_per_lead"
            ),
            models.CheckConstraint(
                condition=Q(result="pending") | Q(status="attended"), name="trial_result_only_when_attended"
            ),
        ]

    def __str__(self):
        return f"Trial of {self.lead} in {self.group} on {self.scheduled_date:%d.%m.%Y} {self.scheduled_time:%H:%M}"

    # --- time -----------------------------------------------------------------

    @property
    def starts_at(self) -> datetime.datetime:
        """The start as an aware datetime in TIME_ZONE."""
        tz = timezone.get_default_timezone()
        return datetime.datetime.combine(self.scheduled_date, self.scheduled_time, tzinfo=tz)

    @property
    def duration(self) -> datetime.timedelta:
        """The group's lesson length. Needs the group loaded (select_related):
        a model property never runs a query of its own."""
        if not self._meta.get_field("group").is_cached(self):
            raise GroupNotLoaded('Trial.duration needs its group: load trials with select_related("group").')
        return self.group.lesson_duration

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + self.duration

    @property
    def is_overdue(self) -> bool:
        """Still "scheduled" although it has started: attendance is not recorded."""
        return self.status == TrialStatus.SCHEDULED and self.starts_at <= timezone.now()

    @property
    def is_upcoming_today(self) -> bool:
        return (
            self.status == TrialStatus.SCHEDULED
            and self.scheduled_date == timezone.localdate()
            and self.starts_at > timezone.now()
        )

    @property
    def hours_until_trial(self) -> float | None:
        """Hours from now to the start (negative once started); None unless scheduled."""
        if self.status != TrialStatus.SCHEDULED:
            return None
        return round((self.starts_at - timezone.now()).total_seconds() / 3600, 1)


class ReminderState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class TrialReminder(models.Model):
    """When the reminders about one scheduled trial are due and whether they went
    out. Moved by a reschedule, deleted by a cancellation. The messages
    themselves are reminders.Delivery rows (see trials.reminders)."""

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="reminder")
    pre_trial_reminder_scheduled_at = models.DateTimeField(
        "pre-trial reminder scheduled at",
        db_index=True,
        help_text="When the reminder before the trial is due (TRIAL_PRE_REMINDER_HOURS before the start).",
    )
    pre_trial_reminder_status = models.CharField(
        "pre-trial reminder status", max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    pre_trial_reminder_sent_at = models.DateTimeField("pre-trial reminder sent at", null=True, blank=True)
    # Derived from the status by the database, so the two can never disagree.
    pre_trial_reminder_sent = models.GeneratedField(
        expression=Q(pre_trial_reminder_status=ReminderState.SENT.value),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name="pre-trial reminder sent",
    )
    post_trial_reminder_scheduled_at = models.DateTimeField(
        "post-trial reminder scheduled at",
        db_index=True,
        help_text="When the reminder after the trial is due (TRIAL_POST_REMINDER_MINUTES after the end).",
    )
    post_trial_reminder_status = models.CharField(
        "post-trial reminder status", max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    post_trial_reminder_sent_at = models.DateTimeField("post-trial reminder sent at", null=True, blank=True)
    post_trial_reminder_sent = models.GeneratedField(
        expression=Q(post_trial_reminder_status=ReminderState.SENT.value),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name="post-trial reminder sent",
    )

    class Meta:
        ordering = ["pre_trial_reminder_scheduled_at"]

    def __str__(self):
        return f"Reminders for {self.trial}"
