"""Daily rollups of the centre's numbers, and the marketing inputs they use.

Every figure is defined in analytics/METRICS.md. Rollup rows are written only by
analytics.services.rollup (an upsert per day); nothing else edits them.
MarketingSpend is the one table people type into: rollups read it, never write it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from leads.models import LeadSource


def percent(part, whole) -> Decimal | None:
    """part / whole as a percentage with one decimal, None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


class SalesKPI(models.Model):
    """One row per local day and salesperson (the lead's assigned salesperson)."""

    date = models.DateField(_("date"))
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.CASCADE, related_name="+"
    )
    # The labels say what is counted: they head the admin columns and the CSV/XLSX exports.
    new_contacts = models.PositiveIntegerField(
        _("first contacts"), default=0, help_text=_("Leads moved from “new” to a contact status this day.")
    )
    followups_completed = models.PositiveIntegerField(
        _("follow-ups met"), default=0, help_text=_("Follow-up deadlines of this day met (done by the deadline).")
    )
    followups_overdue = models.PositiveIntegerField(
        _("follow-ups missed"),
        default=0,
        help_text=_("Follow-up deadlines of this day missed (done late, or still open after the deadline)."),
    )
    trials_scheduled = models.PositiveIntegerField(
        _("trials booked"), default=0, help_text=_("Trials booked this day, whatever happened to them later.")
    )
    trials_attended = models.PositiveIntegerField(
        _("trials attended"), default=0, help_text=_("Trials whose attendance was recorded this day as attended.")
    )
    trials_no_show = models.PositiveIntegerField(
        _("trial no-shows"), default=0, help_text=_("Trials whose attendance was recorded this day as no-show.")
    )
    sales_offers_made = models.PositiveIntegerField(_("sales offers made"), default=0)
    enrollments = models.PositiveIntegerField(
        _("leads enrolled"), default=0, help_text=_("Leads moved to “enrolled” this day.")
    )
    lost_leads = models.PositiveIntegerField(_("leads lost"), default=0, help_text=_("Leads moved to “lost” this day."))
    avg_response_time = models.DurationField(
        _("avg response time"),
        null=True,
        blank=True,
        help_text=_("Average time from assignment to first contact, for leads first contacted this day."),
    )
    computed_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("sales KPI")
        verbose_name_plural = _("sales KPIs")
        ordering = ["-date", "salesperson_id"]
        constraints = [models.UniqueConstraint(fields=["date", "salesperson"], name="saleskpi_one_per_day_person")]

    def __str__(self):
        return gettext("%(who)s on %(date)s") % {"who": self.salesperson, "date": f"{self.date:%d.%m.%Y}"}

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
# Figures LeadMetrics and SalesKPI count the same way (METRICS.md), LeadMetrics
# field -> SalesKPI field: over any range, the LeadMetrics sum is the SalesKPI
# sum plus the events of leads nobody was assigned. The funnel and the
# leaderboard show these.
SHARED_FIGURES = {
    "new_contacts": "new_contacts",
    "trials_booked": "trials_scheduled",
    "trials_attended": "trials_attended",
    "enrolled": "enrollments",
    "lost": "lost_leads",
}


