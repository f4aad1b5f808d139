"""SalesKPI counters from trials and follow-ups, and GroupAnalytics with its
recommendations, from small known histories."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from analytics.models import GroupAnalytics, GroupRecommendation, RecommendationKind, RoomDayUsage, SalesKPI
from analytics.services.rollup import analytics_rollup_day
from leads import services as lead_services
from scheduling import services as scheduling_services
from scheduling.models import Enrollment
from scheduling.patterns import DayPattern
from tests.analytics.helpers import local, walk
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import CourseFactory, GroupFactory, RoomFactory
from trials import services as trial_services

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 11, 20)  # a Friday
D1 = D + timedelta(days=1)
FOUR_PM, HALF_FIVE = datetime.time(16, 0), datetime.time(17, 30)


def kpi(day, person):
    return SalesKPI.objects.get(date=day, salesperson=person)


class TestTrialCounters:
    def test_booked_marked_and_offered_trials_count_on_their_event_day(self, salesperson, manager):
        group = GroupFactory(days=DayPattern.MON_WED_FRI, start_time=FOUR_PM, end_time=HALF_FIVE)
        came = LeadFactory(created_at=local(D, 8), assigned_to=salesperson)
        skipped = LeadFactory(created_at=local(D, 8, 5), assigned_to=salesperson)
        later = LeadFactory(created_at=local(D, 8, 10), assigned_to=salesperson)
        t1 = trial_services.trial_book(lead=came, group=group, date=D, by=manager, at=local(D, 9))
        t2 = trial_services.trial_book(lead=skipped, group=group, date=D, by=manager, at=local(D, 9, 5))
        trial_services.trial_book(lead=later, group=group, date=D + timedelta(days=3), by=manager, at=local(D, 9, 10))
        trial_services.trial_mark_attended(trial=t1, by=manager, at=local(D, 17, 40))
        trial_services.trial_record_result(trial=t1, result="sales_offer", by=manager, at=local(D, 18))
        trial_services.trial_mark_no_show(trial=t2, by=manager, at=local(D1, 9))  # marked the next morning
        analytics_rollup_day(day=D)
        analytics_rollup_day(day=D1)
        on_d = kpi(D, salesperson)
        # Booked by a manager, counted for the leads' salesperson.
        assert (on_d.trials_scheduled, on_d.trials_attended, on_d.trials_no_show, on_d.sales_offers_made) == (
            3,
            1,
            0,
            1,
        )
        on_d1 = kpi(D1, salesperson)
        assert (on_d1.trials_scheduled, on_d1.trials_attended, on_d1.trials_no_show) == (0, 0, 1)

    def test_accepted_trial_is_an_offer_and_an_enrolment(self, salesperson, manager):
        group = GroupFactory(days=DayPattern.MON_WED_FRI, start_time=FOUR_PM, end_time=HALF_FIVE)
        lead = LeadFactory(created_at=local(D, 8), assigned_to=salesperson)
        trial = trial_services.trial_book(lead=lead, group=group, date=D, by=salesperson, at=local(D, 9))
        trial_services.trial_mark_attended(trial=trial, by=salesperson, at=local(D, 17, 40))
        trial_services.trial_record_result(trial=trial, result="accepted", by=salesperson, at=local(D, 18))
        analytics_rollup_day(day=D)
        row = kpi(D, salesperson)
        assert (row.trials_attended, row.sales_offers_made, row.enrollments) == (1, 1, 1)
        assert row.trial_to_conversion_percent == Decimal("100.0")


class TestFollowupCounters:
    def test_deadlines_of_the_day_met_or_missed(self, salesperson):
        on_time = LeadFactory(created_at=local(D, 9), assigned_to=salesperson)  # due 9:15
        late = LeadFactory(created_at=local(D, 10), assigned_to=salesperson)  # due 10:15
        never = LeadFactory(created_at=local(D, 11), assigned_to=salesperson)  # due 11:15
        LeadFactory(created_at=local(D, 23, 50), assigned_to=salesperson)  # due 00:05: the next day's deadline
        walk(on_time, [("contacted", local(D, 9, 10))])
        walk(late, [("contacted", local(D, 14))])
        analytics_rollup_day(day=D)
        row = kpi(D, salesperson)
        assert (row.followups_completed, row.followups_overdue) == (1, 2)
        assert row.followup_completion_percent == Decimal("33.3")
        walk(never, [("contacted", local(D1, 9))])
        analytics_rollup_day(day=D1)
        assert (kpi(D1, salesperson).followups_completed, kpi(D1, salesperson).followups_overdue) == (0, 1)
        analytics_rollup_day(day=D)  # contacting "never" the next day does not change D
        assert (kpi(D, salesperson).followups_completed, kpi(D, salesperson).followups_overdue) == (1, 2)

    def test_a_follow_up_cancelled_before_its_deadline_is_neither_met_nor_missed(self, salesperson, manager):
        taken_early = LeadFactory(created_at=local(D, 9), assigned_to=salesperson)  # due 9:15
        taken_late = LeadFactory(created_at=local(D, 10), assigned_to=salesperson)  # due 10:15
        lead_services.lead_unassign(lead=taken_early, by=manager, at=local(D, 9, 5))
        lead_services.lead_unassign(lead=taken_late, by=manager, at=local(D, 11))
        analytics_rollup_day(day=D)
        assert (kpi(D, salesperson).followups_completed, kpi(D, salesperson).followups_overdue) == (0, 1)

    @time_machine.travel(local(D, 12), tick=False)
    def test_today_counts_only_deadlines_already_passed(self, salesperson):
        LeadFactory(created_at=local(D, 11, 30), assigned_to=salesperson)  # due 11:45, passed
        LeadFactory(created_at=local(D, 11, 50), assigned_to=salesperson)  # due 12:05, not yet
        analytics_rollup_day(day=D)
        assert (kpi(D, salesperson).followups_completed, kpi(D, salesperson).followups_overdue) == (0, 1)


def enrol(group, count, *, since=D - timedelta(days=10)):
    enrollments = []
    for _ in range(count):
        lead = LeadFactory(created_at=local(since, 9))
        enrollments.append(Enrollment.objects.create(group=group, lead=lead, enrolled_at=local(since, 10)))
    return enrollments


class TestGroupAnalytics:
    @pytest.fixture
    def centre(self, manager):
        rooms = {name: RoomFactory(name=name, capacity=16) for name in ("A1", "A2", "A3", "A4", "A5")}
        ielts = CourseFactory(name="IELTS", capacity=12)
        python = CourseFactory(name="Python", capacity=12)
        mwf = {"days": DayPattern.MON_WED_FRI, "start_time": FOUR_PM, "end_time": HALF_FIVE}
        tt = {"days": DayPattern.TUE_THU, "start_time": FOUR_PM, "end_time": HALF_FIVE}
        full = GroupFactory(name="IELTS-1", course=ielts, room=rooms["A1"], capacity=10, **mwf)
        near = GroupFactory(name="IELTS-2", course=ielts, room=rooms["A2"], capacity=10, **mwf)
        korean = CourseFactory(name="Korean", capacity=12)
        empty = GroupFactory(
            name="KOR-1",
            course=korean,
            room=rooms["A4"],
            capacity=12,
            days=DayPattern.SAT,
            start_time=FOUR_PM,
            end_time=HALF_FIVE,
        )
        py_a = GroupFactory(name="PY-A", course=python, room=rooms["A3"], capacity=12, **tt)
        py_b = GroupFactory(name="PY-B", course=python, room=rooms["A5"], capacity=12, **tt)
        enrol(full, 10)
        staying = enrol(near, 8)
        # One student left before D (not counted), one leaves after D (still counted on D).
        gone = enrol(near, 1)[0]
        scheduling_services.enrollment_leave(enrollment=gone, at=local(D - timedelta(days=1), 12))
        scheduling_services.enrollment_leave(enrollment=staying[0], at=local(D1, 12))
        enrol(py_a, 3)
        enrol(py_b, 2)
        # Recent trial → enrolled rate: 2 attended, 1 enrolled after the trial = 50 %.
        for path in (
            ["contacted", "trial_scheduled", "trial_attended", "enrolled"],
            ["contacted", "trial_scheduled", "trial_attended"],
        ):
            lead = LeadFactory(created_at=local(D - timedelta(days=6), 9))
            walk(lead, [(status, local(D - timedelta(days=5), 10 + i)) for i, status in enumerate(path)])
        # Trials into IELTS-2: 1 today, 4 later this week, 1 beyond the 7-day window.
        for date in (
            D,
            D + timedelta(days=3),
            D + timedelta(days=3),
            D + timedelta(days=5),
            D + timedelta(days=5),
            D + timedelta(days=7),
        ):
            trial_services.trial_book(
                lead=LeadFactory(created_at=local(D, 7)), group=near, date=date, by=manager, at=local(D, 8)
            )
        return {
            "rooms": rooms,
            "ielts": ielts,
            "python": python,
            "full": full,
            "near": near,
            "empty": empty,
            "py_a": py_a,
            "py_b": py_b,
        }

    def test_exact_figures(self, centre):
        analytics_rollup_day(day=D)
        row = GroupAnalytics.objects.get(date=D)
        assert (row.full_groups, row.near_full_groups, row.empty_groups) == (1, 2, 1)
        # Friday: IELTS-1 in A1 (10/10) and IELTS-2 in A2 (8 students + 1 trial / 10).
        assert row.rooms_in_use == 2
        usage = {
            u.room.name: (u.lessons, u.seats_offered, u.seats_taken, u.occupancy_percent)
            for u in RoomDayUsage.objects.filter(date=D).select_related("room")
        }
        assert usage == {"A1": (1, 10, 10, Decimal("100.0")), "A2": (1, 10, 9, Decimal("90.0"))}
        assert row.avg_room_occupancy == Decimal("95.0")
        assert row.trial_students == 5
        assert row.trial_conversion_rate == Decimal("50.0")
        assert row.expected_enrollments == Decimal("2.5")
        assert (row.new_groups_recommended, row.groups_to_combine) == (1, 1)

    def test_recommendations_say_which_course_groups_slot_and_room(self, centre):
        analytics_rollup_day(day=D)
        new = GroupRecommendation.objects.get(date=D, kind=RecommendationKind.NEW_GROUP)
        assert new.course == centre["ielts"]
        assert set(new.groups.all()) == {centre["full"], centre["near"]}
        assert (new.suggested_days, new.suggested_start_time, new.suggested_room) == (
            DayPattern.MON_WED_FRI,
            FOUR_PM,
            centre["rooms"]["A3"],
        )
        assert new.reason == (
            "IELTS: 5 trial(s) booked for the next 7 days × 50.0 % recent trial → enrolled = 2.5 expected "
            "enrolment(s), but only 2 free seat(s) in IELTS-1 (10/10), IELTS-2 (8/10). "
            "Suggested slot: Mon/Wed/Fri 16:00–17:30 in A3 (16 seats) is free."
        )
        combine = GroupRecommendation.objects.get(date=D, kind=RecommendationKind.COMBINE)
        assert combine.course == centre["python"]
        assert set(combine.groups.all()) == {centre["py_a"], centre["py_b"]}
        assert combine.suggested_room == centre["rooms"]["A3"]  # PY-A keeps its slot and room
        assert "PY-B (2/12)" in combine.reason and "5 student(s) fit PY-A" in combine.reason

    def test_rollup_twice_rebuilds_recommendations_without_duplicates(self, centre):
        analytics_rollup_day(day=D)
        analytics_rollup_day(day=D)
        assert GroupRecommendation.objects.filter(date=D).count() == 2
        assert GroupAnalytics.objects.filter(date=D).count() == 1

    def test_an_empty_group_of_the_course_absorbs_the_demand(self, centre):
        GroupFactory(
            name="IELTS-3",
            course=centre["ielts"],
            room=centre["rooms"]["A4"],
            capacity=12,
            days=DayPattern.SUN,
            start_time=FOUR_PM,
            end_time=HALF_FIVE,
        )
        analytics_rollup_day(day=D)
        assert not GroupRecommendation.objects.filter(date=D, kind=RecommendationKind.NEW_GROUP).exists()

    def test_recommendation_disappears_when_its_reason_does(self, centre):
        analytics_rollup_day(day=D)
        Enrollment.objects.filter(group=centre["py_b"]).delete()
        enrol(centre["py_b"], 9)
        analytics_rollup_day(day=D)
        assert not GroupRecommendation.objects.filter(date=D, kind=RecommendationKind.COMBINE).exists()
        assert GroupAnalytics.objects.get(date=D).groups_to_combine == 0

    def test_day_before_any_group_is_all_zeros(self, centre):
        day = datetime.date(2026, 8, 1)
        analytics_rollup_day(day=day)
        row = GroupAnalytics.objects.get(date=day)
        assert (row.full_groups, row.rooms_in_use, row.trial_students, row.avg_room_occupancy) == (0, 0, 0, None)
        assert not RoomDayUsage.objects.filter(date=day).exists()
