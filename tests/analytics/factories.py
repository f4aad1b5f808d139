"""Rollup rows for admin and dashboard tests (the rollup itself is tested on
real histories; here we only need rows with known figures)."""

import datetime
from decimal import Decimal

import factory

from analytics.models import (
    GroupAnalytics,
    GroupRecommendation,
    LeadMetrics,
    MarketingAnalytics,
    MarketingSpend,
    RecommendationKind,
    RollupRun,
    RoomDayUsage,
    SalesKPI,
)
from tests.factories import SalespersonFactory
from tests.scheduling.factories import CourseFactory, RoomFactory

BASE = datetime.date(2026, 11, 1)


def day(n):
    return BASE + datetime.timedelta(days=n)


class SalesKPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesKPI

    date = factory.Sequence(day)
    salesperson = factory.SubFactory(SalespersonFactory)
    new_contacts = 10
    followups_completed = 9
    followups_overdue = 1
    trials_scheduled = 4
    trials_attended = 3
    trials_no_show = 1
    sales_offers_made = 2
    enrollments = 2
    lost_leads = 1
    avg_response_time = datetime.timedelta(minutes=12)


class LeadMetricsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadMetrics

    date = factory.Sequence(day)
    total_leads = 20
    instagram_leads = 12
    telegram_leads = 8
    contacted = 15
    interested = 9
    trial_scheduled = 6
    trial_attended = 4
    enrolled = 3
    lost = 2
    new_contacts = 14
    trials_booked = 6
    trials_attended = 4
    assigned = 18
    unassigned = 2


class MarketingAnalyticsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketingAnalytics

    date = factory.Sequence(day)
    channel = "instagram"
    impressions = 20000
    clicks = 300
    ctr = Decimal("1.50")
    leads_generated = 12
    cost_total = Decimal("1200000")
    cpl = Decimal("100000")
    enrollments_from_channel = 2
    cpa = Decimal("600000")


class MarketingSpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketingSpend

    date = factory.Sequence(day)
    channel = "instagram"
    impressions = 20000
    clicks = 300
    cost = Decimal("1200000")


class GroupAnalyticsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupAnalytics

    date = factory.Sequence(day)
    full_groups = 2
    near_full_groups = 4
    empty_groups = 1
    rooms_in_use = 5
    avg_room_occupancy = Decimal("72.5")
    trial_students = 8
    trial_conversion_rate = Decimal("40.0")
    expected_enrollments = Decimal("3.2")
    new_groups_recommended = 1
    groups_to_combine = 1


class GroupRecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupRecommendation

    date = factory.Sequence(day)
    kind = RecommendationKind.COMBINE
    course = factory.SubFactory(CourseFactory)
    suggested_days = "mon_wed_fri"
    suggested_start_time = datetime.time(16, 0)
    suggested_end_time = datetime.time(17, 30)
    suggested_room = factory.SubFactory(RoomFactory)
    reason = "Both groups under half full."


class RoomDayUsageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomDayUsage

    date = factory.Sequence(day)
    room = factory.SubFactory(RoomFactory)
    lessons = 3
    seats_offered = 36
    seats_taken = 27
    occupancy_percent = Decimal("75.0")


class RollupRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RollupRun

    date = factory.Sequence(day)
    runs = 1
    last_duration_ms = 40
