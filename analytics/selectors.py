"""Reads for the dashboard. Everything comes from the stored rollups (never
from raw leads), a few aggregate queries per page whatever the date range."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

from analytics.models import SOURCE_FIELDS, LeadMetrics, MarketingAnalytics, SalesKPI, percent
from analytics.services.days import days_between
from leads.models import LeadSource

FUNNEL = [
    (_("New"), "total_leads"),
    (_("Contacted"), "contacted"),
    (_("Trial scheduled"), "trial_scheduled"),
    (_("Trial attended"), "trial_attended"),
    (_("Enrolled"), "enrolled"),
]


def funnel(first: datetime.date, last: datetime.date) -> list[tuple[str, int]]:
    sums = LeadMetrics.objects.filter(date__range=(first, last)).aggregate(
        **{name: Sum(name) for _label, name in FUNNEL}
    )
    return [(label, sums[name] or 0) for label, name in FUNNEL]


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
    trials_attended: int
    enrollments: int
    lost_leads: int
    followups_completed: int
    followups_overdue: int

    @property
    def conversion_percent(self):
        return percent(self.enrollments, self.new_contacts)


def leaderboard(first, last) -> list[LeaderboardRow]:
    rows = (
        SalesKPI.objects.filter(date__range=(first, last))
        .values("salesperson_id", "salesperson__username", "salesperson__first_name", "salesperson__last_name")
        .annotate(
            new_contacts_sum=Sum("new_contacts"),
            trials_attended_sum=Sum("trials_attended"),
            enrollments_sum=Sum("enrollments"),
            lost_sum=Sum("lost_leads"),
            done_sum=Sum("followups_completed"),
            overdue_sum=Sum("followups_overdue"),
        )
        .order_by("-enrollments_sum", "-new_contacts_sum", "salesperson__username")
    )
    return [
        LeaderboardRow(
            salesperson=f"{r['salesperson__first_name']} {r['salesperson__last_name']}".strip()
            or r["salesperson__username"],
            new_contacts=r["new_contacts_sum"],
            trials_attended=r["trials_attended_sum"],
            enrollments=r["enrollments_sum"],
            lost_leads=r["lost_sum"],
            followups_completed=r["done_sum"],
            followups_overdue=r["overdue_sum"],
        )
        for r in rows
    ]


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
