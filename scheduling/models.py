"""Courses, rooms, groups (with day patterns), enrollments and room occupancy.

Writes go through scheduling.services (conflict checks, capacity, enrollment
rules); list pages read through scheduling.selectors, which annotate the load
figures so the properties below cost no query per row.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import roles
from core.badges import load_colour
from leads.models import lead_owner_field
from scheduling.patterns import DayPattern


class Course(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="courses",
        limit_choices_to={"groups__name": roles.TEACHERS},
        help_text=_("The default teacher of the course's groups (a member of the Teachers group)."),
    )
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, help_text=_("Monthly price in the centre's currency (UZS).")
    )
    duration = models.PositiveSmallIntegerField(_("duration (months)"), help_text=_("Length of the course, in months."))
    frequency = models.PositiveSmallIntegerField(
        _("frequency (lessons per week)"), help_text=_("Lessons per week, 1 to 7.")
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity (seats)"),
        default=12,
        help_text=_("Seats; the default capacity of the course's new groups (capped at the room's)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="course_price_not_negative"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="course_capacity_positive"),
            models.CheckConstraint(condition=Q(duration__gt=0), name="course_duration_positive"),
            models.CheckConstraint(condition=Q(frequency__gt=0, frequency__lte=7), name="course_frequency_1_to_7"),
        ]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.name


class Room(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    location = models.CharField(_("location"), max_length=200, blank=True, help_text=_("Branch, floor, building…"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gt=0), name="room_capacity_positive")]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self):
        return self.name


class LoadNotAnnotated(AttributeError):
    """A group's load figure was read from a group loaded without its annotations."""


class Group(models.Model):
    """A class of students of one course meeting in one room on a day pattern."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("name"), max_length=200, unique=True)
    days = models.CharField(_("days"), max_length=16, choices=DayPattern.choices)
    start_time = models.TimeField(_("start time"), help_text=_("Local time (Asia/Tashkent)."))
    end_time = models.TimeField(_("end time"), help_text=_("Local time (Asia/Tashkent)."))
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="groups")
    capacity = models.PositiveSmallIntegerField(_("capacity"), help_text=_("Seats; cannot exceed the room's capacity."))
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="teaching_groups",
        limit_choices_to={"groups__name": roles.TEACHERS},
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Empty = open-ended."))
    students = models.ManyToManyField(
        "leads.Lead", verbose_name=_("students"), through="Enrollment", related_name="study_groups", blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["course__name", "name"]
        indexes = [
            models.Index(fields=["room", "start_time"]),
            models.Index(fields=["teacher", "start_time"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="group_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="group_capacity_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="group_end_date_not_before_start",
            ),
            models.CheckConstraint(condition=Q(days__in=DayPattern.values), name="group_days_known_pattern"),
        ]
        verbose_name = pgettext_lazy("study group", "group")
        verbose_name_plural = pgettext_lazy("study group", "groups")

    def __str__(self):
        return self.name

    # --- load figures: they read the annotations of scheduling.selectors.groups_with_load()
    # and never query on their own, so a list of groups costs no query per row.
    def _annotation(self, name: str) -> int:
        try:
            return getattr(self, name)
        except AttributeError:
            raise LoadNotAnnotated(
                f"Group load figures need the “{name}” annotation: load the group through "
                "scheduling.selectors.groups_with_load()."
            ) from None

    @property
    def active_students(self) -> int:
        return self._annotation("active_students_count")

    @property
    def held_seats(self) -> int:
        """Seats booked from today on by seat holders (trial lessons); see scheduling.seats."""
        return self._annotation("held_seats_count")

    @property
    def free_slots(self) -> int:
        return max(self.capacity - self.active_students, 0)

    @property
    def occupancy_percent(self) -> int:
        if not self.capacity:
            return 0
        return round(100 * self.active_students / self.capacity)

    @property
    def is_full(self) -> bool:
        return self.active_students >= self.capacity

    @property
    def lesson_duration(self) -> datetime.timedelta:
        day = datetime.date(2000, 1, 3)
        return datetime.datetime.combine(day, self.end_time) - datetime.datetime.combine(day, self.start_time)

    @property
    def schedule_label(self) -> str:
        """'Mon/Wed/Fri 18:00–19:30'"""
        return f"{DayPattern(self.days).label} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


class Enrollment(models.Model):
    """A lead studying in a group. Leaving keeps the row, so history is kept."""

    group = models.ForeignKey(
        Group, verbose_name=pgettext_lazy("study group", "group"), on_delete=models.CASCADE, related_name="enrollments"
    )
    lead = models.ForeignKey("leads.Lead", verbose_name=_("lead"), on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(
        _("status"), max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    lead_owner = lead_owner_field()

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        indexes = [
            models.Index(fields=["group", "status"]),
            # The enrolment list's default order (newest first).
            models.Index(fields=["enrolled_at", "id"], name="enrollment_list_order_idx"),
            # A salesperson's list in that order, and filtered by status.
            models.Index(fields=["lead_owner", "enrolled_at", "id"], name="enrollment_mine_idx"),
            models.Index(fields=["lead_owner", "status", "enrolled_at", "id"], name="enrollment_mine_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "lead"],
                condition=Q(status="active"),
                name="enrollment_one_active_per_group_lead",
            ),
            models.CheckConstraint(
                condition=Q(status="active", left_at__isnull=True) | Q(status="left", left_at__isnull=False),
                name="enrollment_left_at_iff_left",
            ),
        ]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")

    def __str__(self):
        return f"{self.lead} in {self.group}"


class RoomOccupancy(models.Model):
    """One lesson in one room on one date, materialised for the coming weeks by
    ``refresh_room_occupancy`` (services.room_occupancy_refresh)."""

    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.CASCADE, related_name="occupancy")
    date = models.DateField(_("date"))
    time_start = models.TimeField(_("start time"))
    time_end = models.TimeField(_("end time"))
    group = models.ForeignKey(
        Group,
        verbose_name=pgettext_lazy("study group", "group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="occupancy",
    )
    occupancy_count = models.PositiveSmallIntegerField(
        _("seats taken"), default=0, help_text=_("Active students plus trial students booked for that day.")
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), help_text=_("Seats offered in this lesson (the group's capacity).")
    )
    refreshed_at = models.DateTimeField(_("refreshed at"), default=timezone.now)

    class Meta:
        ordering = ["date", "time_start", "room__name"]
        verbose_name_plural = _("room occupancy")
        constraints = [
            models.UniqueConstraint(
                fields=["room", "date", "time_start", "time_end"], name="room_occupancy_unique_slot"
            ),
        ]
        indexes = [models.Index(fields=["date", "room"])]
        verbose_name = _("room occupancy")

    def __str__(self):
        return f"{self.room} {self.date:%d.%m.%Y} {self.time_start:%H:%M}–{self.time_end:%H:%M}"

    @property
    def occupancy_percent(self) -> int:
        if not self.capacity:
            return 0
        return round(100 * self.occupancy_count / self.capacity)

    @property
    def availability_color(self) -> str:
        return load_colour(self.occupancy_percent)


class Timetable(Group):
    """Admin entry point for the room/teacher timetable and free-room finder
    (a proxy, so the page is listed on the admin index; no table)."""

    class Meta:
        proxy = True
        verbose_name = _("timetable")
        verbose_name_plural = _("timetable & free rooms")
