import datetime

import pytest

from tests.leads.factories import LeadFactory
from tests.trials.factories import book, group_meeting_on
from trials.models import GroupNotLoaded, Trial

pytestmark = pytest.mark.django_db
FRIDAY = datetime.date(2026, 11, 27)
BOOKED_AT = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)


def test_lesson_times_come_from_the_loaded_group_without_a_query(manager, django_assert_num_queries):
    group = group_meeting_on(FRIDAY, start=datetime.time(16, 0), end=datetime.time(17, 30))
    trial = book(lead=LeadFactory(), group=group, date=FRIDAY, by=manager, at=BOOKED_AT)
    loaded = Trial.objects.select_related("group").get(pk=trial.pk)
    with django_assert_num_queries(0):
        assert loaded.duration == datetime.timedelta(minutes=90)
        assert loaded.ends_at.hour == 17 and loaded.ends_at.minute == 30


def test_a_trial_without_its_group_refuses_rather_than_query(manager, django_assert_num_queries):
    group = group_meeting_on(FRIDAY)
    trial = book(lead=LeadFactory(), group=group, date=FRIDAY, by=manager, at=BOOKED_AT)
    plain = Trial.objects.get(pk=trial.pk)
    with django_assert_num_queries(0), pytest.raises(GroupNotLoaded, match="select_related"):
        plain.ends_at  # noqa: B018 - the property access is the test
