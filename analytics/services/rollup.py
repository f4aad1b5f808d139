"""The daily rollup: recompute one local day's figures from the recorded history
and upsert them. Definitions of every figure: analytics/METRICS.md.

Set-based: a fixed handful of aggregate queries per day, whatever the number of
leads. Idempotent: rolling a day up again writes the same rows, and a figure
that fell to zero is written as zero. Two rollups of the same day never run at
once: each holds a row lock on that day's RollupRun for its whole transaction.
"""

import datetime
import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.models import (
    SHARED_FIGURES,
    SOURCE_FIELDS,
    TRANSITION_FIELDS,
    LeadMetrics,
    MarketingAnalytics,
    MarketingSpend,
    RollupRun,
    SalesKPI,
)
from analytics.services.days import day_bounds, days_between
from analytics.services.groups import analytics_rollup_groups
from analytics.services.marketing_metrics import marketing_figures
from analytics.services.sales_sources import followup_counters, trial_counters
from leads.models import Lead, LeadSource, LeadStatus, LeadStatusChange
from leads.services import CONTACT_STATUSES

logger = logging.getLogger(__name__)
S = LeadStatus

RANGE_REVERSED = _("The start date {first} is after the end date {last}.")
RANGE_TOO_LONG = _("At most {limit} days can be rolled up in one run (asked for {days}).")
MAX_RANGE_DAYS = 800

SALES_COUNTERS = [
    "new_contacts",
    "followups_completed",
    "followups_overdue",
    "trials_scheduled",
    "trials_attended",
    "trials_no_show",
    "sales_offers_made",
    "enrollments",
    "lost_leads",
]
MARKETING_FIELDS = [
    "impressions",
    "clicks",
    "ctr",
    "leads_generated",
    "cost_total",
    "cpl",
    "enrollments_from_channel",
    "cpa",
]


@dataclass
class RollupResult:
    day: datetime.date
    lead_metrics: LeadMetrics
    sales_rows: int
    marketing_rows: int
    duration_ms: int
    extra: dict = field(default_factory=dict)


# --- entry points -------------------------------------------------------------


def analytics_rollup_day(*, day: datetime.date, skip_if_running: bool = False) -> RollupResult | None:
    """Recompute and store every rollup of ``day`` (a local calendar day).

    With ``skip_if_running`` a rollup of the same day already under way makes
    this one return None at once instead of queueing behind it: for the
    every-minute rollup of today, whose next run catches up anyway."""
    started = time.perf_counter()
    # The day's lock row, committed before the transaction (outside one, as the
    # tasks run): an insert pending in another transaction would make even a
    # skipping rollup wait for it.
    RollupRun.objects.bulk_create([RollupRun(date=day)], ignore_conflicts=True)
    with transaction.atomic():
        run = rollup_day_lock(day, skip_locked=skip_if_running, insert=False)
        if run is None:
            logger.info("Rollup of %s skipped: another one is running", day)
            return None
        run.last_started_at = timezone.now()
        start, end = day_bounds(day)
        activity = _activity_by_salesperson(day=day, start=start, end=end)
        lead_metrics, created_by_source = _rollup_lead_metrics(day=day, start=start, end=end, activity=activity)
        sales_rows = _rollup_sales_kpis(day=day, activity=activity)
        marketing_rows = _rollup_marketing(day=day, start=start, end=end, created_by_source=created_by_source)
        extra = {}
        for contributor in EXTRA_ROLLUPS:
            extra.update(contributor(day=day, start=start, end=end) or {})
        duration_ms = int((time.perf_counter() - started) * 1000)
        run.last_finished_at = timezone.now()
        run.last_duration_ms = duration_ms
        run.runs = F("runs") + 1
        run.save(update_fields=["last_started_at", "last_finished_at", "last_duration_ms", "runs"])
    logger.info("Rolled up %s in %d ms", day, duration_ms)
    return RollupResult(day, lead_metrics, sales_rows, marketing_rows, duration_ms, extra)


def analytics_rollup_range(*, first: datetime.date, last: datetime.date, progress=None) -> list[RollupResult]:
    """Roll up every day from ``first`` to ``last`` (both included), one
    transaction per day so a long backfill never holds many locks."""
    from django.core.exceptions import ValidationError

    if first > last:
        raise ValidationError(RANGE_REVERSED.format(first=first, last=last))
    days = days_between(first, last)
    if len(days) > MAX_RANGE_DAYS:
        raise ValidationError(RANGE_TOO_LONG.format(limit=MAX_RANGE_DAYS, days=len(days)))
    results = []
    for day in days:
        results.append(analytics_rollup_day(day=day))
        if progress:
            progress(results[-1])
    return results


def analytics_rollup_stale_spend_days(*, limit: int = 31) -> list[datetime.date]:
    """Roll up again the days whose marketing spend changed after their last
    rollup began: the safety net for a re-roll that could not be queued (the
    broker was down when the spend was saved). Oldest first, at most ``limit``."""
    last_started = RollupRun.objects.filter(date=OuterRef("date")).values("last_started_at")[:1]
    days = list(
        MarketingSpend.objects.annotate(rolled_at=Subquery(last_started))
        .filter(Q(rolled_at__isnull=True) | Q(updated_at__gt=F("rolled_at")))
        .order_by("date")
        .values_list("date", flat=True)
        .distinct()[:limit]
    )
    for day in days:
        analytics_rollup_day(day=day)
    return days


# Further rollups of the day: callables (day, start, end) -> dict of extra results.
EXTRA_ROLLUPS = [analytics_rollup_groups]


# --- the lock ---------------------------------------------------------------------


