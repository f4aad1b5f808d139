"""Daily rollups of the centre's numbers, and the marketing inputs they use.

Every figure is defined in analytics/METRICS.md. Rollup rows are written only by
analytics.services.rollup (an upsert per day); nothing else edits them.
MarketingSpend is the one table people type into: rollups read it, never write it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

from leads.models import LeadSource


def percent(part, whole) -> Decimal | None:
    """part / whole as a percentage with one decimal, None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


class SalesKPI(models.Model):
    """One row per local day and salesperson (the lead's assigned salesperson)."""

    date = models.DateField()
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    new_contacts = models.PositiveIntegerField(default=0)
    followups_completed = models.PositiveIntegerField(default=0)
    followups_overdue = models.PositiveIntegerField(default=0)
    trials_scheduled = models.PositiveIntegerField(default=0)
    trials_attended = models.PositiveIntegerField(default=0)
    trials_no_show = models.PositiveIntegerField(default=0)
    sales_offers_made = models.PositiveIntegerField(default=0)
    enrollments = models.PositiveIntegerField(default=0)
    lost_leads = models.PositiveIntegerField(default=0)
    avg_response_time = models.DurationField(
        null=True,
        blank=True,
        help_text="Average time from assignment to first contact, for leads first contacted this day.",
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sales KPI"
        verbose_name_plural = "sales KPIs"
        ordering = ["-date", "salesperson_id"]
        constraints = [models.UniqueConstraint(fields=["date", "salesperson"], name="saleskpi_one_per_day_person")]

    def __str__(self):
        return f"{self.salesperson} on {self.date}"

    @property
    def followup_completion_percent(self):
        return percent(self.followups_completed, self.followups_completed + self.followups_overdue)

    @property
    def trial_to_conversion_percent(self):
        return percent(self.enrollments, self.trials_attended)

    @property
    def overall_conversion_percent(self):
        return percent(self.enrollments, self.new_contacts)


# Field name on LeadMetrics for each lead source.
SOURCE_FIELDS = {source: f"{source}_leads" for source in LeadSource.values}
# The day's transitions counted on LeadMetrics, field name = target status.
TRANSITION_FIELDS = ["contacted", "interested", "trial_scheduled", "trial_attended", "enrolled", "lost"]


class LeadMetrics(models.Model):
    """One row per local day: new leads by source and the day's status transitions."""

    date = models.DateField(unique=True)
    total_leads = models.PositiveIntegerField(default=0)
    instagram_leads = models.PositiveIntegerField(default=0)
    telegram_leads = models.PositiveIntegerField(default=0)
    whatsapp_leads = models.PositiveIntegerField(default=0)
    call_tracking_leads = models.PositiveIntegerField(default=0)
    landing_leads = models.PositiveIntegerField(default=0)
    google_sheets_leads = models.PositiveIntegerField(default=0)
    excel_leads = models.PositiveIntegerField(default=0)
    csv_leads = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    interested = models.PositiveIntegerField(default=0)
    trial_scheduled = models.PositiveIntegerField(default=0)
    trial_attended = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    assigned = models.PositiveIntegerField(default=0)
    unassigned = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "lead metrics"
        verbose_name_plural = "lead metrics"
        ordering = ["-date"]

    def __str__(self):
        return f"Leads on {self.date}"

    @property
    def source_breakdown(self) -> dict[str, int]:
        """{source value: count} for every source, in LeadSource order."""
        return {source: getattr(self, field) for source, field in SOURCE_FIELDS.items()}

    @property
    def conversion_rate_percent(self):
        return percent(self.enrolled, self.total_leads)

    @property
    def trial_to_conversion_percent(self):
        return percent(self.enrolled, self.trial_attended)


class SpendSource(models.TextChoices):
    MANUAL = "manual", "Typed in admin"
    IMPORT = "import", "Imported from an ad-platform export"


class MarketingSpend(models.Model):
    """What marketing staff enter: a day's spend, impressions and clicks on a channel.

    Kept apart from MarketingAnalytics so a rollup never overwrites what people typed.
    """

    date = models.DateField()
    channel = models.CharField(max_length=20, choices=LeadSource.choices)
    impressions = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    cost = models.DecimalField("cost (UZS)", max_digits=14, decimal_places=2, default=Decimal("0"))
    source = models.CharField(max_length=10, choices=SpendSource.choices, default=SpendSource.MANUAL, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    note = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "marketing spend"
        verbose_name_plural = "marketing spend"
        ordering = ["-date", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["date", "channel"], name="marketingspend_one_per_day_channel"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="marketingspend_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} on {self.date}"


class MarketingAnalytics(models.Model):
    """One row per local day and channel (= lead source)."""

    date = models.DateField()
    channel = models.CharField(max_length=20, choices=LeadSource.choices)
    impressions = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    ctr = models.DecimalField("CTR %", max_digits=7, decimal_places=2, null=True, blank=True)
    leads_generated = models.PositiveIntegerField(default=0)
    cost_total = models.DecimalField("cost (UZS)", max_digits=14, decimal_places=2, default=Decimal("0"))
    cpl = models.DecimalField("CPL (UZS)", max_digits=14, decimal_places=2, null=True, blank=True)
    enrollments_from_channel = models.PositiveIntegerField(default=0)
    cpa = models.DecimalField("CPA (UZS)", max_digits=14, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "marketing analytics"
        verbose_name_plural = "marketing analytics"
        ordering = ["-date", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["date", "channel"], name="marketinganalytics_one_per_day_channel")
        ]

    def __str__(self):
        return f"{self.get_channel_display()} on {self.date}"


class RollupRun(models.Model):
    """One row per rolled-up day: the lock two rollups of that day queue on
    (SELECT … FOR UPDATE), and when and how fast it last ran."""

    date = models.DateField(primary_key=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"Rollup of {self.date}"


class GroupAnalytics(models.Model):
    """One row per local day: how full the groups and rooms are, and what to plan."""

    date = models.DateField(unique=True)
    full_groups = models.PositiveIntegerField(default=0)
    near_full_groups = models.PositiveIntegerField(
        default=0, help_text="Groups at 80 % of capacity or more (full ones included)."
    )
    empty_groups = models.PositiveIntegerField(default=0)
    rooms_in_use = models.PositiveIntegerField(default=0)
    avg_room_occupancy = models.DecimalField(
        "avg room occupancy %", max_digits=7, decimal_places=1, null=True, blank=True
    )
    trial_students = models.PositiveIntegerField(default=0, help_text="Trials booked for this day and the 6 after it.")
    trial_conversion_rate = models.DecimalField(
        "recent trial → enrolled %",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Enrolments after a trial / trials attended, over the 30 days up to this day.",
    )
    expected_enrollments = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    new_groups_recommended = models.PositiveIntegerField(default=0)
    groups_to_combine = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "group analytics"
        verbose_name_plural = "group analytics"
        ordering = ["-date"]

    def __str__(self):
        return f"Groups on {self.date}"


class RoomDayUsage(models.Model):
    """One row per local day and room with lessons: seats offered and taken.
    Feeds GroupAnalytics.avg_room_occupancy and the dashboard's heat map."""

    date = models.DateField()
    room = models.ForeignKey("scheduling.Room", on_delete=models.CASCADE, related_name="+")
    lessons = models.PositiveIntegerField(default=0)
    seats_offered = models.PositiveIntegerField(default=0)
    seats_taken = models.PositiveIntegerField(default=0)
    occupancy_percent = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "room usage"
        verbose_name_plural = "room usage"
        ordering = ["-date", "room_id"]
        constraints = [models.UniqueConstraint(fields=["date", "room"], name="roomdayusage_one_per_day_room")]

    def __str__(self):
        return f"{self.room} on {self.date}"


class RecommendationKind(models.TextChoices):
    NEW_GROUP = "new_group", "Open a new group"
    COMBINE = "combine", "Combine groups"


class GroupRecommendation(models.Model):
    """A planning suggestion of the day's rollup, with its reason. Rebuilt by
    every rollup of that day."""

    date = models.DateField(db_index=True)
    kind = models.CharField(max_length=12, choices=RecommendationKind.choices)
    course = models.ForeignKey("scheduling.Course", on_delete=models.CASCADE, related_name="+")
    groups = models.ManyToManyField("scheduling.Group", related_name="+", blank=True)
    suggested_days = models.CharField(max_length=16, blank=True)
    suggested_start_time = models.TimeField(null=True, blank=True)
    suggested_end_time = models.TimeField(null=True, blank=True)
    suggested_room = models.ForeignKey(
        "scheduling.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "kind", "course_id", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.course} ({self.date})"


class Dashboard(LeadMetrics):
    """No table of its own: the admin's entry point to the analytics dashboard."""

    class Meta:
        proxy = True
        verbose_name = "dashboard"
        verbose_name_plural = "dashboard"