class LeadMetrics(models.Model):
    """One row per local day: new leads by source and the day's status transitions."""

    date = models.DateField(_("date"), unique=True)
    total_leads = models.PositiveIntegerField(_("new leads"), default=0)
    instagram_leads = models.PositiveIntegerField(_("instagram leads"), default=0)
    telegram_leads = models.PositiveIntegerField(_("telegram leads"), default=0)
    whatsapp_leads = models.PositiveIntegerField(_("whatsapp leads"), default=0)
    call_tracking_leads = models.PositiveIntegerField(_("call tracking leads"), default=0)
    landing_leads = models.PositiveIntegerField(_("landing leads"), default=0)
    google_sheets_leads = models.PositiveIntegerField(_("google sheets leads"), default=0)
    excel_leads = models.PositiveIntegerField(_("excel leads"), default=0)
    csv_leads = models.PositiveIntegerField(_("csv leads"), default=0)
    # The day's moves to each status (distinct leads), whatever caused them.
    contacted = models.PositiveIntegerField(_("moved to contacted"), default=0)
    interested = models.PositiveIntegerField(_("moved to interested"), default=0)
    trial_scheduled = models.PositiveIntegerField(_("moved to trial scheduled"), default=0)
    trial_attended = models.PositiveIntegerField(_("moved to trial attended"), default=0)
    enrolled = models.PositiveIntegerField(_("leads enrolled"), default=0, help_text=_("Leads moved to “enrolled”."))
    lost = models.PositiveIntegerField(_("leads lost"), default=0, help_text=_("Leads moved to “lost”."))
    # The funnel's events, counted exactly as SalesKPI counts them (same names
    # there: new_contacts, trials_scheduled, trials_attended), for every lead,
    # assigned or not: the sum of the day's SalesKPI rows plus the unassigned leads.
    new_contacts = models.PositiveIntegerField(
        _("first contacts"), default=0, help_text=_("Leads moved from “new” to a contact status.")
    )
    trials_booked = models.PositiveIntegerField(_("trials booked"), default=0)
    trials_attended = models.PositiveIntegerField(
        _("trials attended"), default=0, help_text=_("Trials whose attendance was recorded as attended.")
    )
    assigned = models.PositiveIntegerField(
        _("new leads assigned"), default=0, help_text=_("New leads of the day assigned before the day ended.")
    )
    unassigned = models.PositiveIntegerField(_("new leads unassigned"), default=0)
    computed_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("lead metrics")
        verbose_name_plural = _("lead metrics")
        ordering = ["-date"]

    def __str__(self):
        return gettext("Leads on %(date)s") % {"date": f"{self.date:%d.%m.%Y}"}

    @property
    def source_breakdown(self) -> dict[str, int]:
        """{source value: count} for every source, in LeadSource order."""
        return {source: getattr(self, field) for source, field in SOURCE_FIELDS.items()}

    @property
    def conversion_rate_percent(self):
        return percent(self.enrolled, self.total_leads)

    @property
    def trial_to_conversion_percent(self):
        """Enrolled / trials attended: SalesKPI's ratio, over every lead."""
        return percent(self.enrolled, self.trials_attended)


class SpendSource(models.TextChoices):
    MANUAL = "manual", _("Typed in admin")
    IMPORT = "import", _("Imported from an ad-platform export")


