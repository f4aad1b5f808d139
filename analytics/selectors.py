"""Reads for the dashboard. Everything comes from the stored rollups (never
from raw leads), a few aggregate queries per page whatever the date range."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

from analytics.models import SHARED_FIGURES, SOURCE_FIELDS, LeadMetrics, MarketingAnalytics, SalesKPI, percent
from analytics.services.days import day_bounds, days_between
from leads.models import LeadSource

# The funnel's stages: LeadMetrics fields, each counted as the leaderboard
# column of the same label counts it (SHARED_FIGURES; METRICS.md).
FUNNEL = [
    (_("New leads"), "total_leads"),
    (_("First contacts"), "new_contacts"),
    (_("Trials booked"), "trials_booked"),
    (_("Trials attended"), "trials_attended"),
    (_("Enrolled"), "enrolled"),
]


def funnel(first: datetime.date, last: datetime.date) -> list[tuple[str, int]]:
    """(label, LeadMetrics sum over the range) per stage. Each stage counts the
    events of the range (moves into it), not a cohort followed through."""
    sums = LeadMetrics.objects.filter(date__range=(first, last)).aggregate(
        **{name: Sum(name) for _label, name in FUNNEL}
    )
    return [(str(label), sums[name] or 0) for label, name in FUNNEL]


def leads_by_source_per_day(first, last) -> tuple[list[datetime.date], dict[str, list[int]]]:
    days = days_between(first, last)
    index = {day: i for i, day in enumerate(days)}
    series = {source: [0] * len(days) for source in LeadSource.values}
    for row in LeadMetrics.objects.filter(date__range=(first, last)).values("date", *SOURCE_FIELDS.values()):
        for source, name in SOURCE_FIELDS.items():
            series[source][index[row["date"]]] = row[name]
    return days, series


@dataclass(frozen=True)
class LeaderboardRow:
    salesperson: str
    new_contacts: int
    trials_booked: int
    trials_attended: int
    enrollments: int
    lost_leads: int
    # Follow-ups are a salesperson's deadlines: None on the row of unassigned leads.
    followups_completed: int | None
    followups_overdue: int | None

    @property
    def conversion_percent(self):
        return percent(self.enrollments, self.new_contacts)


@dataclass(frozen=True)
class Leaderboard:
    """Salespeople by enrolments, then the events of leads nobody is assigned
    to (None when there are none) and the total, which is the funnel's figure
    (LeadMetrics) for every shared column: rows + unassigned = total."""

    rows: list[LeaderboardRow]
    unassigned: LeaderboardRow | None
    total: LeaderboardRow

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


# LeaderboardRow field -> SalesKPI field; the LeadMetrics twin is SHARED_FIGURES'.
_BOARD_FIELDS = {
    "new_contacts": "new_contacts",
    "trials_booked": "trials_scheduled",
    "trials_attended": "trials_attended",
    "enrollments": "enrollments",
    "lost_leads": "lost_leads",
    "followups_completed": "followups_completed",
    "followups_overdue": "followups_overdue",
}
_METRICS_FIELD = {kpi: metrics for metrics, kpi in SHARED_FIGURES.items()}


def leaderboard(first, last) -> Leaderboard:
    rows = (
        SalesKPI.objects.filter(date__range=(first, last))
        .values("salesperson_id", "salesperson__username", "salesperson__first_name", "salesperson__last_name")
        .annotate(**{name: Sum(kpi) for name, kpi in _BOARD_FIELDS.items()})
        .order_by("-enrollments", "-new_contacts", "salesperson__username")
    )
    people = [
        LeaderboardRow(
            salesperson=f"{r['salesperson__first_name']} {r['salesperson__last_name']}".strip()
            or r["salesperson__username"],
            **{name: r[name] or 0 for name in _BOARD_FIELDS},
        )
        for r in rows
    ]
    metrics = LeadMetrics.objects.filter(date__range=(first, last)).aggregate(
        **{name: Sum(_METRICS_FIELD[kpi]) for name, kpi in _BOARD_FIELDS.items() if kpi in _METRICS_FIELD}
    )
    shared = [name for name in _BOARD_FIELDS if name in metrics]
    followups = {name: sum(getattr(p, name) for p in people) for name in ("followups_completed", "followups_overdue")}
    total = LeaderboardRow(salesperson=str(_("Total")), **{n: metrics[n] or 0 for n in shared}, **followups)
    rest = {name: getattr(total, name) - sum(getattr(p, name) for p in people) for name in shared}
    unassigned = (
        LeaderboardRow(
            salesperson=str(_("Leads not assigned")), followups_completed=None, followups_overdue=None, **rest
        )
        if any(rest.values())
        else None
    )
    return Leaderboard(people, unassigned, total)


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    label: str
    cost: Decimal
    leads: int
    enrollments: int
    impressions: int
    clicks: int

    @property
    def cpl(self):
        return (self.cost / self.leads).quantize(Decimal("1")) if self.leads and self.cost else None

    @property
    def cpa(self):
        return (self.cost / self.enrollments).quantize(Decimal("1")) if self.enrollments and self.cost else None

    @property
    def ctr(self):
        return percent(self.clicks, self.impressions)


def channel_costs(first, last) -> list[ChannelRow]:
    """Over a range, CPL = total cost / total leads (not an average of daily CPLs)."""
    rows = (
        MarketingAnalytics.objects.filter(date__range=(first, last))
        .values("channel")
        .annotate(
            cost=Sum("cost_total"),
            leads=Sum("leads_generated"),
            enrollments=Sum("enrollments_from_channel"),
            impressions=Sum("impressions"),
            clicks=Sum("clicks"),
        )
        .order_by("channel")
    )
    found = {r["channel"]: r for r in rows}
    result = []
    for source in LeadSource:
        r = found.get(source.value)
        if r is None:
            continue
        result.append(
            ChannelRow(
                source.value,
                source.label,
                r["cost"] or Decimal("0"),
                r["leads"] or 0,
                r["enrollments"] or 0,
                r["impressions"] or 0,
                r["clicks"] or 0,
            )
        )
    return result


def room_heatmap(day: datetime.date) -> tuple[list[tuple[str, list[float | None]]], list[str], datetime.date]:
    """Occupancy % of every room on each day of the week (Mon–Sun) holding ``day``,
    from RoomDayUsage. A day not rolled up yet, or without lessons, is None."""
    from analytics.models import RoomDayUsage
    from scheduling.models import Room

    week_start = day - datetime.timedelta(days=day.weekday())
    week = [week_start + datetime.timedelta(days=n) for n in range(7)]
    cells = {
        (u.room_id, u.date): u.occupancy_percent
        for u in RoomDayUsage.objects.filter(date__range=(week[0], week[-1])).only(
            "room_id", "date", "occupancy_percent"
        )
    }
    used_rooms = {room_id for room_id, _day in cells}
    rooms = Room.objects.filter(Q(is_active=True) | Q(pk__in=used_rooms)).order_by("name")
    rows = [
        (room.name, [float(cells[(room.pk, d)]) if cells.get((room.pk, d)) is not None else None for d in week])
        for room in rooms
    ]
    # Django's weekday abbreviations, in the reader's language.
    columns = [dateformat.format(d, "D d.m") for d in week]
    return rows, columns, week_start


# --- freshness and key figures ---------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    """When the figures of a range were computed (LeadMetrics.computed_at; the
    rollup writes every table of a day in one transaction, so one stands for all).

    ``day`` is the latest day of the range that has figures and ``updated_at``
    when they were computed; ``so_far`` when that was before the day ended (a
    running day, or one whose nightly rollup has not run); ``missing`` the days
    of the range up to today that were never rolled up."""

    day: datetime.date | None
    updated_at: datetime.datetime | None
    so_far: bool
    missing: int


def freshness(first: datetime.date, last: datetime.date, *, today: datetime.date) -> Freshness:
    stamps = dict(LeadMetrics.objects.filter(date__range=(first, last)).values_list("date", "computed_at"))
    missing = sum(1 for d in days_between(first, min(last, today)) if d not in stamps) if first <= today else 0
    if not stamps:
        return Freshness(None, None, False, missing)
    day = max(stamps)
    updated_at = stamps[day]
    return Freshness(day, updated_at, updated_at < day_bounds(day)[1], missing)


@dataclass(frozen=True)
class KeyFigures:
    """One day's key figures from the stored rollups, for a start page.

    Every count is the dashboard's for that single day (same fields, same
    definitions: analytics/METRICS.md). ``rolled_up`` is False when the day has
    no LeadMetrics row yet (all counts 0, ``updated_at`` None). Follow-ups are
    the salespeople's deadlines of the day met / missed (SalesKPI sums)."""

    day: datetime.date
    rolled_up: bool
    updated_at: datetime.datetime | None
    new_leads: int
    unassigned_new_leads: int
    first_contacts: int
    trials_booked: int
    trials_attended: int
    enrolled: int
    lost: int
    followups_met: int
    followups_missed: int

    @property
    def conversion_percent(self):
        """Enrolled / first contacts of the day (the leaderboard's conversion)."""
        return percent(self.enrolled, self.first_contacts)


