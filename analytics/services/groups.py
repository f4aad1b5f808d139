"""Group analytics of one local day: how full groups and rooms are, trials booked
for the coming week, the enrolments they should bring, and planning suggestions
(open a new group / combine two). Definitions: analytics/METRICS.md.

Groups and rooms are few (hundreds), so they are loaded once per day and the
per-group arithmetic runs in Python; every count over students, trials and
history is one aggregate query.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext

from analytics.models import GroupAnalytics, GroupRecommendation, RecommendationKind, RoomDayUsage
from analytics.services.days import day_bounds
from leads.models import LeadStatus, LeadStatusChange
from scheduling.models import Enrollment, Group
from scheduling.patterns import DayPattern, meets_on
from trials.models import Trial, TrialStatus

NEAR_FULL_PERCENT = 80
COMBINE_BELOW_PERCENT = 50
TRIAL_WINDOW_DAYS = 7
RATE_WINDOW_DAYS = 30
# Patterns to try when the course's usual slot has no free room.
ALTERNATIVE_PATTERNS = {
    DayPattern.MON_WED_FRI: [DayPattern.TUE_THU, DayPattern.ODD, DayPattern.EVEN],
    DayPattern.TUE_THU: [DayPattern.MON_WED_FRI, DayPattern.EVEN, DayPattern.ODD],
    DayPattern.ODD: [DayPattern.EVEN, DayPattern.TUE_THU],
    DayPattern.EVEN: [DayPattern.ODD, DayPattern.MON_WED_FRI],
}
# Trials that hold a seat (all but cancelled); listed so the (status, date) index is used.
LIVE_TRIAL_STATUSES = [TrialStatus.SCHEDULED, TrialStatus.ATTENDED, TrialStatus.NO_SHOW]
GROUP_FIELDS = [
    "full_groups",
    "near_full_groups",
    "empty_groups",
    "rooms_in_use",
    "avg_room_occupancy",
    "trial_students",
    "trial_conversion_rate",
    "expected_enrollments",
    "new_groups_recommended",
    "groups_to_combine",
]


@dataclass(frozen=True)
class CourseRow:
    pk: int
    name: str
    is_active: bool
    capacity: int

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class RoomRow:
    pk: int
    name: str
    capacity: int

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class GroupRow:
    """What the rollup needs of a group, read with one values_list (hundreds of
    groups a day: no model instances)."""

    pk: int
    name: str
    course: CourseRow
    room: RoomRow
    days: str
    start_time: datetime.time
    end_time: datetime.time
    capacity: int

    @property
    def course_id(self) -> int:
        return self.course.pk

    @property
    def room_id(self) -> int:
        return self.room.pk


GROUP_COLUMNS = [
    "id",
    "name",
    "course_id",
    "course__name",
    "course__is_active",
    "course__capacity",
    "room_id",
    "room__name",
    "room__capacity",
    "days",
    "start_time",
    "end_time",
    "capacity",
]


def running_groups(day: datetime.date) -> list[GroupRow]:
    rows = (
        Group.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)
        .order_by("id")
        .values_list(*GROUP_COLUMNS)
    )
    courses: dict[int, CourseRow] = {}
    rooms: dict[int, RoomRow] = {}
    result = []
    for (
        pk,
        name,
        course_id,
        course_name,
        active,
        course_capacity,
        room_id,
        room_name,
        room_capacity,
        days,
        start_time,
        end_time,
        capacity,
    ) in rows:
        course = courses.setdefault(course_id, CourseRow(course_id, course_name, active, course_capacity))
        room = rooms.setdefault(room_id, RoomRow(room_id, room_name, room_capacity))
        result.append(GroupRow(pk, name, course, room, days, start_time, end_time, capacity))
    return result


def _delete_recommendations(day: datetime.date) -> None:
    """Drop the day's recommendations and their group links in two statements
    (the ORM's delete would load every row first)."""
    table = connection.ops.quote_name(GroupRecommendation._meta.db_table)
    links = connection.ops.quote_name(GroupRecommendation.groups.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {links} WHERE grouprecommendation_id IN (SELECT id FROM {table} WHERE date = %s)", [day]
        )
        cursor.execute(f"DELETE FROM {table} WHERE date = %s", [day])


@dataclass
class GroupLoad:
    group: GroupRow
    students: int
    trials_today: int

    @property
    def percent(self) -> float:
        return 100 * self.students / self.group.capacity

    @property
    def free(self) -> int:
        return max(self.group.capacity - self.students, 0)

    def label(self) -> str:
        return f"{self.group.name} ({self.students}/{self.group.capacity})"


def _slot(group) -> str:
    return f"{DayPattern(group.days).label} {group.start_time:%H:%M}–{group.end_time:%H:%M}"


def recent_trial_conversion(*, day: datetime.date) -> Decimal | None:
    """Enrolments straight after a trial / trials attended, over the 30 days up to ``day``."""
    start, _ = day_bounds(day - datetime.timedelta(days=RATE_WINDOW_DAYS - 1))
    _, end = day_bounds(day)
    counts = LeadStatusChange.objects.filter(
        changed_at__gte=start, changed_at__lt=end, to_status__in=[LeadStatus.TRIAL_ATTENDED, LeadStatus.ENROLLED]
    ).aggregate(
        attended=Count("lead_id", distinct=True, filter=Q(to_status=LeadStatus.TRIAL_ATTENDED)),
        enrolled=Count(
            "lead_id", distinct=True, filter=Q(to_status=LeadStatus.ENROLLED, from_status=LeadStatus.TRIAL_ATTENDED)
        ),
    )
    if not counts["attended"]:
        return None
    return (Decimal(counts["enrolled"]) * 100 / counts["attended"]).quantize(Decimal("0.1"))


def analytics_rollup_groups(*, day: datetime.date, start, end) -> dict:
    groups = running_groups(day)
    ids = [g.pk for g in groups]
    # Students of each group at the end of the day, from enrolment history.
    students = dict(
        Enrollment.objects.filter(group_id__in=ids, enrolled_at__lt=end)
        .filter(Q(left_at__isnull=True) | Q(left_at__gte=end))
        .values("group_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("group_id", "n")
    )
    live = Trial.objects.filter(status__in=LIVE_TRIAL_STATUSES)
    trials_today = dict(
        live.filter(group_id__in=ids, scheduled_date=day)
        .values("group_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("group_id", "n")
    )
    ahead = (
        live.filter(
            scheduled_date__range=(day, day + datetime.timedelta(days=TRIAL_WINDOW_DAYS - 1)), booked_at__lt=end
        )
        .values("group__course_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    trials_ahead_by_course = {row["group__course_id"]: row["n"] for row in ahead}
    trial_students = sum(trials_ahead_by_course.values())
    rate = recent_trial_conversion(day=day)
    loads = [GroupLoad(g, students.get(g.pk, 0), trials_today.get(g.pk, 0)) for g in groups]

    # Rooms: the day's lessons (groups whose pattern meets that day).
    usage: dict[int, dict] = defaultdict(lambda: {"lessons": 0, "seats_offered": 0, "seats_taken": 0})
    for load in loads:
        if meets_on(load.group.days, day):
            room = usage[load.group.room_id]
            room["lessons"] += 1
            room["seats_offered"] += load.group.capacity
            room["seats_taken"] += load.students + load.trials_today
    room_rows = [
        RoomDayUsage(
            date=day,
            room_id=room_id,
            **figures,
            occupancy_percent=(Decimal(figures["seats_taken"]) * 100 / figures["seats_offered"]).quantize(
                Decimal("0.1")
            ),
        )
        for room_id, figures in sorted(usage.items())
    ]
    RoomDayUsage.objects.filter(date=day).exclude(room_id__in=list(usage)).delete()
    if room_rows:
        RoomDayUsage.objects.bulk_create(
            room_rows,
            update_conflicts=True,
            unique_fields=["date", "room"],
            update_fields=["lessons", "seats_offered", "seats_taken", "occupancy_percent", "computed_at"],
        )
    avg = None
    if room_rows:
        avg = (sum(r.occupancy_percent for r in room_rows) / len(room_rows)).quantize(Decimal("0.1"))

    expected = Decimal(trial_students) * (rate or 0) / 100
    recommendations = _recommend(day=day, loads=loads, trials_ahead=trials_ahead_by_course, rate=rate)
    _delete_recommendations(day)
    GroupRecommendation.objects.bulk_create([rec for rec, _ in recommendations])
    Through = GroupRecommendation.groups.through
    Through.objects.bulk_create(
        [
            Through(grouprecommendation_id=rec.pk, group_id=group_id)
            for rec, group_ids in recommendations
            for group_id in group_ids
        ]
    )
    row = GroupAnalytics(
        date=day,
        full_groups=sum(1 for load in loads if load.students >= load.group.capacity),
        near_full_groups=sum(1 for load in loads if load.percent >= NEAR_FULL_PERCENT),
        empty_groups=sum(1 for load in loads if load.students == 0),
        rooms_in_use=len(room_rows),
        avg_room_occupancy=avg,
        trial_students=trial_students,
        trial_conversion_rate=rate,
        expected_enrollments=expected.quantize(Decimal("0.1")),
        new_groups_recommended=sum(1 for rec, _ in recommendations if rec.kind == RecommendationKind.NEW_GROUP),
        groups_to_combine=sum(1 for rec, _ in recommendations if rec.kind == RecommendationKind.COMBINE),
    )
    GroupAnalytics.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["date"], update_fields=[*GROUP_FIELDS, "computed_at"]
    )
    return {"group_analytics": row}


def _recommend(*, day, loads, trials_ahead, rate) -> list[tuple[GroupRecommendation, list[int]]]:
    by_course: dict[int, list[GroupLoad]] = defaultdict(list)
    for load in loads:
        by_course[load.group.course_id].append(load)
    result = []
    for course_id, course_loads in sorted(by_course.items()):
        course = course_loads[0].group.course
        result.extend(_recommend_new_group(day, course, course_loads, trials_ahead.get(course_id, 0), rate))
        result.extend(_recommend_combine(day, course, course_loads))
    return result


def _recommend_new_group(day, course, loads, trials, rate):
    """A new group when the coming week's expected enrolments will not fit the free seats."""
    if not course.is_active or not trials or not rate:
        return []
    expected = Decimal(trials) * rate / 100
    free = sum(load.free for load in loads)
    if expected <= free:
        return []
    usual = Counter((load.group.days, load.group.start_time, load.group.end_time) for load in loads).most_common(1)
    days, start_time, end_time = usual[0][0]
    room = None
    suggested_days = days
    for candidate in [days, *ALTERNATIVE_PATTERNS.get(days, [])]:
        from scheduling.selectors import rooms_free

        rooms = rooms_free(
            days=candidate,
            start_time=start_time,
            end_time=end_time,
            start_date=day + datetime.timedelta(days=1),
            min_capacity=course.capacity,
        )
        if rooms:
            room, suggested_days = rooms[0], candidate
            break
    # Stored with the recommendation, so written in the language active at rollup time
    # (the centre's default for the nightly job).
    times = f"{start_time:%H:%M}–{end_time:%H:%M}"
    where = (
        gettext("%(days)s %(times)s in %(room)s (%(seats)d seats) is free")
        % {"days": DayPattern(suggested_days).label, "times": times, "room": room, "seats": room.capacity}
        if room
        else gettext(
            "no room with %(seats)d+ seats is free at %(days)s %(times)s or the alternative days — "
            "pick a slot in the timetable"
        )
        % {"seats": course.capacity, "days": DayPattern(days).label, "times": times}
    )
    reason = gettext(
        "%(course)s: %(trials)d trial(s) booked for the next %(window)d days × %(rate)s %% recent trial → enrolled "
        "= %(expected)s expected enrolment(s), but only %(free)d free seat(s) in %(groups)s. "
        "Suggested slot: %(where)s."
    ) % {
        "course": course,
        "trials": trials,
        "window": TRIAL_WINDOW_DAYS,
        "rate": rate,
        "expected": expected.quantize(Decimal("0.1")),
        "free": free,
        "groups": ", ".join(load.label() for load in loads),
        "where": where,
    }
    rec = GroupRecommendation(
        date=day,
        kind=RecommendationKind.NEW_GROUP,
        course_id=course.pk,
        suggested_days=suggested_days if room else days,
        suggested_start_time=start_time,
        suggested_end_time=end_time,
        suggested_room=room,
        reason=reason,
    )
    return [(rec, [load.group.pk for load in loads])]


def _recommend_combine(day, course, loads):
    """Pair under-filled groups of a course when one group's seats hold both: the
    emptiest groups first, each into the fullest group that can take its students
    (ties: the older group). Each group is in at most one pair."""
    ranked = sorted(
        (load for load in loads if load.percent < COMBINE_BELOW_PERCENT),
        key=lambda load: (load.students, -load.group.pk),
    )
    used: set[int] = set()
    result = []
    for index, load in enumerate(ranked):
        if load.group.pk in used:
            continue
        target = None
        # Only groups at least as full are candidates: those after ``index``, fullest first.
        for other in reversed(ranked[index + 1 :]):
            if other.group.pk in used:
                continue
            if load.students + other.students <= other.group.capacity:
                target = other
                break
        if target is None:
            continue
        used.update({load.group.pk, target.group.pk})
        together = load.students + target.students
        reason = gettext(
            "%(course)s: %(first)s and %(second)s are both under %(percent)d %% full; "
            "their %(students)d student(s) fit %(target)s's slot %(slot)s in %(room)s (%(seats)d seats)."
        ) % {
            "course": course,
            "first": load.label(),
            "second": target.label(),
            "percent": COMBINE_BELOW_PERCENT,
            "students": together,
            "target": target.group.name,
            "slot": _slot(target.group),
            "room": target.group.room,
            "seats": target.group.capacity,
        }
        result.append(
            (
                GroupRecommendation(
                    date=day,
                    kind=RecommendationKind.COMBINE,
                    course_id=course.pk,
                    suggested_days=target.group.days,
                    suggested_start_time=target.group.start_time,
                    suggested_end_time=target.group.end_time,
                    suggested_room_id=target.group.room_id,
                    reason=reason,
                ),
                [target.group.pk, load.group.pk],
            )
        )
    return result