class MarketingSpend(models.Model):
    """What marketing staff enter: a day's spend, impressions and clicks on a channel.

    Kept apart from MarketingAnalytics so a rollup never overwrites what people typed.
    """

    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=20, choices=LeadSource.choices)
    impressions = models.PositiveIntegerField(_("impressions"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    cost = models.DecimalField(_("cost (UZS)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    source = models.CharField(
        _("source"), max_length=10, choices=SpendSource.choices, default=SpendSource.MANUAL, editable=False
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("marketing spend")
        verbose_name_plural = _("marketing spend")
        ordering = ["-date", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["date", "channel"], name="marketingspend_one_per_day_channel"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="marketingspend_cost_not_negative"),
        ]

    def __str__(self):
        return gettext("%(who)s on %(date)s") % {"who": self.get_channel_display(), "date": f"{self.date:%d.%m.%Y}"}


class MarketingAnalytics(models.Model):
    """One row per local day and channel (= lead source)."""

    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=20, choices=LeadSource.choices)
    impressions = models.PositiveIntegerField(_("impressions"), default=0)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    ctr = models.DecimalField(_("CTR %"), max_digits=7, decimal_places=2, null=True, blank=True)
    leads_generated = models.PositiveIntegerField(_("new leads"), default=0)
    cost_total = models.DecimalField(_("cost (UZS)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    cpl = models.DecimalField(_("CPL (UZS)"), max_digits=14, decimal_places=2, null=True, blank=True)
    enrollments_from_channel = models.PositiveIntegerField(_("leads enrolled"), default=0)
    cpa = models.DecimalField(_("CPA (UZS)"), max_digits=14, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("marketing analytics")
        verbose_name_plural = _("marketing analytics")
        ordering = ["-date", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["date", "channel"], name="marketinganalytics_one_per_day_channel")
        ]

    def __str__(self):
        return gettext("%(who)s on %(date)s") % {"who": self.get_channel_display(), "date": f"{self.date:%d.%m.%Y}"}


class RollupRun(models.Model):
    """One row per rolled-up day: the lock two rollups of that day queue on
    (SELECT … FOR UPDATE), and when and how fast it last ran."""

    date = models.DateField(_("date"), primary_key=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")

    def __str__(self):
        return gettext("Rollup of %(date)s") % {"date": f"{self.date:%d.%m.%Y}"}


class GroupAnalytics(models.Model):
    """One row per local day: how full the groups and rooms are, and what to plan."""

    date = models.DateField(_("date"), unique=True)
    full_groups = models.PositiveIntegerField(_("full groups"), default=0)
    near_full_groups = models.PositiveIntegerField(
        # xgettext:no-python-format
        _("groups ≥ 80 % full"),
        default=0,
        # xgettext:no-python-format
        help_text=_("Groups at 80 % of capacity or more (full ones included)."),
    )
    empty_groups = models.PositiveIntegerField(_("empty groups"), default=0)
    rooms_in_use = models.PositiveIntegerField(_("rooms in use"), default=0)
    avg_room_occupancy = models.DecimalField(
        _("avg room occupancy %"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    trial_students = models.PositiveIntegerField(
        _("trials booked, next 7 days"), default=0, help_text=_("Trials booked for this day and the 6 after it.")
    )
    trial_conversion_rate = models.DecimalField(
        _("recent trial → enrolled %"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Enrolments after a trial / trials attended, over the 30 days up to this day."),
    )
    expected_enrollments = models.DecimalField(
        _("expected enrolments, next 7 days"), max_digits=7, decimal_places=1, default=0
    )
    new_groups_recommended = models.PositiveIntegerField(_("new groups recommended"), default=0)
    groups_to_combine = models.PositiveIntegerField(_("groups to combine"), default=0)
    computed_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("group analytics")
        verbose_name_plural = _("group analytics")
        ordering = ["-date"]

    def __str__(self):
        return gettext("Groups on %(date)s") % {"date": f"{self.date:%d.%m.%Y}"}


class RoomDayUsage(models.Model):
    """One row per local day and room with lessons: seats offered and taken.
    Feeds GroupAnalytics.avg_room_occupancy and the dashboard's heat map."""

    date = models.DateField(_("date"))
    room = models.ForeignKey("scheduling.Room", verbose_name=_("room"), on_delete=models.CASCADE, related_name="+")
    lessons = models.PositiveIntegerField(_("lessons"), default=0)
    seats_offered = models.PositiveIntegerField(_("seats offered"), default=0)
    seats_taken = models.PositiveIntegerField(_("seats taken (students + trials)"), default=0)
    occupancy_percent = models.DecimalField(
        _("occupancy percent"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("room usage")
        verbose_name_plural = _("room usage")
        ordering = ["-date", "room_id"]
        constraints = [models.UniqueConstraint(fields=["date", "room"], name="roomdayusage_one_per_day_room")]

    def __str__(self):
        return gettext("%(who)s on %(date)s") % {"who": self.room, "date": f"{self.date:%d.%m.%Y}"}


class RecommendationKind(models.TextChoices):
    NEW_GROUP = "new_group", _("Open a new group")
    COMBINE = "combine", _("Combine groups")


class GroupRecommendation(models.Model):
    """A planning suggestion of the day's rollup, with its reason. Rebuilt by
    every rollup of that day."""

    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RecommendationKind.choices)
    course = models.ForeignKey(
        "scheduling.Course", verbose_name=_("course"), on_delete=models.CASCADE, related_name="+"
    )
    groups = models.ManyToManyField(
        "scheduling.Group", verbose_name=pgettext_lazy("study group", "groups"), related_name="+", blank=True
    )
    suggested_days = models.CharField(_("suggested days"), max_length=16, blank=True)
    suggested_start_time = models.TimeField(_("suggested start time"), null=True, blank=True)
    suggested_end_time = models.TimeField(_("suggested end time"), null=True, blank=True)
    suggested_room = models.ForeignKey(
        "scheduling.Room",
        verbose_name=_("suggested room"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "kind", "course_id", "id"]
        verbose_name = _("group recommendation")
        verbose_name_plural = _("group recommendations")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.course} ({self.date:%d.%m.%Y})"


class Dashboard(LeadMetrics):
    """No table of its own: the admin's entry point to the analytics dashboard."""

    class Meta:
        proxy = True
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboard")
