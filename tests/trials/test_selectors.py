import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling.patterns import DayPattern
from scheduling.services import enrollment_create
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import CourseFactory
from tests.trials.factories import book, group_meeting_on
from trials.selectors import trial_session_options, trials_visible_to

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Tashkent")
NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=TZ)  # Thursday
THURSDAY = NOW.date()
FRIDAY = THURSDAY + datetime.timedelta(days=1)


def test_offers_the_next_lessons_with_free_places_course_of_interest_first():
    python = group_meeting_on(FRIDAY, name="Python Fri", course=CourseFactory(name="Python"), capacity=1)
    ielts = group_meeting_on(FRIDAY, name="IELTS Fri", course=CourseFactory(name="IELTS"), capacity=3)
    enrollment_create(group=python, lead=LeadFactory())  # full every week
    book(lead=LeadFactory(), group=ielts, date=FRIDAY, by=SalespersonFactory(), at=NOW)
    options = trial_session_options(course_hint="ielts", start=THURSDAY, days=14, now=NOW)
    assert [(o.group.name, o.date, o.free) for o in options] == [
        ("IELTS Fri", FRIDAY, 2),
        ("IELTS Fri", FRIDAY + datetime.timedelta(days=7), 3),
    ]


def test_lessons_already_over_today_are_not_offered():
    morning = group_meeting_on(THURSDAY, name="Morning", start=datetime.time(9), end=datetime.time(10))
    evening = group_meeting_on(THURSDAY, name="Evening", start=datetime.time(18), end=datetime.time(19))
    options = trial_session_options(start=THURSDAY, days=1, now=NOW)
    assert [o.group for o in options] == [evening]
    assert morning not in [o.group for o in options]


def test_finished_groups_and_inactive_courses_are_not_offered():
    group_meeting_on(FRIDAY, name="Ended", end_date=THURSDAY)
    group_meeting_on(FRIDAY, name="Inactive", course=CourseFactory(is_active=False))
    odd = group_meeting_on(FRIDAY, name="Odd days", days=DayPattern.ODD)
    options = trial_session_options(start=THURSDAY, days=4, now=NOW)
    assert {o.group.name for o in options} == {"Odd days"}
    assert [o.date.day for o in options] == [27, 29]  # odd dates only
    assert odd.pk


def test_three_queries_whatever_the_number_of_groups():
    for i in range(2):
        group_meeting_on(FRIDAY, name=f"A{i}")
    with CaptureQueriesContext(connection) as few:
        trial_session_options(start=THURSDAY, now=NOW)
    for i in range(10):
        group_meeting_on(FRIDAY, name=f"B{i}")
    with CaptureQueriesContext(connection) as many:
        assert len(trial_session_options(start=THURSDAY, now=NOW)) == 12 * 2
    assert len(many.captured_queries) == len(few.captured_queries) <= 3


def test_trials_visible_to_salesperson_only_own(salesperson, other_salesperson, manager):
    group = group_meeting_on(FRIDAY, capacity=5)
    mine = book(lead=LeadFactory(assigned_to=salesperson), group=group, date=FRIDAY, by=salesperson, at=NOW)
    theirs = book(lead=LeadFactory(assigned_to=other_salesperson), group=group, date=FRIDAY, by=salesperson, at=NOW)
    assert list(trials_visible_to(salesperson)) == [mine]
    assert set(trials_visible_to(manager)) == {mine, theirs}
