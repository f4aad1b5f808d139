"""Reads of the scheduling domain: load annotations, places, timetable data.

Seats are taken by a group's active students and by the seat holders that
apps above scheduling register (trial lessons, see scheduling.seats); every
count of taken seats goes through the helpers here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.badges import load_colour
from scheduling.models import Course, Enrollment, EnrollmentStatus, Group, Room, RoomOccupancy
from scheduling.patterns import Slot, first_clash, meets_on
from scheduling.seats import SeatHolder, seat_holders


def _count_subquery(queryset: QuerySet, group_field: str = "group_id") -> Coalesce:
    counted = queryset.order_by().values(group_field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _held(holder: SeatHolder, *, on: datetime.date | None = None, since: datetime.date | None = None) -> QuerySet:
    rows = holder.rows()
    if on is not None:
        rows = rows.filter(**{holder.date_field: on})
    if since is not None:
        rows = rows.filter(**{f"{holder.date_field}__gte": since})
    return rows


def groups_with_load(queryset: QuerySet | None = None, *, today: datetime.date | None = None) -> QuerySet:
    """Groups annotated with ``active_students_count`` and ``held_seats_count``
    (seats held from today on — booked trial lessons), which Group.free_slots /
    occupancy_percent / is_full / held_seats read."""
    queryset = Group.objects.all() if queryset is None else queryset
    today = today or timezone.localdate()
    active = Enrollment.objects.filter(group_id=OuterRef("pk"), status=EnrollmentStatus.ACTIVE)
    held = [_count_subquery(_held(h, since=today).filter(group_id=OuterRef("pk"))) for h in seat_holders()]
    total = sum(held[1:], held[0]) if held else Value(0, output_field=IntegerField())
    return queryset.annotate(active_students_count=_count_subquery(active), held_seats_count=total)


def group_active_enrollments_count(*, group: Group) -> int:
    return Enrollment.objects.filter(group=group, status=EnrollmentStatus.ACTIVE).count()


def group_places_taken_on(*, group: Group, date: datetime.date) -> int:
    """Seats taken in the lesson of ``date``: active students + seats held that day."""
    taken = group_active_enrollments_count(group=group)
    for holder in seat_holders():
        taken += _held(holder, on=date).filter(group=group).count()
    return taken


def group_free_places_on(*, group: Group, date: datetime.date) -> int:
    """Free seats in the group's lesson on ``date`` (never negative)."""
    return max(group.capacity - group_places_taken_on(group=group, date=date), 0)


def group_has_free_place(*, group: Group, date: datetime.date) -> bool:
    return group_free_places_on(group=group, date=date) > 0


def held_seats_by_group_and_date(
    *, group_ids, start: datetime.date, end: datetime.date
) -> dict[tuple[int, datetime.date], int]:
    """{(group_id, date): seats held that day} for a date window, one query per holder."""
    counts: dict[tuple[int, datetime.date], int] = {}
    for holder in seat_holders():
        rows = (
            holder.rows()
            .filter(group_id__in=list(group_ids), **{f"{holder.date_field}__range": (start, end)})
            .order_by()
            .values("group_id", holder.date_field)
            .annotate(n=Count("pk"))
        )
        for row in rows:
            key = (row["group_id"], row[holder.date_field])
            counts[key] = counts.get(key, 0) + row["n"]
    return counts


def groups_running_between(start: datetime.date, end: datetime.date, queryset: QuerySet | None = None) -> QuerySet:
    """Groups whose date range overlaps [start, end]."""
    queryset = Group.objects.all() if queryset is None else queryset
    return queryset.filter(Q(end_date__isnull=True) | Q(end_date__gte=start), start_date__lte=end)


def groups_clashing_with(
    *,
    days: str,
    start_time: datetime.time,
    end_time: datetime.time,
    start_date: datetime.date,
    end_date: datetime.date | None,
    queryset: QuerySet,
) -> list[tuple[Group, datetime.date]]:
    """Groups in ``queryset`` that meet at an overlapping time on a date both
    patterns share within both date ranges, each with the first such date.

    Times overlap only if one starts strictly before the other ends, so
    back-to-back lessons (10:00 end, 10:00 start) do not clash.
    """
    wanted = Slot(days=days, start_time=start_time, end_time=end_time, start_date=start_date, end_date=end_date)
    # The database narrows by time and date range; first_clash decides.
    candidates = queryset.filter(start_time__lt=end_time, end_time__gt=start_time).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    )
    if end_date is not None:
        candidates = candidates.filter(start_date__lte=end_date)
    clashes = []
    for other in candidates.select_related("room", "teacher", "course").order_by("start_time", "name"):
        shared = first_clash(
            wanted,
            Slot(
                days=other.days,
                start_time=other.start_time,
                end_time=other.end_time,
                start_date=other.start_date,
                end_date=other.end_date,
            ),
        )
        if shared is not None:
            clashes.append((other, shared))
    return clashes


def rooms_free(
    *,
    days: str,
    start_time: datetime.time,
    end_time: datetime.time,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    min_capacity: int | None = None,
) -> list:
    """Active rooms with no group at an overlapping time on a day the pattern
    can share, within [start_date (default today), end_date (None = open)]."""
    start_date = start_date or timezone.localdate()
    busy = {
        group.room_id
        for group, _ in groups_clashing_with(
            days=days,
            start_time=start_time,
            end_time=end_time,
            start_date=start_date,
            end_date=end_date,
            queryset=Group.objects.all(),
        )
    }
    rooms = Room.objects.filter(is_active=True).exclude(pk__in=busy)
    if min_capacity:
        rooms = rooms.filter(capacity__gte=min_capacity)
    return list(rooms.order_by("name"))


