"""Group creation/update: defaults, bad input and room/teacher conflicts."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from scheduling import services
from scheduling.models import Group
from tests.factories import SalespersonFactory, TeacherFactory
from tests.scheduling.factories import CourseFactory, GroupFactory, RoomFactory, ensure_role_groups

pytestmark = pytest.mark.django_db
T = datetime.time
SEPT = datetime.date(2026, 9, 1)


def make(
    *,
    course=None,
    room=None,
    name="New group",
    days="mon_wed_fri",
    start=T(9),
    end=T(10, 30),
    start_date=SEPT,
    end_date=None,
    teacher=None,
    capacity=None,
):
    course = course or CourseFactory()
    return services.group_create(
        course=course,
        name=name,
        days=days,
        start_time=start,
        end_time=end,
        room=room or RoomFactory(),
        start_date=start_date,
        end_date=end_date,
        teacher=teacher,
        capacity=capacity,
    )


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


class TestDefaultsAndBadInput:
    def test_capacity_and_teacher_default_from_the_course(self):
        course = CourseFactory(capacity=9)
        group = make(course=course, room=RoomFactory(capacity=20))
        assert group.capacity == 9
        assert group.teacher == course.teacher

    def test_default_capacity_is_capped_at_the_room(self):
        group = make(course=CourseFactory(capacity=20), room=RoomFactory(capacity=8))
        assert group.capacity == 8

    def test_end_time_must_be_after_start(self):
        for end in (T(9), T(8, 30)):
            with pytest.raises(ValidationError) as exc:
                make(start=T(9), end=end)
            assert errors_of(exc)["end_time"] == [services.END_NOT_AFTER_START]
        assert not Group.objects.exists()

    def test_capacity_above_the_room_is_refused(self):
        room = RoomFactory(name="101", capacity=10)
        with pytest.raises(ValidationError) as exc:
            make(room=room, capacity=11)
        assert errors_of(exc)["capacity"] == [
            services.CAPACITY_ABOVE_ROOM.format(capacity=11, room=room, room_capacity=10)
        ]
        assert not Group.objects.exists()

    def test_unknown_pattern_is_refused(self):
        with pytest.raises(ValidationError) as exc:
            make(days="weekends")
        assert "Unknown day pattern “weekends”" in errors_of(exc)["days"][0]
        assert not Group.objects.exists()

    def test_end_date_before_start_date(self):
        with pytest.raises(ValidationError) as exc:
            make(start_date=SEPT, end_date=SEPT - datetime.timedelta(days=1))
        assert errors_of(exc)["end_date"] == [services.END_DATE_BEFORE_START]

    def test_teacher_must_be_in_the_teachers_group(self):
        seller = SalespersonFactory()
        with pytest.raises(ValidationError) as exc:
            make(teacher=seller)
        assert errors_of(exc)["teacher"] == [services.NOT_A_TEACHER.format(user=seller)]

    def test_update_validates_too(self):
        group = make()
        with pytest.raises(ValidationError):
            services.group_update(group=group, end_time=T(8))
        group.refresh_from_db()
        assert group.end_time == T(10, 30)


class TestConflicts:
    @pytest.fixture
    def room(self):
        return RoomFactory(name="101", capacity=20)

    @pytest.fixture
    def existing(self, room):
        return make(room=room, name="IELTS Evening A", days="mon_wed_fri", start=T(18), end=T(19, 30))

    def test_room_taken_at_overlapping_time_on_shared_day_names_group_day_and_time(self, room, existing):
        with pytest.raises(ValidationError) as exc:
            make(room=room, name="Python A", days="odd", start=T(19), end=T(20))
        [message] = errors_of(exc)["room"]
        # 1 Sep 2026 is a Tuesday: Wed 2 and Fri 4 are even, Mon 7 is the first odd Mon/Wed/Fri.
        assert message == services.ROOM_TAKEN.format(
            room="101", group="IELTS Evening A", schedule="Mon/Wed/Fri 18:00–19:30", day="Mon 7 Sep 2026"
        )
        assert "teacher" not in errors_of(exc)
        assert Group.objects.count() == 1

    def test_patterns_that_never_share_a_day_do_not_conflict(self, room, existing):
        make(room=room, name="Evening TT", days="tue_thu", start=T(18), end=T(19, 30))
        make(room=room, name="Sat", days="sat", start=T(18), end=T(19, 30))
        assert Group.objects.count() == 3

    def test_odd_and_even_never_conflict(self, room):
        odd = make(room=room, name="Odd", days="odd", start=T(9), end=T(10))
        even = make(room=room, name="Even", days="even", start=T(9), end=T(10))
        assert set(Group.objects.filter(room=room)) == {odd, even}
        assert services.group_conflicts(group=even) == []
        with pytest.raises(ValidationError) as exc:
            make(room=room, name="Odd again", days="odd", start=T(9, 59), end=T(11))
        assert "“Odd”" in errors_of(exc)["room"][0]

    def test_back_to_back_lessons_are_not_a_conflict(self, room, existing):
        make(room=room, name="Before", days="mon_wed_fri", start=T(16, 30), end=T(18))
        make(room=room, name="After", days="mon_wed_fri", start=T(19, 30), end=T(21))
        assert Group.objects.count() == 3

    def test_one_minute_overlap_is_a_conflict(self, room, existing):
        with pytest.raises(ValidationError) as exc:
            make(room=room, name="Overlap", days="mon", start=T(19, 29), end=T(21))
        assert "IELTS Evening A" in errors_of(exc)["room"][0]
        assert not Group.objects.filter(name="Overlap").exists()

    def test_containing_interval_is_a_conflict(self, room, existing):
        with pytest.raises(ValidationError) as exc:
            make(room=room, name="Long", days="wed", start=T(17), end=T(21))
        assert "IELTS Evening A" in errors_of(exc)["room"][0]
        assert not Group.objects.filter(name="Long").exists()

    def test_date_ranges_that_do_not_overlap_do_not_conflict(self, room):
        make(
            room=room,
            name="Autumn",
            days="mon_wed_fri",
            start=T(18),
            end=T(19, 30),
            start_date=SEPT,
            end_date=datetime.date(2026, 12, 31),
        )
        make(
            room=room,
            name="Spring",
            days="mon_wed_fri",
            start=T(18),
            end=T(19, 30),
            start_date=datetime.date(2027, 1, 1),
        )
        with pytest.raises(ValidationError) as exc:
            make(
                room=room,
                name="Earlier open",
                days="mon",
                start=T(18),
                end=T(19),
                start_date=datetime.date(2026, 6, 1),
                end_date=datetime.date(2026, 9, 7),
            )
        assert "Mon 7 Sep 2026" in errors_of(exc)["room"][0]

    def test_short_overlapping_range_without_a_shared_date_is_not_a_conflict(self, room, existing):
        # Mon/Wed/Fri group vs an odd-day group that runs only Tue 1 – Thu 3 Sep: no shared date.
        short = make(
            room=room,
            name="Two days",
            days="odd",
            start=T(18),
            end=T(19),
            start_date=SEPT,
            end_date=datetime.date(2026, 9, 3),
        )
        assert Group.objects.get(name="Two days") == short
        assert services.group_conflicts(group=short) == []
        # Running until Mon 7 Sep (odd, and a Monday) it would share that date.
        short.end_date = datetime.date(2026, 9, 7)
        assert [(c.kind, c.day) for c in services.group_conflicts(group=short)] == [("room", datetime.date(2026, 9, 7))]

    def test_teacher_busy_elsewhere(self, existing):
        other_room = RoomFactory(name="202")
        with pytest.raises(ValidationError) as exc:
            make(room=other_room, name="Clash", course=existing.course, days="even", start=T(18, 30), end=T(20))
        [message] = errors_of(exc)["teacher"]
        teacher = existing.teacher
        assert message == services.TEACHER_BUSY.format(
            teacher=teacher.get_full_name(),
            group="IELTS Evening A",
            schedule="Mon/Wed/Fri 18:00–19:30",
            day="Wed 2 Sep 2026",
        )

    def test_other_teacher_in_other_room_is_fine(self, existing):
        teacher = TeacherFactory()
        group = make(room=RoomFactory(), teacher=teacher, days="mon_wed_fri", start=T(18), end=T(19, 30))
        assert Group.objects.get(pk=group.pk).teacher == teacher
        assert services.group_conflicts(group=group) == []

    def test_updating_a_group_does_not_conflict_with_itself(self, existing):
        services.group_update(group=existing, end_time=T(20))
        existing.refresh_from_db()
        assert existing.end_time == T(20)

    def test_moving_a_group_onto_a_taken_room_is_refused(self, room, existing):
        other = make(name="Elsewhere", days="mon_wed_fri", start=T(18), end=T(19, 30), teacher=TeacherFactory())
        with pytest.raises(ValidationError) as exc:
            services.group_update(group=other, room=room)
        assert "IELTS Evening A" in errors_of(exc)["room"][0]
        other.refresh_from_db()
        assert other.room != room

    def test_group_conflicts_lists_room_and_teacher(self, room, existing):
        candidate = Group(
            course=existing.course,
            name="X",
            days="fri",
            start_time=T(18),
            end_time=T(19),
            room=room,
            capacity=5,
            teacher=existing.teacher,
            start_date=SEPT,
        )
        kinds = sorted(c.kind for c in services.group_conflicts(group=candidate))
        assert kinds == ["room", "teacher"]
        assert all(
            c.group == existing and c.day == datetime.date(2026, 9, 4)
            for c in services.group_conflicts(group=candidate)
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_into_the_same_slot_make_one_group():
    import threading

    from django.db import connection

    ensure_role_groups()
    course = CourseFactory()
    room = RoomFactory()
    teachers = [TeacherFactory(), TeacherFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def worker(index):
        try:
            barrier.wait()
            make(course=course, room=room, name=f"Race {index}", teacher=teachers[index])
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Group.objects.filter(room=room).count() == 1


def test_factory_group_is_valid_and_its_slot_is_then_taken():
    """Other tests rely on GroupFactory making valid groups; validation is real:
    the same slot in the same room is then refused."""
    group = GroupFactory()
    assert services.group_validate(group=group) is None
    twin = Group(
        course=group.course,
        name="Twin",
        days=group.days,
        start_time=group.start_time,
        end_time=group.end_time,
        room=group.room,
        capacity=group.capacity,
        teacher=TeacherFactory(),
        start_date=group.start_date,
    )
    with pytest.raises(ValidationError) as exc:
        services.group_validate(group=twin)
    assert list(exc.value.message_dict) == ["room"]


class TestConflictsMatchBruteForce:
    """group_conflicts through the database agrees with a brute-force check
    over every date, for many random pairs (one transaction per example)."""

    def test_random_pairs(self):
        import random

        from scheduling.patterns import DayPattern, Slot
        from tests.scheduling.test_patterns import oracle_first_clash

        rng = random.Random(7)
        room = RoomFactory(capacity=30)
        course = CourseFactory()
        other_teacher = TeacherFactory()
        checked = clashes = 0
        for i in range(100):

            def slot():
                start = T(rng.randint(9, 11), rng.choice([0, 30]))
                end_minutes = start.hour * 60 + start.minute + rng.choice([60, 90, 120])
                start_date = datetime.date(2026, 9, 1) + datetime.timedelta(days=rng.randint(0, 90))
                span = rng.choice([None, rng.randint(0, 60)])
                return Slot(
                    rng.choice(DayPattern.values),
                    start,
                    T(end_minutes // 60, end_minutes % 60),
                    start_date,
                    None if span is None else start_date + datetime.timedelta(days=span),
                )

            a, b = slot(), slot()
            existing = GroupFactory(
                course=course,
                room=room,
                teacher=course.teacher,
                name=f"A{i}",
                days=a.days,
                start_time=a.start_time,
                end_time=a.end_time,
                start_date=a.start_date,
                end_date=a.end_date,
            )
            candidate = Group(
                course=course,
                room=room,
                teacher=other_teacher,
                name=f"B{i}",
                capacity=5,
                days=b.days,
                start_time=b.start_time,
                end_time=b.end_time,
                start_date=b.start_date,
                end_date=b.end_date,
            )
            found = services.group_conflicts(group=candidate)
            expected = oracle_first_clash(a, b)
            assert [(c.kind, c.day) for c in found] == ([("room", expected)] if expected else [])
            clashes += bool(expected)
            checked += 1
            existing.delete()
        assert checked == 100 and 20 < clashes < 80, clashes  # both outcomes well exercised
