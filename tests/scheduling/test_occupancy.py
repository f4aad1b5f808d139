"""Room occupancy materialisation, its command/task/beat entry, and the timetable grid."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from crm_project.celery import BEAT_SCHEDULE
from scheduling import selectors, services, tasks
from scheduling.models import RoomOccupancy
from tests.leads.factories import LeadFactory
from tests.scheduling.factories import GroupFactory, RoomFactory

pytestmark = pytest.mark.django_db
T = datetime.time
TUE = datetime.date(2026, 12, 1)  # a Tuesday


@pytest.fixture
def groups():
    room = RoomFactory(name="101", capacity=20)
    mwf = GroupFactory(
        name="MWF",
        room=room,
        days="mon_wed_fri",
        start_time=T(9),
        end_time=T(10, 30),
        capacity=10,
        start_date=datetime.date(2026, 9, 1),
    )
    odd = GroupFactory(
        name="Odd",
        room=room,
        days="odd",
        start_time=T(14),
        end_time=T(15),
        capacity=4,
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2026, 12, 9),
    )
    for _ in range(3):
        services.enrollment_create(group=odd, lead=LeadFactory())
    services.enrollment_create(group=mwf, lead=LeadFactory())
    return mwf, odd


def test_refresh_writes_one_row_per_lesson_in_the_window(groups):
    mwf, odd = groups
    result = services.room_occupancy_refresh(today=TUE, days=14)
    assert (result.start, result.end) == (TUE, datetime.date(2026, 12, 14))
    mwf_dates = sorted(RoomOccupancy.objects.filter(group=mwf).values_list("date", flat=True))
    assert mwf_dates == [datetime.date(2026, 12, d) for d in (2, 4, 7, 9, 11, 14)]
    odd_dates = sorted(RoomOccupancy.objects.filter(group=odd).values_list("date", flat=True))
    assert odd_dates == [datetime.date(2026, 12, d) for d in (1, 3, 5, 7, 9)]  # ends on the 9th
    row = RoomOccupancy.objects.get(group=odd, date=datetime.date(2026, 12, 3))
    assert (row.occupancy_count, row.capacity, row.occupancy_percent, row.availability_color) == (3, 4, 75, "orange")
    assert (row.time_start, row.time_end) == (T(14), T(15))
    assert RoomOccupancy.objects.get(group=mwf, date=datetime.date(2026, 12, 2)).availability_color == "green"
    assert result.upserted == 11 and result.deleted == 0


def test_refresh_is_idempotent_and_updates_counts(groups):
    _mwf, odd = groups
    services.room_occupancy_refresh(today=TUE, days=14)
    first = list(
        RoomOccupancy.objects.order_by("pk").values_list("pk", "room", "date", "time_start", "occupancy_count")
    )
    services.room_occupancy_refresh(today=TUE, days=14)
    assert (
        list(RoomOccupancy.objects.order_by("pk").values_list("pk", "room", "date", "time_start", "occupancy_count"))
        == first
    )
    services.enrollment_create(group=odd, lead=LeadFactory())
    services.room_occupancy_refresh(today=TUE, days=14)
    row = RoomOccupancy.objects.get(group=odd, date=datetime.date(2026, 12, 3))
    assert (row.occupancy_count, row.availability_color) == (4, "red")
    assert RoomOccupancy.objects.count() == len(first)


def test_refresh_removes_lessons_that_no_longer_happen(groups):
    mwf, _odd = groups
    services.room_occupancy_refresh(today=TUE, days=14)
    services.group_update(group=mwf, days="tue_thu")
    result = services.room_occupancy_refresh(today=TUE, days=14)
    dates = sorted(RoomOccupancy.objects.filter(group=mwf).values_list("date", flat=True))
    assert dates == [datetime.date(2026, 12, d) for d in (1, 3, 8, 10)]
    assert result.deleted == 6


def test_refresh_keeps_history_outside_the_window(groups):
    services.room_occupancy_refresh(today=datetime.date(2026, 11, 1), days=7)
    past = RoomOccupancy.objects.filter(date__lt=TUE).count()
    assert past > 0
    services.room_occupancy_refresh(today=TUE, days=7)
    assert RoomOccupancy.objects.filter(date__lt=TUE).count() == past


def test_command_and_task(groups, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC))
    out = StringIO()
    call_command("refresh_room_occupancy", "--days", "7", stdout=out)
    assert "2026-12-01…2026-12-07: 7 lesson(s) written, 0 stale row(s) removed" in out.getvalue()
    assert tasks.refresh_room_occupancy.delay(days=7).get() == {
        "start": "2026-12-01",
        "end": "2026-12-07",
        "upserted": 7,
        "deleted": 0,
    }
    with pytest.raises(CommandError):
        call_command("refresh_room_occupancy", "--days", "0")
    out = StringIO()
    call_command("refresh_room_occupancy", "--days", "7", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"start": "2026-12-01", "end": "2026-12-07", "upserted": 7, "deleted": 0}


def test_nightly_beat_entry_points_at_the_task():
    entry = BEAT_SCHEDULE["scheduling-refresh-room-occupancy"]
    assert entry["task"] == tasks.refresh_room_occupancy.name
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}


class TestTimetableWeek:
    def test_grid_places_groups_on_their_days_and_rows(self, groups):
        mwf, _odd = groups
        week = selectors.timetable_week(week_start=datetime.date(2026, 12, 2), room=mwf.room)
        assert week.days[0] == datetime.date(2026, 11, 30) and len(week.days) == 7
        by_start = {row.start: row for row in week.rows}
        nine = by_start[T(9)]
        # Mon 30 Nov, Wed 2, Fri 4 Dec have MWF; Tue/Thu/Sat/Sun do not.
        assert [bool(cell) for cell in nine.cells] == [True, False, True, False, True, False, False]
        assert nine.cells[0][0].starts_here and nine.cells[0][0].group == mwf
        assert not by_start[T(10)].cells[0][0].starts_here  # 10:00–10:30 continues the lesson
        assert by_start[T(10, 30)].cells[0] == []  # ended
        two = by_start[T(14)]
        # Odd days that week: Tue 1, Thu 3, Sat 5 Dec (Mon 30 Nov is even).
        assert [bool(cell) for cell in two.cells] == [False, True, False, True, False, True, False]
        entry = two.cells[1][0]
        assert (entry.taken, entry.percent, entry.colour) == (3, 75, "orange")
        assert week.lesson_count == 6

    def test_grid_respects_date_ranges(self, groups):
        mwf, odd = groups
        week = selectors.timetable_week(week_start=datetime.date(2026, 12, 14), room=mwf.room)
        assert odd not in week.groups  # ended on the 9th

    def test_teacher_grid(self, groups):
        mwf, _odd = groups
        week = selectors.timetable_week(week_start=TUE, teacher=mwf.teacher)
        assert week.groups == [mwf]

    def test_full_group_is_red(self, groups):
        _mwf, odd = groups
        services.enrollment_create(group=odd, lead=LeadFactory())
        week = selectors.timetable_week(week_start=TUE, room=odd.room)
        entry = next(e for row in week.rows for cell in row.cells for e in cell if e.group == odd)
        assert entry.colour == "red" and entry.percent == 100


def test_free_room_finder(groups):
    _mwf, _odd = groups
    RoomFactory(name="S", capacity=6)
    big = RoomFactory(name="B", capacity=30)
    RoomFactory(name="Closed", capacity=30, is_active=False)
    GroupFactory(room=big, days="tue_thu", start_time=T(9), end_time=T(10), start_date=TUE)
    # Mon/Wed/Fri 9:30–11: room 101 is taken (MWF 9–10:30); "B" has only Tue/Thu.
    free = selectors.rooms_free(days="mon_wed_fri", start_time=T(9, 30), end_time=T(11), start_date=TUE)
    assert [r.name for r in free] == ["B", "S"]
    # Back to back with MWF in 101 is fine.
    free = selectors.rooms_free(days="mon", start_time=T(10, 30), end_time=T(12), start_date=TUE)
    assert "101" in [r.name for r in free]
    # Odd days 9:00–10:00 clash with both 101 (MWF) and B (Tue/Thu).
    free = selectors.rooms_free(days="odd", start_time=T(9), end_time=T(10), start_date=TUE, min_capacity=5)
    assert [r.name for r in free] == ["S"]
    assert selectors.rooms_free(days="odd", start_time=T(9), end_time=T(10), start_date=TUE, min_capacity=7) == []