# --- timetable ---------------------------------------------------------------

TIMETABLE_SLOT_MINUTES = 30
TIMETABLE_DAY_START = datetime.time(8, 0)
TIMETABLE_DAY_END = datetime.time(21, 0)


@dataclass(frozen=True)
class TimetableEntry:
    group: Group
    date: datetime.date
    starts_here: bool
    taken: int
    percent: int
    colour: str


@dataclass
class TimetableRow:
    start: datetime.time
    end: datetime.time
    cells: list[list[TimetableEntry]] = field(default_factory=list)


@dataclass
class TimetableWeek:
    days: list[datetime.date]
    rows: list[TimetableRow]
    groups: list[Group]

    @property
    def lesson_count(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells for e in cell if e.starts_here)


def week_start_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _minutes(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


def _time_of(minutes: int) -> datetime.time:
    return datetime.time(min(minutes // 60, 23), minutes % 60 if minutes < 24 * 60 else 59)


def timetable_week(*, week_start: datetime.date, room=None, teacher=None) -> TimetableWeek:
    """A Mon–Sun grid of 30-minute rows for one room or one teacher. Each cell
    lists the groups meeting then (one, unless data predates the conflict
    checks); the entry in a group's first row carries its name, the rest
    continue its colour. Colour = seats taken that day (active students +
    trials booked for that date) against capacity. Four queries in all."""
    monday = week_start_of(week_start)
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    queryset = groups_running_between(days[0], days[-1])
    if room is not None:
        queryset = queryset.filter(room=room)
    if teacher is not None:
        queryset = queryset.filter(teacher=teacher)
    groups = list(
        groups_with_load(queryset.select_related("course", "room", "teacher"), today=days[0]).order_by(
            "start_time", "name"
        )
    )
    trials = held_seats_by_group_and_date(group_ids=[g.pk for g in groups], start=days[0], end=days[-1])

    step = TIMETABLE_SLOT_MINUTES
    first = min([_minutes(TIMETABLE_DAY_START)] + [_minutes(g.start_time) // step * step for g in groups])
    last = max([_minutes(TIMETABLE_DAY_END)] + [_minutes(g.end_time) for g in groups])
    rows = [
        TimetableRow(start=_time_of(m), end=_time_of(m + step), cells=[[] for _ in days])
        for m in range(first, last, step)
    ]
    for group in groups:
        g_start, g_end = _minutes(group.start_time), _minutes(group.end_time)
        for col, day in enumerate(days):
            if day < group.start_date or (group.end_date and day > group.end_date):
                continue
            if not meets_on(group.days, day):
                continue
            taken = group.active_students + trials.get((group.pk, day), 0)
            percent = round(100 * taken / group.capacity) if group.capacity else 0
            colour = load_colour(100 if taken >= group.capacity else percent)
            started = False
            for row_index, m in enumerate(range(first, last, step)):
                if m + step <= g_start or m >= g_end:
                    continue
                rows[row_index].cells[col].append(
                    TimetableEntry(
                        group=group, date=day, starts_here=not started, taken=taken, percent=percent, colour=colour
                    )
                )
                started = True
    return TimetableWeek(days=days, rows=rows, groups=groups)


# --- course and room load (admin lists) -------------------------------------------


def courses_with_load(queryset: QuerySet | None = None, *, today: datetime.date | None = None) -> QuerySet:
    """Courses annotated with ``seats_total`` (capacity of groups still running)
    and ``students_total`` (their active students)."""
    queryset = Course.objects.all() if queryset is None else queryset
    today = today or timezone.localdate()
    running = Q(end_date__isnull=True) | Q(end_date__gte=today)
    seats = (
        Group.objects.filter(running, course_id=OuterRef("pk"))
        .order_by()
        .values("course_id")
        .annotate(n=Sum("capacity"))
        .values("n")
    )
    students = (
        Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, group__course_id=OuterRef("pk"))
        .filter(Q(group__end_date__isnull=True) | Q(group__end_date__gte=today))
        .order_by()
        .values("group__course_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        seats_total=Coalesce(Subquery(seats, output_field=IntegerField()), Value(0)),
        students_total=Coalesce(Subquery(students, output_field=IntegerField()), Value(0)),
    )


ROOM_LOAD_DAYS = 7


def rooms_with_load(queryset: QuerySet | None = None, *, today: datetime.date | None = None) -> QuerySet:
    """Rooms annotated with ``week_taken`` / ``week_seats``: seats taken and
    offered in the materialised RoomOccupancy of the next 7 days."""
    queryset = Room.objects.all() if queryset is None else queryset
    today = today or timezone.localdate()
    window = (
        RoomOccupancy.objects.filter(
            room_id=OuterRef("pk"), date__range=(today, today + datetime.timedelta(days=ROOM_LOAD_DAYS - 1))
        )
        .order_by()
        .values("room_id")
    )
    return queryset.annotate(
        week_taken=Coalesce(
            Subquery(window.annotate(n=Sum("occupancy_count")).values("n"), output_field=IntegerField()), Value(0)
        ),
        week_seats=Coalesce(
            Subquery(window.annotate(n=Sum("capacity")).values("n"), output_field=IntegerField()), Value(0)
        ),
        week_lessons=Coalesce(
            Subquery(window.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0)
        ),
    )
