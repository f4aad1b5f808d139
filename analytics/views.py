"""The dashboard's form and context (the page itself is served by DashboardAdmin)."""

import datetime

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from analytics import charts, selectors
from analytics.services.days import local_today
from core.badges import BLUE, GREEN, HEX, ORANGE, PURPLE, RED, TEAL
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
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

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


def dashboard_context(params) -> dict:
    first, last = default_range()
    form = DateRangeForm(
        params if params.get("first") or params.get("last") else None, initial={"first": first, "last": last}
    )
    if form.is_bound and form.is_valid():
        first, last = form.cleaned_data["first"], form.cleaned_data["last"]

    funnel = selectors.funnel(first, last)
    days, by_source = selectors.leads_by_source_per_day(first, last)
    board = selectors.leaderboard(first, last)
    channels = selectors.channel_costs(first, last)
    heat_rows, heat_columns, week_start = selectors.room_heatmap(last)
    sms_days = sms_per_day(first, last)
    return {
        "form": form,
        "first": first,
        "last": last,
        "week_start": week_start,
        "funnel": funnel,
        "leaderboard": board,
        "channels": channels,
        "funnel_chart": charts.hbar(
            "funnel", [(label, value, FUNNEL_FILLS[i]) for i, (label, value) in enumerate(funnel)]
        ),
        "sources_chart": charts.stacked_columns(
            "leads-by-source",
            [d.isoformat() for d in days],
            [(LeadSource(s).label, SOURCE_FILLS[s], values) for s, values in by_source.items()],
        ),
        "leaderboard_chart": charts.hbar(
            "leaderboard", [(row.salesperson, row.enrollments, LEADERBOARD_FILL) for row in board[:10]]
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
            [d.day.isoformat() for d in sms_days],
            [
                (_("delivered"), HEX[GREEN], [d.delivered for d in sms_days]),
                (_("awaiting report"), HEX[BLUE], [d.awaiting for d in sms_days]),
                (_("not delivered"), HEX[RED], [d.undelivered for d in sms_days]),
                (_("failed to send"), HEX[ORANGE], [d.failed for d in sms_days]),
            ],
        ),
    }
