"""Scheduling counts the seats that trial lessons hold (trials registers them
through scheduling.seats) in the group list, free places and room occupancy."""

import datetime

import pytest
from django.urls import reverse

from scheduling import selectors, services
from scheduling.models import RoomOccupancy
from scheduling.seats import seat_holders
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import GroupFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db
TUE = datetime.date(2026, 12, 1)
WED, FRI = datetime.date(2026, 12, 2), datetime.date(2026, 12, 4)


def trial(group, day, status="scheduled"):
    return Trial.objects.create(
        lead=LeadFactory(), group=group, scheduled_date=day, scheduled_time=group.start_time, status=status
    )


@pytest.fixture
def group():
    group = GroupFactory(capacity=3, days="mon_wed_fri", start_date=datetime.date(2026, 9, 1))
    services.enrollment_create(group=group, lead=LeadFactory())
    return group


def test_trials_register_as_the_only_seat_holder():
    assert [holder.name for holder in seat_holders()] == ["trial lessons"]


def test_free_places_on_a_date_count_that_days_scheduled_trials(group):
    trial(group, WED)
    trial(group, WED, status="cancelled")
    trial(group, FRI)
    assert selectors.group_places_taken_on(group=group, date=WED) == 2
    assert selectors.group_free_places_on(group=group, date=WED) == 1
    trial(group, WED)
    assert not selectors.group_has_free_place(group=group, date=WED)
    assert selectors.group_has_free_place(group=group, date=datetime.date(2026, 12, 7))


def test_trial_students_counts_upcoming_scheduled_trials_only(group, django_assert_num_queries):
    trial(group, WED)
    trial(group, FRI)
    trial(group, datetime.date(2026, 11, 30))  # before "today"
    trial(group, FRI, status="attended")
    with django_assert_num_queries(1):
        loaded = selectors.groups_with_load(today=TUE).get(pk=group.pk)
        assert loaded.held_seats == 2
        assert loaded.active_students == 1  # trials do not count as students


def test_group_changelist_trial_column(manager_client, group):
    trial(group, datetime.date.today() + datetime.timedelta(days=30))
    html = manager_client.get(reverse("admin:scheduling_group_changelist")).content.decode()
    assert '<td class="field-trial_students_column"><span class="badge badge-blue">1</span></td>' in html


def test_room_occupancy_counts_that_days_trials(group):
    trial(group, WED)
    trial(group, WED)
    services.room_occupancy_refresh(today=TUE, days=4)
    wed = RoomOccupancy.objects.get(group=group, date=WED)
    fri = RoomOccupancy.objects.get(group=group, date=FRI)
    assert (wed.occupancy_count, wed.occupancy_percent, wed.availability_color) == (3, 100, "red")
    assert (fri.occupancy_count, fri.availability_color) == (1, "green")


def test_timetable_cell_counts_that_days_trials(group):
    trial(group, WED)
    week = selectors.timetable_week(week_start=TUE, room=group.room)
    entries = {e.date: e for row in week.rows for cell in row.cells for e in cell if e.starts_here}
    assert entries[WED].taken == 2 and entries[FRI].taken == 1
    assert entries[WED].colour == "orange" and entries[FRI].colour == "green"
