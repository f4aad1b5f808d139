"""Writes to the scheduling domain. Admin forms, the importer, trials and
commands all call these, so every path refuses the same bad input with the
same messages.

Concurrency: creating/updating a group locks its room and teacher rows, and
enrolling locks the group row, so two simultaneous saves cannot both pass the
conflict or capacity check (PostgreSQL; SQLite serialises writes anyway).
The partial unique constraint on active enrollments backs up the duplicate check.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from leads import services as lead_services
from leads.models import Lead, LeadStatus
from scheduling import selectors
from scheduling.models import Course, Enrollment, EnrollmentStatus, Group, Room, RoomOccupancy
from scheduling.patterns import DayPattern, UnknownPattern, describe_date, iter_sessions, validate_pattern

# --- messages (tests import these) -----------------------------------------
END_NOT_AFTER_START = _("The end time must be after the start time.")
END_DATE_BEFORE_START = _("The end date cannot be before the start date.")
CAPACITY_NOT_POSITIVE = _("Capacity must be at least 1.")
CAPACITY_ABOVE_ROOM = _("Capacity {capacity} is more than room “{room}” holds ({room_capacity}).")
NOT_A_TEACHER = _("{user} is not an active member of the Teachers group.")
ROOM_TAKEN = _("Room “{room}” is taken by “{group}” ({schedule}) on shared days, e.g. {day}.")
TEACHER_BUSY = _("Teacher {teacher} already teaches “{group}” ({schedule}) on shared days, e.g. {day}.")
GROUP_FULL = _("Group “{group}” is full ({taken} of {capacity} places taken).")
ALREADY_ENROLLED = _("{lead} is already enrolled in “{group}”.")
GROUP_ENDED = _("Group “{group}” ended on {end_date}; enrol into a running group.")
ALREADY_LEFT = _("{lead} already left “{group}”.")
ENROLLED_NOTE = _("Enrolled into %(group)s")


@dataclass(frozen=True)
class Conflict:
    kind: str  # "room" or "teacher"
    group: Group
    day: datetime.date
    message: str


# --- groups ------------------------------------------------------------------


def group_conflicts(*, group: Group) -> list[Conflict]:
    """Groups that already hold ``group``'s room or teacher at an overlapping
    time on a day both patterns share, within overlapping date ranges."""
    if not (group.days and group.start_time and group.end_time and group.start_date):
        return []
    if group.days not in DayPattern.values or group.end_time <= group.start_time:
        return []
    others = Group.objects.exclude(pk=group.pk) if group.pk else Group.objects.all()
    window = {
        "days": group.days,
        "start_time": group.start_time,
        "end_time": group.end_time,
        "start_date": group.start_date,
        "end_date": group.end_date,
    }
    conflicts = []
    if group.room_id:
        for other, day in selectors.groups_clashing_with(queryset=others.filter(room_id=group.room_id), **window):
            conflicts.append(
                Conflict(
                    "room",
                    other,
                    day,
                    ROOM_TAKEN.format(
                        room=other.room, group=other.name, schedule=other.schedule_label, day=describe_date(day)
                    ),
                )
            )
    if group.teacher_id:
        for other, day in selectors.groups_clashing_with(queryset=others.filter(teacher_id=group.teacher_id), **window):
            conflicts.append(
                Conflict(
                    "teacher",
                    other,
                    day,
                    TEACHER_BUSY.format(
                        teacher=other.teacher.get_full_name() or other.teacher.get_username(),
                        group=other.name,
                        schedule=other.schedule_label,
                        day=describe_date(day),
                    ),
                )
            )
    return conflicts


def _is_teacher(user) -> bool:
    return user.is_active and user.groups.filter(name=roles.TEACHERS).exists()


def group_validate(*, group: Group, check_conflicts: bool = True) -> None:
    """Raise one ValidationError with every problem, keyed by field."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    try:
        validate_pattern(group.days)
    except UnknownPattern as exc:
        add("days", str(exc))
    if group.start_time and group.end_time and group.end_time <= group.start_time:
        add("end_time", END_NOT_AFTER_START)
    if group.start_date and group.end_date and group.end_date < group.start_date:
        add("end_date", END_DATE_BEFORE_START)
    if group.capacity is not None and group.capacity <= 0:
        add("capacity", CAPACITY_NOT_POSITIVE)
    if group.capacity and group.room_id and group.capacity > group.room.capacity:
        add(
            "capacity",
            CAPACITY_ABOVE_ROOM.format(capacity=group.capacity, room=group.room, room_capacity=group.room.capacity),
        )
    if group.teacher_id and not _is_teacher(group.teacher):
        add("teacher", NOT_A_TEACHER.format(user=group.teacher))
    if errors:
        raise ValidationError(errors)
    group.full_clean(validate_unique=True, validate_constraints=False)
    if check_conflicts:
        for conflict in group_conflicts(group=group):
            add(conflict.kind, conflict.message)
    if errors:
        raise ValidationError(errors)


