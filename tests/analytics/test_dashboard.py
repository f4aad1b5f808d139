"""The dashboard page: charts drawn from the stored rollups for a date range."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reminders.models import Channel, Delivery, DeliveryStatus
from reminders.selectors import sms_per_day
from tests.analytics import factories as f
from tests.analytics.helpers import local
from tests.factories import SalespersonFactory
from tests.scheduling.factories import RoomFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:analytics_dashboard_changelist")
D = datetime.date(2026, 11, 16)  # a Monday
RANGE = {"first": "2026-11-16", "last": "2026-11-18"}


def bar(html, chart, label):
    """data-value of the bar/segment ``label`` in chart ``chart``."""
    svg = re.search(rf'<svg class="chart" data-chart="{chart}".*?</svg>', html, re.S).group(0)
    return re.search(rf'data-label="{re.escape(label)}" data-value="([^"]*)"', svg).group(1)


@pytest.fixture
def rollups():
    for n, (total, insta, tg, enrolled) in enumerate([(10, 6, 4, 1), (8, 5, 3, 2), (12, 2, 10, 0)]):
        f.LeadMetricsFactory(
            date=D + datetime.timedelta(days=n),
            total_leads=total,
            instagram_leads=insta,
            telegram_leads=tg,
            new_contacts=7,
            trials_booked=4,
            trials_attended=3,
            enrolled=enrolled,
            lost=1,
        )
    f.LeadMetricsFactory(date=D - datetime.timedelta(days=1), total_leads=999)  # outside the range
    aziz = SalespersonFactory(first_name="Aziz", last_name="Karimov")
    malika = SalespersonFactory(first_name="Malika", last_name="Tursunova")
    f.SalesKPIFactory(date=D, salesperson=aziz, enrollments=1, new_contacts=5)
    f.SalesKPIFactory(date=D + datetime.timedelta(days=1), salesperson=aziz, enrollments=2, new_contacts=5)
    f.SalesKPIFactory(date=D, salesperson=malika, enrollments=0, new_contacts=4)
    f.MarketingAnalyticsFactory(
        date=D, channel="instagram", cost_total=Decimal("600000"), leads_generated=6, enrollments_from_channel=1
    )
    f.MarketingAnalyticsFactory(
        date=D + datetime.timedelta(days=1),
        channel="instagram",
        cost_total=Decimal("400000"),
        leads_generated=4,
        enrollments_from_channel=1,
    )
    room = RoomFactory(name="Room 7")
    f.RoomDayUsageFactory(date=D, room=room, occupancy_percent=Decimal("75.0"))
    f.RoomDayUsageFactory(date=D + datetime.timedelta(days=2), room=room, occupancy_percent=Decimal("100.0"))


def test_charts_show_the_stored_figures(manager_client, rollups):
    html = manager_client.get(DASHBOARD, RANGE).content.decode()
    # Funnel: sums over the three days.
    stages = ("New leads", "First contacts", "Trials booked", "Trials attended", "Enrolled")
    assert [bar(html, "funnel", s) for s in stages] == [
        "30",
        "21",
        "12",
        "9",
        "3",
    ]
    # Leads by source per day: stacked columns.
    assert bar(html, "leads-by-source", "18.11.2026") == "12"
    assert 'text-anchor="middle">18.11</text>' in html  # the day under its column, dd.mm
    assert 'data-label="Telegram" data-value="10"' in html
    # Leaderboard by enrolments.
    assert bar(html, "leaderboard", "Aziz Karimov") == "3"
    assert bar(html, "leaderboard", "Malika Tursunova") == "0"
    # CPL = 1 000 000 / 10 leads; CPA = 1 000 000 / 2 enrolments.
    assert bar(html, "cpl", "Instagram") == "100000"
    assert bar(html, "cpa", "Instagram") == "500000"
    # Heat map of the week Mon 16 – Sun 22.
    assert bar(html, "room-occupancy", "Room 7 Mon 16.11") == "75.0"
    assert bar(html, "room-occupancy", "Room 7 Wed 18.11") == "100.0"
    assert bar(html, "room-occupancy", "Room 7 Tue 17.11") == ""


def test_default_range_is_the_last_30_days(manager_client):
    response = manager_client.get(DASHBOARD)
    assert response.status_code == 200
    assert (response.context["last"] - response.context["first"]).days == 29
    assert 'data-chart="funnel"' in response.content.decode()  # the "no data" placeholder


def test_reversed_range_is_refused_with_a_message(manager_client):
    response = manager_client.get(DASHBOARD, {"first": "2026-11-18", "last": "2026-11-16"})
    assert response.status_code == 200
    assert "“From” must not be after “to”." in response.content.decode()


def test_query_count_does_not_grow_with_the_range(manager_client, rollups):
    def count(params):
        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(DASHBOARD, params).status_code == 200
        return len(ctx.captured_queries)

    short = count(RANGE)
    long = count({"first": "2026-01-01", "last": "2026-12-31"})
    assert short == long


def test_only_managers_see_it(sales_client):
    assert sales_client.get(DASHBOARD).status_code == 403


def test_linked_from_the_admin_index_for_managers(manager_client):
    assert str(DASHBOARD) in manager_client.get(reverse("admin:index")).content.decode()


def test_not_linked_for_salespeople(sales_client):
    assert str(DASHBOARD) not in sales_client.get(reverse("admin:index")).content.decode()


def test_sms_sent_delivered_and_failed_per_day(manager_client):
    tz = ZoneInfo("Asia/Tashkent")
    monday_late = datetime.datetime(2026, 11, 16, 23, 30, tzinfo=tz)  # 18:30 UTC: still Monday in Tashkent
    tuesday = datetime.datetime(2026, 11, 17, 10, 0, tzinfo=tz)

    def sms(i, at, status=DeliveryStatus.SENT, report=""):
        Delivery.objects.create(
            key=f"sms:{i}",
            kind="trial_pre_lead",
            channel=Channel.SMS,
            address="+998901234567",
            object_id=i,
            occurrence="x",
            due_at=at,
            status=status,
            sent_at=at if status == DeliveryStatus.SENT else None,
            gateway_status=report,
        )

    sms(1, monday_late, report="DELIVRD")
    sms(2, monday_late, report="REJECTD")
    sms(3, tuesday, report="DELIVRD")
    sms(4, tuesday)  # no report yet
    sms(5, tuesday, status=DeliveryStatus.FAILED)  # gave up: no next attempt
    Delivery.objects.create(
        key="email:1", kind="trial_pre_sales", channel="email", object_id=1, occurrence="x", due_at=tuesday,
        status=DeliveryStatus.SENT, sent_at=tuesday,
    )  # fmt: skip

    days = sms_per_day(D, D + datetime.timedelta(days=2))
    assert [(d.sent, d.delivered, d.undelivered, d.awaiting, d.failed) for d in days] == [
        (2, 1, 1, 0, 0),
        (2, 1, 0, 1, 1),
        (0, 0, 0, 0, 0),
    ]
    html = manager_client.get(DASHBOARD, RANGE).content.decode()
    assert "4 sent, 2 delivered, 1 not delivered, 1 failed" in html
    svg = re.search(r'<svg class="chart" data-chart="sms-per-day".*?</svg>', html, re.S).group(0)
    assert 'data-label="delivered" data-value="1"' in svg
    assert 'data-label="16.11.2026" data-value="2"' in svg and 'text-anchor="middle">16.11</text>' in svg


# --- quick ranges and freshness (time pinned: Wednesday 18.11.2026, local) ------------------

NOW = local(D + datetime.timedelta(days=2), 10, 50)


def selected_ranges(response):
    return [q.key for q in response.context["quick_ranges"] if q.selected]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "key, first, last",
    [
        ("today", "2026-11-18", "2026-11-18"),
        ("yesterday", "2026-11-17", "2026-11-17"),
        ("this_week", "2026-11-16", "2026-11-18"),  # Monday-based
        ("last_7_days", "2026-11-12", "2026-11-18"),
        ("this_month", "2026-11-01", "2026-11-18"),
    ],
)
def test_quick_ranges_are_links_and_the_chosen_one_is_marked(manager_client, key, first, last):
    response = manager_client.get(DASHBOARD, {"range": key})
    assert (response.context["first"].isoformat(), response.context["last"].isoformat()) == (first, last)
    assert selected_ranges(response) == [key]
    nav = re.search(r'<nav class="quick-ranges".*?</nav>', response.content.decode(), re.S).group(0)
    assert f'<a href="?range={key}" class="selected" aria-current="page">' in nav
    assert nav.count('aria-current="page"') == 1 and nav.count("<a ") == 5


@time_machine.travel(NOW, tick=False)
def test_typed_dates_of_a_quick_range_mark_it_and_others_mark_none(manager_client):
    assert selected_ranges(manager_client.get(DASHBOARD, {"first": "2026-11-18", "last": "2026-11-18"})) == ["today"]
    assert selected_ranges(manager_client.get(DASHBOARD, {"first": "2026-11-02", "last": "2026-11-18"})) == []
    # Typed dates win over a quick range left in the address.
    response = manager_client.get(DASHBOARD, {"range": "today", "first": "2026-11-16", "last": "2026-11-17"})
    assert (response.context["first"], response.context["last"]) == (D, D + datetime.timedelta(days=1))


def freshness_line(response):
    return re.search(r'<p class="freshness"[^>]*>(.*?)</p>', response.content.decode(), re.S).group(1)


def test_the_page_says_when_todays_figures_were_computed(manager_client):
    with time_machine.travel(local(D + datetime.timedelta(days=2), 10, 45), tick=False):
        f.LeadMetricsFactory(date=D + datetime.timedelta(days=2))  # computed_at: now (10:45 local)
    with time_machine.travel(NOW, tick=False):
        response = manager_client.get(DASHBOARD, {"range": "today"})
    assert freshness_line(response) == "Updated 10:45 (today so far)"


def test_a_past_day_rolled_up_before_it_ended_is_flagged_and_missing_days_counted(manager_client):
    with time_machine.travel(local(D + datetime.timedelta(days=1), 15), tick=False):
        f.LeadMetricsFactory(date=D + datetime.timedelta(days=1))  # 17.11, computed at 15:00 that day
    with time_machine.travel(NOW, tick=False):
        response = manager_client.get(DASHBOARD, {"range": "yesterday"})
        assert freshness_line(response) == (
            "Updated 17.11.2026 15:00, before 17.11.2026 ended: its figures are incomplete"
        )
        # This week: Monday and today were never rolled up.
        response = manager_client.get(DASHBOARD, {"range": "this_week"})
        assert freshness_line(response).endswith("; 2 day(s) not rolled up yet")
        assert freshness_line(manager_client.get(DASHBOARD, {"first": "2026-10-01", "last": "2026-10-02"})) == (
            "Not rolled up yet: no figures for these dates."
        )


def test_a_complete_past_day_shows_its_rollup_time(manager_client):
    with time_machine.travel(local(D + datetime.timedelta(days=2), 0, 20), tick=False):
        f.LeadMetricsFactory(date=D + datetime.timedelta(days=1))  # the nightly rollup of 17.11
    with time_machine.travel(NOW, tick=False):
        assert freshness_line(manager_client.get(DASHBOARD, {"range": "yesterday"})) == "Updated 00:20"
