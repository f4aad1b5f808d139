"""Timetable import: the same conflict and validation rules as admin, all or nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from scheduling import importer, services
from scheduling.models import Group
from tests.scheduling.factories import CourseFactory, GroupFactory, RoomFactory

pytestmark = pytest.mark.django_db

HEADER = "course,name,days,start_time,end_time,room,capacity,teacher,start_date,end_date\n"


@pytest.fixture
def setup():
    course = CourseFactory(name="IELTS", capacity=12)
    room = RoomFactory(name="101", capacity=16)
    return course, room


def write(tmp_path, body: str):
    path = tmp_path / "groups.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_import_creates_groups_with_defaults(tmp_path, setup, capsys):
    course, _room = setup
    path = write(
        tmp_path,
        "IELTS,IELTS Evening A,Mon/Wed/Fri,18:00,19:30,101,,,2026-09-01,\n"
        "ielts,IELTS Evening B,tue_thu,18:00,19:30,101,10,,2026-09-01,2027-01-31\n",
    )
    call_command("import_groups", path)
    a, b = Group.objects.order_by("name")
    assert (a.days, a.capacity, a.teacher) == ("mon_wed_fri", 12, course.teacher)
    assert (b.days, b.capacity, str(b.end_date)) == ("tue_thu", 10, "2027-01-31")
    assert "Created 2 group(s), updated 0." in capsys.readouterr().out
    # Importing again updates, it does not duplicate or conflict with itself.
    call_command("import_groups", path)
    assert Group.objects.count() == 2


def test_conflict_with_existing_group_refuses_the_whole_file(tmp_path, setup, capsys):
    _course, room = setup
    GroupFactory(name="Existing", room=room, days="odd", start_time="18:30", end_time="20:00")
    path = write(
        tmp_path,
        "IELTS,Fine,sat,09:00,10:00,101,,,2026-09-01,\nIELTS,Clash,mon_wed_fri,18:00,19:30,101,,,2026-09-01,\n",
    )
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_groups", path)
    err = capsys.readouterr().err
    assert "line 3: Room “101” is taken by “Existing” (Odd days 18:30–20:00)" in err
    assert not Group.objects.filter(name__in=["Fine", "Clash"]).exists()


def test_conflict_between_rows_of_the_same_file(setup):
    rows = [
        {
            "course": "IELTS",
            "name": "A",
            "days": "odd",
            "start_time": "09:00",
            "end_time": "10:00",
            "room": "101",
            "start_date": "2026-09-01",
        },
        {
            "course": "IELTS",
            "name": "B",
            "days": "mon",
            "start_time": "09:30",
            "end_time": "10:30",
            "room": "101",
            "start_date": "2026-09-01",
        },
    ]
    result = importer.groups_import(rows=rows)
    assert [line for line, _ in result.errors] == [3, 3]  # room and teacher
    assert any("taken by “A”" in message for _, message in result.errors)
    assert not Group.objects.exists()


def test_bad_values_are_reported_per_line(setup):
    rows = [
        {
            "course": "Chess",
            "name": "X",
            "days": "weekends",
            "start_time": "9am",
            "end_time": "10:00",
            "room": "999",
            "start_date": "2026-09-01",
            "teacher": "nobody",
        },
        {
            "course": "IELTS",
            "name": "Y",
            "days": "odd",
            "start_time": "10:00",
            "end_time": "09:00",
            "room": "101",
            "start_date": "2026-09-01",
            "capacity": "40",
        },
        {
            "course": "IELTS",
            "name": "",
            "days": "odd",
            "start_time": "10:00",
            "end_time": "11:00",
            "room": "101",
            "start_date": "2026-09-01",
        },
    ]
    result = importer.groups_import(rows=rows)
    messages = dict.fromkeys(m for _, m in result.errors)
    assert importer.UNKNOWN_COURSE.format(value="Chess") in messages
    assert importer.UNKNOWN_ROOM.format(value="999") in messages
    assert importer.UNKNOWN_TEACHER.format(value="nobody") in messages
    assert importer.BAD_TIME.format(value="9am") in messages
    assert str(services.END_NOT_AFTER_START) in messages
    assert services.CAPACITY_ABOVE_ROOM.format(capacity=40, room="101", room_capacity=16) in messages
    assert (4, importer.REQUIRED.format(column="name")) in result.errors
    assert not Group.objects.exists()


def test_unknown_pattern_reported(setup):
    result = importer.groups_import(
        rows=[
            {
                "course": "IELTS",
                "name": "Z",
                "days": "weekends",
                "start_time": "09:00",
                "end_time": "10:00",
                "room": "101",
                "start_date": "2026-09-01",
            }
        ]
    )
    assert result.errors and "Unknown day pattern “weekends”" in result.errors[0][1]


def test_dry_run_writes_nothing(tmp_path, setup, capsys):
    path = write(tmp_path, "IELTS,Dry,sat,09:00,10:00,101,,,2026-09-01,\n")
    call_command("import_groups", path, "--dry-run")
    assert "Would create 1 group(s)" in capsys.readouterr().out
    assert not Group.objects.exists()


def test_json_prints_the_counts(tmp_path, setup, capsys):
    path = write(tmp_path, "IELTS,Json,sat,09:00,10:00,101,,,2026-09-01,\n")
    call_command("import_groups", path, "--dry-run", "--json")
    assert json.loads(capsys.readouterr().out) == {"created": 1, "updated": 0, "dry_run": True}
    call_command("import_groups", path, "--json")
    assert json.loads(capsys.readouterr().out) == {"created": 1, "updated": 0, "dry_run": False}
    assert Group.objects.filter(name="Json").exists()


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes((HEADER + "Английский,Группа А,sat,09:00,10:00,101,,,2026-09-01,\n").encode("cp1251"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("import_groups", str(path))
    assert not Group.objects.exists()


def test_missing_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("course,name\nIELTS,A\n")
    with pytest.raises(CommandError, match="Missing column"):
        call_command("import_groups", str(path))