def key_figures(*, day: datetime.date) -> KeyFigures:
    """The key figures of ``day`` (e.g. yesterday's, for the manager's start
    page): two queries whatever the data. Link to the dashboard's range of the
    day with ``?first=<iso>&last=<iso>`` (or ``?range=yesterday``)."""
    row = (
        LeadMetrics.objects.filter(date=day)
        .values(
            "computed_at",
            "total_leads",
            "unassigned",
            "new_contacts",
            "trials_booked",
            "trials_attended",
            "enrolled",
            "lost",
        )
        .first()
    )
    followups = SalesKPI.objects.filter(date=day).aggregate(
        met=Sum("followups_completed"), missed=Sum("followups_overdue")
    )
    row = row or {}
    return KeyFigures(
        day=day,
        rolled_up=bool(row),
        updated_at=row.get("computed_at"),
        new_leads=row.get("total_leads", 0),
        unassigned_new_leads=row.get("unassigned", 0),
        first_contacts=row.get("new_contacts", 0),
        trials_booked=row.get("trials_booked", 0),
        trials_attended=row.get("trials_attended", 0),
        enrolled=row.get("enrolled", 0),
        lost=row.get("lost", 0),
        followups_met=followups["met"] or 0,
        followups_missed=followups["missed"] or 0,
    )