def rollup_day_lock(day: datetime.date, *, skip_locked: bool = False, insert: bool = True) -> RollupRun | None:
    """Take the row lock of ``day`` (creating the row unless ``insert`` is False:
    the caller did); a second rollup of the same day waits here until the first
    commits, or with ``skip_locked`` gets None at once. (On SQLite the write
    transaction serialises them.)"""
    if insert:
        RollupRun.objects.bulk_create([RollupRun(date=day)], ignore_conflicts=True)
    return RollupRun.objects.select_for_update(skip_locked=skip_locked).filter(date=day).first()


# --- the day's activity, per salesperson -------------------------------------------

# Per-salesperson counters from trials and reminders:
# callables (day, start, end) -> {salesperson_id or None: {counter: value}}.
SALES_CONTRIBUTORS = [trial_counters, followup_counters]


def _activity_by_salesperson(*, day, start, end) -> dict[int | None, dict]:
    """The day's SalesKPI counters keyed by the lead's salesperson, with the
    leads nobody is assigned to under ``None``. SalesKPI stores the people;
    LeadMetrics' shared figures (SHARED_FIGURES) are the sum over every key,
    so the funnel and the leaderboard cannot count one event two ways."""
    first_contact = Q(from_status=S.NEW, to_status__in=CONTACT_STATUSES)
    response = ExpressionWrapper(F("changed_at") - F("lead__assigned_at"), output_field=DurationField())
    per_person = (
        LeadStatusChange.objects.filter(changed_at__gte=start, changed_at__lt=end)
        .values("lead__assigned_to")
        .annotate(
            new_contacts=Count("lead_id", distinct=True, filter=first_contact),
            enrollments=Count("lead_id", distinct=True, filter=Q(to_status=S.ENROLLED)),
            lost_leads=Count("lead_id", distinct=True, filter=Q(to_status=S.LOST)),
            avg_response_time=Avg(
                response,
                filter=first_contact
                & Q(changed_at=F("lead__first_contacted_at"), lead__assigned_at__lte=F("changed_at")),
            ),
        )
        .order_by()
    )
    figures: dict[int | None, dict] = {}
    for entry in per_person:
        person = entry.pop("lead__assigned_to")
        figures[person] = entry
    for contributor in SALES_CONTRIBUTORS:
        for person, counters in contributor(day=day, start=start, end=end).items():
            figures.setdefault(person, {}).update(counters)
    return figures


def _total(activity: dict[int | None, dict], counter: str) -> int:
    return sum(counters.get(counter) or 0 for counters in activity.values())


# --- lead metrics -------------------------------------------------------------------


def _rollup_lead_metrics(*, day, start, end, activity) -> tuple[LeadMetrics, dict[str, int]]:
    created = Lead.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        total_leads=Count("id"),
        assigned=Count("id", filter=Q(assigned_at__lt=end)),
        **{name: Count("id", filter=Q(source=source)) for source, name in SOURCE_FIELDS.items()},
    )
    moves = LeadStatusChange.objects.filter(changed_at__gte=start, changed_at__lt=end).aggregate(
        **{name: Count("lead_id", distinct=True, filter=Q(to_status=name)) for name in TRANSITION_FIELDS}
    )
    shared = {name: _total(activity, counter) for name, counter in SHARED_FIGURES.items()}
    # enrolled / lost are also transitions: the same distinct count of the same rows.
    moves.update(shared)
    row = LeadMetrics(date=day, unassigned=created["total_leads"] - created["assigned"], **created, **moves)
    update_fields = [f.name for f in LeadMetrics._meta.concrete_fields if f.name not in ("id", "date")]
    LeadMetrics.objects.bulk_create([row], update_conflicts=True, unique_fields=["date"], update_fields=update_fields)
    by_source = {source: created[name] for source, name in SOURCE_FIELDS.items()}
    return row, by_source


# --- sales KPIs ---------------------------------------------------------------------


def _rollup_sales_kpis(*, day, activity) -> int:
    # Only people with something to show get a new row (unassigned leads get none) ...
    figures = {
        person: counters for person, counters in activity.items() if person is not None and any(counters.values())
    }
    # ... and people who had a row for this day but no activity any more get zeros.
    for person in SalesKPI.objects.filter(date=day).values_list("salesperson_id", flat=True):
        figures.setdefault(person, {})
    rows = [
        SalesKPI(
            date=day,
            salesperson_id=person,
            avg_response_time=counters.get("avg_response_time"),
            **{name: counters.get(name) or 0 for name in SALES_COUNTERS},
        )
        for person, counters in sorted(figures.items())
    ]
    if rows:
        SalesKPI.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["date", "salesperson"],
            update_fields=[*SALES_COUNTERS, "avg_response_time", "computed_at"],
        )
    return len(rows)


# --- marketing ------------------------------------------------------------------------


def _rollup_marketing(*, day, start, end, created_by_source: dict[str, int]) -> int:
    enrolled = dict(
        LeadStatusChange.objects.filter(changed_at__gte=start, changed_at__lt=end, to_status=S.ENROLLED)
        .values("lead__source")
        .annotate(n=Count("lead_id", distinct=True))
        .order_by()
        .values_list("lead__source", "n")
    )
    spend = {row.channel: row for row in MarketingSpend.objects.filter(date=day)}
    rows = []
    for channel in LeadSource.values:
        entered = spend.get(channel)
        rows.append(
            MarketingAnalytics(
                date=day,
                channel=channel,
                **marketing_figures(
                    impressions=entered.impressions if entered else 0,
                    clicks=entered.clicks if entered else 0,
                    cost=entered.cost if entered else 0,
                    leads=created_by_source.get(channel, 0),
                    enrollments=enrolled.get(channel, 0),
                ),
            )
        )
    MarketingAnalytics.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["date", "channel"],
        update_fields=[*MARKETING_FIELDS, "computed_at"],
    )
    return len(rows)