def group_save(*, group: Group) -> Group:
    """Validate (including conflicts) and save, holding locks on the room and
    teacher so a concurrent save cannot slip in between check and write."""
    with transaction.atomic():
        if group.room_id:
            Room.objects.select_for_update().filter(pk=group.room_id).first()
        if group.teacher_id:
            get_user_model().objects.select_for_update().filter(pk=group.teacher_id).first()
        group_validate(group=group)
        group.save()
    return group


def group_create(
    *,
    course: Course,
    name: str,
    days: str,
    start_time: datetime.time,
    end_time: datetime.time,
    room: Room,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    capacity: int | None = None,
    teacher=None,
) -> Group:
    """Create a group; capacity defaults to the course's capacity
    (capped at the room's) and the teacher to the course's teacher."""
    if capacity is None:
        capacity = min(course.capacity, room.capacity)
    group = Group(
        course=course,
        name=name,
        days=days,
        start_time=start_time,
        end_time=end_time,
        room=room,
        capacity=capacity,
        teacher=teacher or course.teacher,
        start_date=start_date,
        end_date=end_date,
    )
    return group_save(group=group)


GROUP_EDITABLE_FIELDS = frozenset(
    {"course", "name", "days", "start_time", "end_time", "room", "capacity", "teacher", "start_date", "end_date"}
)


def group_update(*, group: Group, **changes) -> Group:
    unknown = set(changes) - GROUP_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"group_update() got unexpected fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(group, field, value)
    return group_save(group=group)


def group_defaults_for(course: Course | None) -> dict:
    """Initial values for a new group of ``course`` (used by the admin form)."""
    if course is None:
        return {}
    return {"capacity": course.capacity, "teacher": course.teacher_id}


# --- enrollments ---------------------------------------------------------------


def enrollment_check(*, group: Group, lead, at: datetime.datetime | None = None) -> None:
    """Raise ValidationError if ``lead`` cannot be enrolled into ``group`` now.
    enrollment_create repeats this under a lock on the group row."""
    at = at or timezone.now()
    if group.end_date and group.end_date < timezone.localdate(at):
        raise ValidationError({"group": GROUP_ENDED.format(group=group, end_date=group.end_date)})
    if Enrollment.objects.filter(group=group, lead=lead, status=EnrollmentStatus.ACTIVE).exists():
        raise ValidationError({"lead": ALREADY_ENROLLED.format(lead=lead, group=group)})
    taken = selectors.group_active_enrollments_count(group=group)
    if taken >= group.capacity:
        raise ValidationError({"group": GROUP_FULL.format(group=group, taken=taken, capacity=group.capacity)})


def enrollments_move_to_owner(*, lead: Lead, owner_id: int | None) -> int:
    """Give the lead's enrolments its current salesperson (``lead_owner``):
    called, through leads.hooks, in the transaction that (re)assigns the lead."""
    return lead_services.lead_owner_rows_move(Enrollment, lead=lead, owner_id=owner_id)


