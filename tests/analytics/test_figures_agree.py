"""The funnel and the salesperson leaderboard count the same events the same way.

One known history over two local days, rolled up; then the dashboard's funnel
and leaderboard for the range are compared with each other, with the stored
LeadMetrics and SalesKPI rows, and with figures counted by hand. The history is
built so that the ways they used to disagree show: a first contact straight to
"interested" (not a move to "contacted"), a move back to "contacted" (not a
first contact), a trial cancelled and booked again the same day (two trials,
one lead), a lead nobody is assigned to, events a minute either side of local
midnight.
"""

import datetime
import re
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse

from analytics import selectors
from analytics.models import SHARED_FIGURES, LeadMetrics, MarketingAnalytics, SalesKPI
from analytics.services.rollup import analytics_rollup_range
from scheduling.patterns import DayPattern
from tests.analytics.helpers import local, walk
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import GroupFactory
from trials import services as trials

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 11, 20)  # a Friday: the group has a lesson 16:00-17:30
D1 = D + timedelta(days=1)
STAGES = ["new_leads", "new_contacts", "trials_booked", "trials_attended", "enrolled"]
BOARD = ["new_contacts", "trials_booked", "trials_attended", "enrollments", "lost_leads"]
# LeadMetrics field -> the leaderboard column showing it.
BOARD_COLUMN = {
    "new_contacts": "new_contacts",
    "trials_booked": "trials_booked",
    "trials_attended": "trials_attended",
    "enrolled": "enrollments",
    "lost": "lost_leads",
}


@pytest.fixture
def history(salesperson, other_salesperson, manager):
    aziz, malika = salesperson, other_salesperson
    group = GroupFactory(days=DayPattern.MON_WED_FRI, start_time=datetime.time(16), end_time=datetime.time(17, 30))

    # a (Aziz): contacted, trial booked, attended, accepted -> enrolled.
    a = LeadFactory(created_at=local(D, 9), assigned_to=aziz)
    walk(a, [("contacted", local(D, 9, 30))], by=aziz)
    trial = trials.trial_book(lead=a, group=group, date=D, by=aziz, at=local(D, 10))
    trials.trial_mark_attended(trial=trial, by=aziz, at=local(D, 17, 40))
    trials.trial_record_result(trial=trial, result="accepted", by=aziz, at=local(D, 18))

    # b (Aziz): first contact straight to "interested", later back to "contacted";
    # a trial booked, cancelled and booked again (two trials), then a no-show.
    b = LeadFactory(created_at=local(D, 9, 5), assigned_to=aziz)
    walk(b, [("interested", local(D, 9, 40)), ("contacted", local(D, 11))], by=aziz)
    first = trials.trial_book(lead=b, group=group, date=D, by=aziz, at=local(D, 12))
    trials.trial_cancel(trial=first, by=aziz, at=local(D, 12, 10))
    again = trials.trial_book(lead=b, group=group, date=D, by=aziz, at=local(D, 12, 20))
    trials.trial_mark_no_show(trial=again, by=aziz, at=local(D, 17, 45))

    # e (Aziz): first contact straight to "interested", nothing else.
    e = LeadFactory(created_at=local(D, 12), assigned_to=aziz)
    walk(e, [("interested", local(D, 13))], by=aziz)

    # c (Malika), an older lead: first contact at 23:59 local on D (18:59 UTC,
    # the same UTC date as D1's 00:00), lost at 00:00 on D1.
    c = LeadFactory(created_at=local(D - timedelta(days=3), 9), assigned_to=malika)
    walk(c, [("contacted", local(D, 23, 59)), ("lost", local(D1, 0, 0))], by=malika)

    # u: nobody's lead, contacted and at a trial by a manager.
    u = LeadFactory(created_at=local(D, 10))
    walk(u, [("contacted", local(D, 10, 30))], by=manager)
    trial = trials.trial_book(lead=u, group=group, date=D, by=manager, at=local(D, 11))
    trials.trial_mark_attended(trial=trial, by=manager, at=local(D, 17, 50))

    analytics_rollup_range(first=D, last=D1)
    return aziz, malika


def sums(model, day_range, fields):
    totals = model.objects.filter(date__range=day_range).aggregate(**{f: Sum(f) for f in fields})
    return {f: totals[f] or 0 for f in fields}


def board_row(row):
    return {name: getattr(row, name) for name in BOARD}


