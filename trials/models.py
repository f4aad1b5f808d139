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
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from leads.models import lead_owner_field


class GroupNotLoaded(AttributeError):
    """A trial's lesson times were read without its group loaded."""


class TrialStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class TrialResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    SALES_OFFER = "sales_offer", _("Sales offer made")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Trial(models.Model):
    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="trials")
    group = models.ForeignKey(
        "scheduling.Group",
        verbose_name=pgettext_lazy("study group", "group"),
        on_delete=models.PROTECT,
        related_name="trials",
    )
    scheduled_date = models.DateField(_("scheduled date"))
    scheduled_time = models.TimeField(
        _("scheduled time"), help_text=_("Local time; defaults to the group's start time.")
    )
    status = models.CharField(_("status"), max_length=12, choices=TrialStatus.choices, default=TrialStatus.SCHEDULED)
    result = models.CharField(_("result"), max_length=12, choices=TrialResult.choices, default=TrialResult.PENDING)
    notes = models.TextField(_("notes"), blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="booked_trials",
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now, editable=False)
    attendance_marked_at = models.DateTimeField(_("attendance marked at"), null=True, blank=True, editable=False)
    result_recorded_at = models.DateTimeField(_("result recorded at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("cancel reason"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    lead_owner = lead_owner_field()

    class Meta:
        ordering = ["-scheduled_date", "-scheduled_time", "-id"]
        indexes = [
            models.Index(fields=["group", "scheduled_date", "status"]),
            models.Index(fields=["status", "scheduled_date"]),
            # The trial list's default order, read backwards.
            models.Index(fields=["scheduled_date", "scheduled_time", "id"], name="trial_list_order_idx"),
            # A salesperson's list in that order, and filtered or sorted by status or result.
            models.Index(fields=["lead_owner", "scheduled_date", "scheduled_time", "id"], name="trial_mine_idx"),
            models.Index(
                fields=["lead_owner", "status", "scheduled_date", "scheduled_time", "id"], name="trial_mine_status_idx"
            ),
            models.Index(
                fields=["lead_owner", "result", "scheduled_date", "scheduled_time", "id"], name="trial_mine_result_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status="scheduled"), name="trial_one_scheduled_per_lead"
            ),
            models.CheckConstraint(
                condition=Q(result="pending") | Q(status="attended"), name="trial_result_only_when_attended"
            ),
        ]
        verbose_name = _("trial")
        verbose_name_plural = _("trials")

    def __str__(self):
        return gettext("Trial of %(lead)s in %(group)s on %(moment)s") % {
            "lead": self.lead,
            "group": self.group,
            "moment": f"{self.scheduled_date:%d.%m.%Y} {self.scheduled_time:%H:%M}",
        }

    # --- time -----------------------------------------------------------------

    @property
    def starts_at(self) -> datetime.datetime:
        """The start as an aware datetime in TIME_ZONE."""
        tz = timezone.get_default_timezone()
        return datetime.datetime.combine(self.scheduled_date, self.scheduled_time, tzinfo=tz)

    @property
    def duration(self) -> datetime.timedelta:
        """From the trial's time to the end of its lesson."""
        return self.ends_at - self.starts_at

    @property
    def ends_at(self) -> datetime.datetime:
        """The end of the group's lesson that day: a trial that starts late (a
        walk-in) still ends with its lesson. Needs the group loaded
        (select_related): a model property never runs a query of its own."""
        if not self._meta.get_field("group").is_cached(self):
            raise GroupNotLoaded('Trial.ends_at needs its group: load trials with select_related("group").')
        tz = timezone.get_default_timezone()
        return datetime.datetime.combine(self.scheduled_date, self.group.end_time, tzinfo=tz)

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
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class TrialReminder(models.Model):
    """When the reminders about one scheduled trial are due and whether they went
    out. Moved by a reschedule, deleted by a cancellation. The messages
    themselves are reminders.Delivery rows (see trials.reminders)."""

    trial = models.OneToOneField(Trial, verbose_name=_("trial"), on_delete=models.CASCADE, related_name="reminder")
    pre_trial_reminder_scheduled_at = models.DateTimeField(
        _("pre-trial reminder scheduled at"),
        db_index=True,
        help_text=_("When the reminder before the trial is due (TRIAL_PRE_REMINDER_HOURS before the start)."),
    )
    pre_trial_reminder_status = models.CharField(
        _("pre-trial reminder status"), max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    pre_trial_reminder_sent_at = models.DateTimeField(_("pre-trial reminder sent at"), null=True, blank=True)
    # Derived from the status by the database, so the two can never disagree.
    pre_trial_reminder_sent = models.GeneratedField(
        expression=Q(pre_trial_reminder_status=ReminderState.SENT.value),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("pre-trial reminder sent"),
    )
    post_trial_reminder_scheduled_at = models.DateTimeField(
        _("post-trial reminder scheduled at"),
        db_index=True,
        help_text=_("When the reminder after the trial is due (TRIAL_POST_REMINDER_MINUTES after the end)."),
    )
    post_trial_reminder_status = models.CharField(
        _("post-trial reminder status"), max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    post_trial_reminder_sent_at = models.DateTimeField(_("post-trial reminder sent at"), null=True, blank=True)
    post_trial_reminder_sent = models.GeneratedField(
        expression=Q(post_trial_reminder_status=ReminderState.SENT.value),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("post-trial reminder sent"),
    )

    class Meta:
        ordering = ["pre_trial_reminder_scheduled_at"]
        verbose_name = _("trial reminder")
        verbose_name_plural = _("trial reminders")

    def __str__(self):
        return gettext("Reminders for %(trial)s") % {"trial": self.trial}