def enrollment_create(
    *, group: Group, lead, by=None, at: datetime.datetime | None = None, note: str = ""
) -> Enrollment:
    """Enrol ``lead`` into ``group``. Refuses a full or finished group and a
    second active enrollment of the same lead; nothing is written on refusal.
    Capacity counts active students (trials are checked when they are booked).

    The enrolment is one of the records "enrolled" stands for
    (leads.services.FLOW_STATUSES): a lead that may become enrolled now does."""
    at = at or timezone.now()
    with transaction.atomic():
        # The lead before the group, as every lead write (trials.services) takes them.
        locked_lead = Lead.objects.select_for_update().get(pk=lead.pk)
        locked = Group.objects.select_for_update().get(pk=group.pk)
        enrollment_check(group=locked, lead=lead, at=at)
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    group=locked,
                    lead=lead,
                    enrolled_at=at,
                    enrolled_by=by,
                    note=note[:255],
                    lead_owner_id=locked_lead.assigned_to_id,
                )
        except IntegrityError as exc:
            if Enrollment.objects.filter(group=locked, lead=lead, status=EnrollmentStatus.ACTIVE).exists():
                raise ValidationError({"lead": ALREADY_ENROLLED.format(lead=lead, group=locked)}) from exc
            raise
        if LeadStatus.ENROLLED in lead_services.allowed_next_statuses(locked_lead):
            lead_services.lead_change_status(
                lead=lead, to_status=LeadStatus.ENROLLED, by=by, at=at, note=ENROLLED_NOTE % {"group": locked}
            )
        return enrollment


def enrollment_leave(
    *, enrollment: Enrollment, by=None, at: datetime.datetime | None = None, note: str = ""
) -> Enrollment:
    """Mark an active enrollment as left; the row stays as history."""
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().select_related("lead", "group").get(pk=enrollment.pk)
        if locked.status == EnrollmentStatus.LEFT:
            raise ValidationError(ALREADY_LEFT.format(lead=locked.lead, group=locked.group))
        locked.status = EnrollmentStatus.LEFT
        locked.left_at = at or timezone.now()
        if note:
            locked.note = note[:255]
        locked.save(update_fields=["status", "left_at", "note"])
    enrollment.refresh_from_db()
    return locked


# --- room occupancy ----------------------------------------------------------------

DEFAULT_OCCUPANCY_DAYS = 28


@dataclass(frozen=True)
class OccupancyRefreshResult:
    start: datetime.date
    end: datetime.date
    upserted: int
    deleted: int


def room_occupancy_refresh(
    *, today: datetime.date | None = None, days: int = DEFAULT_OCCUPANCY_DAYS
) -> OccupancyRefreshResult:
    """Materialise one RoomOccupancy row per lesson in [today, today + days - 1]
    and delete rows in that window that no longer match a lesson. Idempotent."""
    if days < 1:
        raise ValueError("days must be at least 1")
    start = today or timezone.localdate()
    end = start + datetime.timedelta(days=days - 1)
    now = timezone.now()
    groups = list(selectors.groups_with_load(selectors.groups_running_between(start, end), today=start))
    trials = selectors.held_seats_by_group_and_date(group_ids=[g.pk for g in groups], start=start, end=end)
    rows: dict[tuple, RoomOccupancy] = {}
    for group in sorted(groups, key=lambda g: g.pk):
        first = max(start, group.start_date)
        last = min(end, group.end_date) if group.end_date else end
        for day in iter_sessions(group.days, first, until=last):
            key = (group.room_id, day, group.start_time, group.end_time)
            rows[key] = RoomOccupancy(
                room_id=group.room_id,
                date=day,
                time_start=group.start_time,
                time_end=group.end_time,
                group=group,
                capacity=group.capacity,
                refreshed_at=now,
                occupancy_count=group.active_students + trials.get((group.pk, day), 0),
            )
    with transaction.atomic():
        RoomOccupancy.objects.bulk_create(
            list(rows.values()),
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["room", "date", "time_start", "time_end"],
            update_fields=["group", "occupancy_count", "capacity", "refreshed_at"],
        )
        existing = RoomOccupancy.objects.filter(date__range=(start, end)).values_list(
            "pk", "room_id", "date", "time_start", "time_end"
        )
        stale = [pk for pk, *key in existing if tuple(key) not in rows]
        deleted = RoomOccupancy.objects.filter(pk__in=stale).delete()[0] if stale else 0
    return OccupancyRefreshResult(start=start, end=end, upserted=len(rows), deleted=deleted)
