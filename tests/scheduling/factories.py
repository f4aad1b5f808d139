import datetime
from decimal import Decimal

import factory

from scheduling.models import Course, Group, Room
from scheduling.patterns import DayPattern
from tests.factories import TeacherFactory


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    name = factory.Sequence(lambda n: f"Course {n}")
    teacher = factory.SubFactory(TeacherFactory)
    price = Decimal("650000.00")
    duration = 6
    frequency = 3
    capacity = 12


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"{100 + n}")
    capacity = 16
    location = "Main branch, 1st floor"


class GroupFactory(factory.django.DjangoModelFactory):
    """Saved directly (no conflict check); use services.group_create in tests
    about conflicts."""

    class Meta:
        model = Group

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    days = DayPattern.MON_WED_FRI
    start_time = datetime.time(9, 0)
    end_time = datetime.time(10, 30)
    room = factory.SubFactory(RoomFactory)
    capacity = 12
    teacher = factory.LazyAttribute(lambda g: g.course.teacher)
    start_date = datetime.date(2026, 9, 1)
    end_date = None


def ensure_role_groups() -> None:
    """transaction=True tests flush the tables, including the role groups that
    data migrations create (tests/conftest.py restores them before each test too)."""
    from accounts.permissions import restore_role_grants

    restore_role_grants()