def test_funnel_and_leaderboard_agree_with_each_other_and_the_stored_rows(history):
    aziz, malika = history
    funnel = dict(zip(STAGES, (value for _label, value in selectors.funnel(D, D1)), strict=True))
    board = selectors.leaderboard(D, D1)

    # Counted by hand from the history above.
    assert funnel == {"new_leads": 4, "new_contacts": 5, "trials_booked": 4, "trials_attended": 2, "enrolled": 1}
    rows = {row.salesperson: board_row(row) for row in board.rows}
    assert rows == {
        str(aziz): {"new_contacts": 3, "trials_booked": 3, "trials_attended": 1, "enrollments": 1, "lost_leads": 0},
        str(malika): {"new_contacts": 1, "trials_booked": 0, "trials_attended": 0, "enrollments": 0, "lost_leads": 1},
    }
    assert board_row(board.unassigned) == {
        "new_contacts": 1,
        "trials_booked": 1,
        "trials_attended": 1,
        "enrollments": 0,
        "lost_leads": 0,
    }

    # The leaderboard's total row is the funnel, and people + unassigned = total.
    total = board_row(board.total)
    assert [total[n] for n in ("new_contacts", "trials_booked", "trials_attended", "enrollments")] == [
        funnel[s] for s in ("new_contacts", "trials_booked", "trials_attended", "enrolled")
    ]
    for name in BOARD:
        assert sum(r[name] for r in rows.values()) + getattr(board.unassigned, name) == total[name], name

    # ... and both are the stored rows: LeadMetrics sums = SalesKPI sums + unassigned.
    metrics = sums(LeadMetrics, (D, D1), SHARED_FIGURES)
    kpis = sums(SalesKPI, (D, D1), SHARED_FIGURES.values())
    for metrics_field, kpi_field in SHARED_FIGURES.items():
        column = BOARD_COLUMN[metrics_field]
        assert metrics[metrics_field] == total[column], metrics_field
        assert metrics[metrics_field] == kpis[kpi_field] + getattr(board.unassigned, column), metrics_field
    for person in (aziz, malika):
        mine = SalesKPI.objects.filter(salesperson=person, date__range=(D, D1)).aggregate(
            **{f: Sum(f) for f in SHARED_FIGURES.values()}
        )
        assert {BOARD_COLUMN[m]: mine[k] for m, k in SHARED_FIGURES.items()} == rows[str(person)]


def test_events_either_side_of_local_midnight_count_on_their_local_day(history):
    _aziz, malika = history
    on_d, on_d1 = LeadMetrics.objects.get(date=D), LeadMetrics.objects.get(date=D1)
    assert (on_d.new_contacts, on_d.lost, on_d1.new_contacts, on_d1.lost) == (5, 0, 0, 1)
    kpi_d, kpi_d1 = SalesKPI.objects.get(date=D, salesperson=malika), SalesKPI.objects.get(date=D1, salesperson=malika)
    assert (kpi_d.new_contacts, kpi_d.lost_leads, kpi_d1.new_contacts, kpi_d1.lost_leads) == (1, 0, 0, 1)


def test_status_moves_stay_apart_from_the_funnel_figures(history):
    """The per-status columns of LeadMetrics count moves into a status (so "b"
    going back to "contacted" counts, "e" never moved to "contacted"); the
    funnel's first contacts and trials are the leaderboard's events."""
    on_d = LeadMetrics.objects.get(date=D)
    assert (on_d.contacted, on_d.trial_scheduled, on_d.trial_attended) == (4, 3, 2)
    assert (on_d.new_contacts, on_d.trials_booked, on_d.trials_attended) == (5, 4, 2)


def test_the_dashboard_shows_the_total_and_unassigned_rows(history, manager_client):
    html = manager_client.get(
        reverse("admin:analytics_dashboard_changelist"), {"first": D.isoformat(), "last": D1.isoformat()}
    ).content.decode()
    assert 'data-label="First contacts" data-value="5"' in html
    assert 'data-label="Trials booked" data-value="4"' in html
    rows = {
        css: re.findall(r"<td[^>]*>([^<]*)</td>", row)
        for css, row in re.findall(r'<tr class="(unassigned|total)"><th scope="row">[^<]*</th>(.*?)</tr>', html)
    }
    assert rows == {
        "unassigned": ["1", "1", "1", "0", "0", "—", "0.0 %"],
        "total": ["5", "4", "2", "1", "1", rows["total"][5], "20.0 %"],
    }
    assert '<th scope="row">Leads not assigned</th>' in html and '<th scope="row">Total</th>' in html


def test_marketing_by_channel_adds_up_to_the_funnels_new_and_enrolled_leads(history):
    channels = sums(MarketingAnalytics, (D, D1), ["leads_generated", "enrollments_from_channel"])
    metrics = sums(LeadMetrics, (D, D1), ["total_leads", "enrolled"])
    assert (channels["leads_generated"], channels["enrollments_from_channel"]) == (
        metrics["total_leads"],
        metrics["enrolled"],
    )
    assert metrics["total_leads"] == 4
