"""The dashboard's form and context (the page itself is served by DashboardAdmin)."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from analytics import charts, selectors
from analytics.services.days import local_today
from core.badges import BLUE, GREEN, HEX, ORANGE, PURPLE, RED, TEAL
from core.widgets import DayField
from leads.badges import SOURCE_COLOURS
from leads.models import LeadSource
from reminders.selectors import sms_per_day

MAX_DAYS = 366
DEFAULT_DAYS = 30
RANGE_REVERSED = _("“From” must not be after “to”.")
RANGE_TOO_LONG = format_lazy(_("Choose at most {days} days."), days=MAX_DAYS)

# SVG fills from the one palette (core.badges): sources wear their badge colours.
SOURCE_FILLS = {s: HEX[SOURCE_COLOURS[LeadSource(s)]] for s in LeadSource.values}
FUNNEL_FILLS = [HEX[c] for c in (BLUE, TEAL, PURPLE, ORANGE, GREEN)]
LEADERBOARD_FILL = HEX[GREEN]


class DateRangeForm(forms.Form):
    first = DayField(label=_("From"))
    last = DayField(label=_("To"))

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise forms.ValidationError(RANGE_REVERSED)
            if (last - first).days + 1 > MAX_DAYS:
                raise forms.ValidationError(RANGE_TOO_LONG)
        return data


def default_range() -> tuple[datetime.date, datetime.date]:
    last = local_today()
    return last - datetime.timedelta(days=DEFAULT_DAYS - 1), last


# Quick ranges (?range=<key>), all ending today (local): a bookmark of one stays current.
QUICK_RANGES = [
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("this_week", _("This week")),
    ("last_7_days", _("Last 7 days")),
    ("this_month", _("This month")),
]


def quick_range(key: str, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """(first, last) of the quick range ``key``; weeks start on Monday."""
    yesterday = today - datetime.timedelta(days=1)
    return {
        "today": (today, today),
        "yesterday": (yesterday, yesterday),
        "this_week": (today - datetime.timedelta(days=today.weekday()), today),
        "last_7_days": (today - datetime.timedelta(days=6), today),
        "this_month": (today.replace(day=1), today),
    }.get(key)


@dataclass(frozen=True)
class QuickRange:
    key: str
    label: str
    selected: bool


def quick_range_links(chosen: str | None, first, last, today) -> list[QuickRange]:
    """The quick-range links, the one shown marked: the one asked for by name,
    else the first whose dates are the range's (typed dates of "today" mark it)."""
    selected = chosen if quick_range(chosen or "", today) else None
    if selected is None:
        selected = next((key for key, _label in QUICK_RANGES if quick_range(key, today) == (first, last)), None)
    return [QuickRange(key, str(label), key == selected) for key, label in QUICK_RANGES]


def local_stamp(moment: datetime.datetime | None, *, today: datetime.date | None = None) -> str:
    """A computed-at time as staff read it, in local time: "10:45" today,
    "30.11.2026 00:20" another day, "—" never."""
    if moment is None:
        return "—"
    moment = timezone.localtime(moment, timezone.get_default_timezone())
    if moment.date() == (today or local_today()):
        return f"{moment:%H:%M}"
    return f"{moment:%d.%m.%Y %H:%M}"


def freshness_text(fresh: selectors.Freshness, today: datetime.date) -> str:
    """ "Updated 10:45 (today so far)" and friends, for the top of a page."""
    if fresh.updated_at is None:
        return gettext("Not rolled up yet: no figures for these dates.")
    text = gettext("Updated %(time)s") % {"time": local_stamp(fresh.updated_at, today=today)}
    if fresh.day == today:
        text = gettext("%(updated)s (today so far)") % {"updated": text}
    elif fresh.so_far:
        text = gettext("%(updated)s, before %(day)s ended: its figures are incomplete") % {
            "updated": text,
            "day": f"{fresh.day:%d.%m.%Y}",
        }
    if fresh.missing:
        text = gettext("%(updated)s; %(count)d day(s) not rolled up yet") % {"updated": text, "count": fresh.missing}
    return text


def dashboard_context(params) -> dict:
    today = local_today()
    first, last = default_range()
    chosen = params.get("range")
    quick = quick_range(chosen or "", today)
    typed = bool(params.get("first") or params.get("last"))
    if quick and not typed:
        first, last = quick
    form = DateRangeForm(params if typed else None, initial={"first": first, "last": last})
    if form.is_bound and form.is_valid():
        first, last = form.cleaned_data["first"], form.cleaned_data["last"]

    funnel = selectors.funnel(first, last)
    days, by_source = selectors.leads_by_source_per_day(first, last)
    board = selectors.leaderboard(first, last)
    channels = selectors.channel_costs(first, last)
    heat_rows, heat_columns, week_start = selectors.room_heatmap(last)
    sms_days = sms_per_day(first, last)
    fresh = selectors.freshness(first, last, today=today)
    return {
        "form": form,
        "first": first,
        "last": last,
        "quick_ranges": quick_range_links(None if typed else chosen, first, last, today),
        "freshness": fresh,
        "freshness_text": freshness_text(fresh, today),
        "week_start": week_start,
        "funnel": funnel,
        "leaderboard": board,
        "channels": channels,
        "funnel_chart": charts.hbar(
            "funnel", [(label, value, FUNNEL_FILLS[i]) for i, (label, value) in enumerate(funnel)]
        ),
        "sources_chart": charts.stacked_columns(
            "leads-by-source",
            [f"{d:%d.%m.%Y}" for d in days],
            [(LeadSource(s).label, SOURCE_FILLS[s], values) for s, values in by_source.items()],
            ticks=[f"{d:%d.%m}" for d in days],
        ),
        "leaderboard_chart": charts.hbar(
            "leaderboard", [(row.salesperson, row.enrollments, LEADERBOARD_FILL) for row in board.rows[:10]]
        ),
        "cpl_chart": charts.hbar(
            "cpl", [(row.label, row.cpl, SOURCE_FILLS[row.channel]) for row in channels if row.cpl], unit=" UZS"
        ),
        "cpa_chart": charts.hbar(
            "cpa", [(row.label, row.cpa, SOURCE_FILLS[row.channel]) for row in channels if row.cpa], unit=" UZS"
        ),
        "heatmap_chart": charts.heatmap("room-occupancy", heat_rows, heat_columns),
        "sms_totals": {
            "sent": sum(d.sent for d in sms_days),
            "delivered": sum(d.delivered for d in sms_days),
            "undelivered": sum(d.undelivered for d in sms_days),
            "failed": sum(d.failed for d in sms_days),
        },
        "sms_chart": charts.stacked_columns(
            "sms-per-day",
            [f"{d.day:%d.%m.%Y}" for d in sms_days],
            [
                (_("delivered"), HEX[GREEN], [d.delivered for d in sms_days]),
                (_("awaiting report"), HEX[BLUE], [d.awaiting for d in sms_days]),
                (_("not delivered"), HEX[RED], [d.undelivered for d in sms_days]),
                (_("failed to send"), HEX[ORANGE], [d.failed for d in sms_days]),
            ],
            ticks=[f"{d.day:%d.%m}" for d in sms_days],
        ),
    }
