"""Lead metrics, sales KPIs and marketing rollups from small known histories."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import LeadMetrics, MarketingAnalytics, MarketingSpend, RollupRun, SalesKPI
from analytics.services import rollup
from analytics.services.days import day_bounds
from analytics.services.rollup import analytics_rollup_day, analytics_rollup_range
from leads import services
from leads.models import Lead
from tests.analytics.helpers import local, walk
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 11, 20)
D1 = D + timedelta(days=1)
D2 = D + timedelta(days=2)


def metrics(day):
    return LeadMetrics.objects.get(date=day)


def kpi(day, person):
    return SalesKPI.objects.get(date=day, salesperson=person)


def test_day_bounds_are_local_midnights():
    start, end = day_bounds(D)
    assert start.isoformat() == "2026-11-20T00:00:00+05:00"
    assert end - start == timedelta(days=1)


class TestLocalDays:
    def test_leads_at_2330_and_0030_local_land_on_different_days(self, salesperson):
        # 23:30 and 00:30 Tashkent are 18:30 and 19:30 UTC on the same UTC date.
        LeadFactory(created_at=local(D, 23, 30), source="instagram")
        LeadFactory(created_at=local(D1, 0, 30), source="telegram")
        analytics_rollup_range(first=D, last=D1)
        assert (metrics(D).total_leads, metrics(D).instagram_leads, metrics(D).telegram_leads) == (1, 1, 0)
        assert (metrics(D1).total_leads, metrics(D1).instagram_leads, metrics(D1).telegram_leads) == (1, 0, 1)

    def test_transition_just_before_and_after_local_midnight(self, salesperson):
        lead = LeadFactory(created_at=local(D, 22, 0), assigned_to=salesperson)
        walk(lead, [("contacted", local(D, 23, 59)), ("interested", local(D1, 0, 0))])
        analytics_rollup_range(first=D, last=D1)
        assert (metrics(D).contacted, metrics(D).interested) == (1, 0)
        assert (metrics(D1).contacted, metrics(D1).interested) == (0, 1)


class TestLeadMetrics:
    @pytest.fixture
    def history(self, salesperson, other_salesperson):
        a = LeadFactory(created_at=local(D, 9), source="instagram", assigned_to=salesperson)
        b = LeadFactory(created_at=local(D, 10), source="instagram")
        c = LeadFactory(created_at=local(D, 11), source="whatsapp", assigned_to=other_salesperson)
        d = LeadFactory(created_at=local(D, 12), source="landing")
        services.lead_assign(lead=d, salesperson=salesperson, at=local(D1, 9))  # assigned the next day
        # An older lead whose moves happen on D: counted in transitions, not in new leads.
        old = LeadFactory(created_at=local(D - timedelta(days=3), 9), source="telegram", assigned_to=salesperson)
        walk(a, [("contacted", local(D, 9, 30)), ("trial_scheduled", local(D, 15))], by=salesperson)
        walk(
            c,
            [
                ("contacted", local(D, 13)),
                ("interested", local(D, 14)),
                ("contacted", local(D, 16)),
                ("lost", local(D, 17)),
            ],
            by=other_salesperson,
        )
        walk(
            old,
            [
                ("contacted", local(D - timedelta(days=2), 9)),
                ("trial_scheduled", local(D - timedelta(days=1), 9)),
                ("trial_attended", local(D, 11)),
                ("enrolled", local(D, 18)),
            ],
            by=salesperson,
        )
        return {"a": a, "b": b, "c": c, "d": d, "old": old}

    def test_exact_figures(self, history):
        analytics_rollup_day(day=D)
        m = metrics(D)
        assert m.total_leads == 4
        assert m.source_breakdown == {
            "instagram": 2,
            "telegram": 0,
            "whatsapp": 1,
            "call_tracking": 0,
            "landing": 1,
            "google_sheets": 0,
            "excel": 0,
            "csv": 0,
        }
        # c went to contacted twice on D: counted once (distinct leads).
        assert (m.contacted, m.interested, m.trial_scheduled, m.trial_attended, m.enrolled, m.lost) == (
            2,
            1,
            1,
            1,
            1,
            1,
        )
        # d was assigned only on D+1: unassigned at the end of D.
        assert (m.assigned, m.unassigned) == (2, 2)
        assert m.conversion_rate_percent == Decimal("25.0")
        # The funnel's figures: first contacts (a, c; old's was on D-2) and trial
        # records. "old" reached "trial attended" by hand, with no attendance
        # recorded, so enrolled / trials attended is empty.
        assert (m.new_contacts, m.trials_booked, m.trials_attended) == (2, 0, 0)
        assert m.trial_to_conversion_percent is None

    def test_counts_come_from_history_not_current_status(self, history):
        analytics_rollup_day(day=D)
        before = metrics(D).enrolled
        services.lead_mark_lost(lead=history["old"], reason="Moved away", at=local(D2, 10))
        analytics_rollup_day(day=D)
        assert metrics(D).enrolled == before == 1

    def test_empty_day_is_written_as_zeros(self):
        analytics_rollup_day(day=D)
        m = metrics(D)
        assert m.total_leads == 0 and m.contacted == 0 and m.conversion_rate_percent is None


class TestSalesKPI:
    def test_exact_figures_attributed_to_the_leads_salesperson(self, salesperson, other_salesperson, manager):
        a = LeadFactory(created_at=local(D, 9), assigned_to=salesperson)
        b = LeadFactory(created_at=local(D, 9, 10), assigned_to=salesperson)
        c = LeadFactory(created_at=local(D, 9, 20), assigned_to=other_salesperson)
        # a: first contact 30 min after assignment; b: 90 min, and by a manager (still salesperson's lead).
        walk(
            a,
            [("contacted", local(D, 9, 30)), ("interested", local(D, 12)), ("enrolled", local(D, 17))],
            by=salesperson,
        )
        walk(b, [("interested", local(D, 10, 40)), ("lost", local(D, 11))], by=manager)
        walk(c, [("contacted", local(D1, 8))], by=other_salesperson)  # next day
        analytics_rollup_day(day=D)
        mine = kpi(D, salesperson)
        assert (mine.new_contacts, mine.enrollments, mine.lost_leads) == (2, 1, 1)
        assert mine.avg_response_time == timedelta(minutes=60)
        assert mine.overall_conversion_percent == Decimal("50.0")
        # Both first-contact deadlines (15 min after assignment) were missed (contacts after 30 and 90 min).
        assert (mine.followups_completed, mine.followups_overdue) == (0, 2)
        # c was not contacted on D: its first-contact deadline is missed too.
        theirs = kpi(D, other_salesperson)
        assert (theirs.new_contacts, theirs.followups_completed, theirs.followups_overdue) == (0, 0, 1)
        assert theirs.followup_completion_percent == Decimal("0.0")
        analytics_rollup_day(day=D1)
        theirs = kpi(D1, other_salesperson)
        assert (theirs.new_contacts, theirs.followups_completed, theirs.followups_overdue) == (1, 0, 0)
        assert theirs.avg_response_time == timedelta(hours=22, minutes=40)

    def test_reopened_lead_contacted_again_is_a_new_contact_without_response_time(self, salesperson):
        lead = LeadFactory(created_at=local(D, 9), assigned_to=salesperson)
        walk(lead, [("contacted", local(D, 9, 10)), ("lost", local(D, 9, 20))])
        services.lead_register_inquiry(phone=lead.phone, source="telegram", at=local(D1, 9))  # reopens: new
        walk(lead, [("contacted", local(D1, 10))])
        analytics_rollup_range(first=D, last=D1)
        assert kpi(D1, salesperson).new_contacts == 1
        assert kpi(D1, salesperson).avg_response_time is None  # not the lead's first contact
        assert kpi(D, salesperson).avg_response_time == timedelta(minutes=10)

    def test_contact_before_assignment_has_no_response_time(self, salesperson, manager):
        lead = LeadFactory(created_at=local(D, 9))
        walk(lead, [("contacted", local(D, 9, 5))], by=manager)
        services.lead_assign(lead=lead, salesperson=salesperson, at=local(D, 9, 30))
        analytics_rollup_day(day=D)
        assert kpi(D, salesperson).new_contacts == 1
        assert kpi(D, salesperson).avg_response_time is None


class TestIdempotence:
    def _snapshot(self):
        def fields(model):
            return [f.name for f in model._meta.concrete_fields if f.name not in ("id", "computed_at")]

        return {
            model.__name__: sorted(model.objects.values_list(*fields(model)))
            for model in (LeadMetrics, SalesKPI, MarketingAnalytics)
        }

    def test_rolling_up_twice_gives_the_same_rows(self, salesperson):
        lead = LeadFactory(created_at=local(D, 9), assigned_to=salesperson, source="telegram")
        walk(lead, [("contacted", local(D, 10)), ("trial_scheduled", local(D, 11))])
        MarketingSpend.objects.create(date=D, channel="telegram", impressions=1000, clicks=50, cost=Decimal("200000"))
        analytics_rollup_day(day=D)
        first = self._snapshot()
        analytics_rollup_day(day=D)
        assert self._snapshot() == first
        assert LeadMetrics.objects.count() == 1 and SalesKPI.objects.count() == 1
        assert MarketingAnalytics.objects.filter(date=D).count() == 8
        assert RollupRun.objects.get(date=D).runs == 2

    def test_a_figure_that_falls_to_zero_is_written_as_zero(self, salesperson, other_salesperson):
        lead = LeadFactory(created_at=local(D, 9), assigned_to=salesperson)
        walk(lead, [("contacted", local(D, 10))])
        analytics_rollup_day(day=D)
        assert kpi(D, salesperson).new_contacts == 1
        # Reassigned: the day's contact now belongs to the new salesperson.
        services.lead_assign(lead=lead, salesperson=other_salesperson, at=local(D1, 9))
        analytics_rollup_day(day=D)
        assert kpi(D, salesperson).new_contacts == 0
        assert kpi(D, salesperson).avg_response_time is None
        assert kpi(D, other_salesperson).new_contacts == 1
        Lead.objects.filter(pk=lead.pk).delete()
        analytics_rollup_day(day=D)
        assert metrics(D).total_leads == 0 and metrics(D).contacted == 0
        assert kpi(D, other_salesperson).new_contacts == 0


class TestMarketing:
    def test_figures_from_spend_leads_and_enrollments(self, salesperson):
        for hour in (9, 10, 11, 12):
            LeadFactory(created_at=local(D, hour), source="instagram", assigned_to=salesperson)
        enrolled = LeadFactory(created_at=local(D - timedelta(days=5), 9), source="instagram")
        walk(enrolled, [("interested", local(D - timedelta(days=4), 9)), ("enrolled", local(D, 16))])
        MarketingSpend.objects.create(
            date=D, channel="instagram", impressions=20000, clicks=300, cost=Decimal("1000000")
        )
        analytics_rollup_day(day=D)
        row = MarketingAnalytics.objects.get(date=D, channel="instagram")
        assert (row.impressions, row.clicks, row.leads_generated, row.enrollments_from_channel) == (20000, 300, 4, 1)
        assert row.ctr == Decimal("1.50")
        assert row.cost_total == Decimal("1000000.00")
        assert row.cpl == Decimal("250000.00")
        assert row.cpa == Decimal("1000000.00")
        other = MarketingAnalytics.objects.get(date=D, channel="telegram")
        assert (other.cost_total, other.cpl, other.cpa, other.ctr) == (Decimal("0"), None, None, None)

    def test_rollup_never_changes_the_typed_inputs(self):
        spend = MarketingSpend.objects.create(date=D, channel="telegram", impressions=10, clicks=1, cost=Decimal("5"))
        analytics_rollup_day(day=D)
        analytics_rollup_day(day=D)
        spend_after = MarketingSpend.objects.get(pk=spend.pk)
        assert (spend_after.impressions, spend_after.clicks, spend_after.cost, spend_after.updated_at) == (
            10,
            1,
            Decimal("5.00"),
            spend.updated_at,
        )


class TestSetBased:
    def _queries_for_day(self, day):
        with CaptureQueriesContext(connection) as ctx:
            analytics_rollup_day(day=day)
        return len(ctx.captured_queries)

    def test_query_count_is_flat_in_the_number_of_leads(self, salesperson, other_salesperson):
        def make(day, n):
            for i in range(n):
                person = salesperson if i % 2 else other_salesperson
                lead = LeadFactory(
                    created_at=local(day, 9, i % 60),
                    assigned_to=person,
                    source=["instagram", "telegram", "landing"][i % 3],
                )
                walk(lead, [("contacted", local(day, 12)), ("interested", local(day, 13))])
                if i % 3 == 0:
                    walk(lead, [("enrolled", local(day, 15))])

        make(D, 2)
        make(D1, 30)
        analytics_rollup_range(first=D, last=D1)  # first runs create the lock rows and KPI rows
        small, large = self._queries_for_day(D), self._queries_for_day(D1)
        assert small == large
        assert large <= 25


class TestRange:
    def test_reversed_range_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            analytics_rollup_range(first=D1, last=D)
        assert exc.value.messages == [rollup.RANGE_REVERSED.format(first=D1, last=D)]
        assert not LeadMetrics.objects.exists()

    def test_range_rolls_up_each_day(self):
        results = analytics_rollup_range(first=D, last=D2)
        assert [r.day for r in results] == [D, D1, D2]
        assert list(LeadMetrics.objects.order_by("date").values_list("date", flat=True)) == [D, D1, D2]
