"""Courses, rooms, groups (with their load and lessons), enrolments and room
occupancy. Load figures come from scheduling.selectors.groups_with_load (the
Group properties refuse to run without it); enrolments are written by
scheduling.services.enrollment_create / enrollment_leave; rows about leads go
through leads_visible_to (enrolments: rows_of_visible_leads, on their lead_owner)."""

from __future__ import annotations

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import BRIEF_PARAMETER, BriefMixin, ModelSerializer, UserBriefSerializer
from api.filters import IdFilter, id_input
from api.pagination import Cursor
from leads.selectors import leads_visible_to, rows_of_visible_leads
from scheduling import selectors, services
from scheduling.models import Course, Enrollment, EnrollmentStatus, Group, Room, RoomOccupancy
from scheduling.patterns import DayPattern, iter_sessions

LESSONS_MAX_DAYS = 62

# --- courses and rooms ------------------------------------------------------------------


class CourseSerializer(ModelSerializer):
    teacher = serializers.IntegerField(source="teacher_id", read_only=True)
    duration = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Months."))
    frequency = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Lessons per week."))
    capacity = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Seats; the default for new groups."))

    class Meta:
        model = Course
        fields = ["id", "name", "description", "teacher", "price", "duration", "frequency", "capacity", "is_active"]
        read_only_fields = fields


class NameBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CourseFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Course
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List courses"),
        description=gettext_lazy("Every course, by name."),
        parameters=[BRIEF_PARAMETER],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Read a course"), description=gettext_lazy("One course."), parameters=[BRIEF_PARAMETER]
    ),
)
class CourseViewSet(BriefMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Course.objects.order_by("name", "id")
    serializer_class = CourseSerializer
    brief_serializer_class = NameBriefSerializer
    filterset_class = CourseFilter
    schema_tags = ["courses"]


class RoomSerializer(ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "capacity", "location", "is_active"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List rooms"),
        description=gettext_lazy("Every room, by name."),
        parameters=[BRIEF_PARAMETER],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Read a room"), description=gettext_lazy("One room."), parameters=[BRIEF_PARAMETER]
    ),
)
class RoomViewSet(BriefMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Room.objects.order_by("name", "id")
    serializer_class = RoomSerializer
    brief_serializer_class = NameBriefSerializer
    filterset_fields = ["is_active"]
    schema_tags = ["rooms"]


# --- groups -------------------------------------------------------------------------------


class GroupSerializer(ModelSerializer):
    course = serializers.IntegerField(source="course_id", read_only=True)
    course_name = serializers.CharField(source="course.name", read_only=True)
    room = serializers.IntegerField(source="room_id", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True)
    teacher = UserBriefSerializer(read_only=True)
    schedule = serializers.CharField(source="schedule_label", read_only=True)
    active_students = serializers.IntegerField(read_only=True)
    held_seats = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Trial lessons booked from today on."))
    free_slots = serializers.IntegerField(read_only=True)
    occupancy_percent = serializers.IntegerField(read_only=True)
    is_full = serializers.BooleanField(read_only=True)

    class Meta:
        model = Group
        fields = [
            "id",
            "name",
            "course",
            "course_name",
            "days",
            "start_time",
            "end_time",
            "schedule",
            "room",
            "room_name",
            "teacher",
            "capacity",
            "start_date",
            "end_date",
            "active_students",
            "held_seats",
            "free_slots",
            "occupancy_percent",
            "is_full",
        ]
        read_only_fields = fields


class GroupFilter(django_filters.FilterSet):
    course = IdFilter(field_name="course_id")
    room = IdFilter(field_name="room_id")
    teacher = IdFilter(field_name="teacher_id")
    days = django_filters.ChoiceFilter(choices=DayPattern.choices)
    has_free_slots = django_filters.BooleanFilter(method="filter_free")
    running_on = django_filters.DateFilter(method="filter_running", help_text=gettext_lazy("Groups running that day."))

    class Meta:
        model = Group
        fields = []

    def filter_free(self, queryset, name, value):
        from django.db.models import F

        if value:
            return queryset.filter(active_students_count__lt=F("capacity"))
        return queryset.filter(active_students_count__gte=F("capacity"))

    def filter_running(self, queryset, name, value):
        return selectors.groups_running_between(value, value, queryset)


class LessonsQuery(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text=gettext_lazy("First day (default today)."))
    date_to = serializers.DateField(required=False, help_text=gettext_lazy("Last day (default 13 days later)."))

    def validate(self, data):
        first = data.get("date_from") or timezone.localdate()
        last = data.get("date_to") or first + datetime.timedelta(days=13)
        if last < first:
            raise serializers.ValidationError({"date_to": [_("“date_to” must not be before “date_from”.")]})
        if (last - first).days + 1 > LESSONS_MAX_DAYS:
            raise serializers.ValidationError(
                {"date_to": [_("Ask for at most %(days)s days.") % {"days": LESSONS_MAX_DAYS}]}
            )
        return {"date_from": first, "date_to": last}


class LessonSerializer(serializers.Serializer):
    date = serializers.DateField()
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()
    capacity = serializers.IntegerField()
    students = serializers.IntegerField(help_text=gettext_lazy("Active students."))
    trials = serializers.IntegerField(help_text=gettext_lazy("Trial lessons booked for that day."))
    free_places = serializers.IntegerField()
    is_over = serializers.BooleanField()


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List groups"),
        description=gettext_lazy("Groups with their load: active students, free slots, occupancy %, full."),
        parameters=[BRIEF_PARAMETER],
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("Read a group"),
        description=gettext_lazy("One group and its load."),
        parameters=[BRIEF_PARAMETER],
    ),
)
class GroupViewSet(BriefMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = GroupSerializer
    brief_serializer_class = NameBriefSerializer
    filterset_class = GroupFilter
    queryset = Group.objects.all()
    schema_tags = ["groups"]

    def get_queryset(self):
        base = Group.objects.select_related("course", "room", "teacher").order_by("course__name", "name", "id")
        return selectors.groups_with_load(base)

    @extend_schema(
        summary=gettext_lazy("A group's lessons and free places"),
        description=gettext_lazy(
            "Each lesson of the group between two dates (at most 62 days): students, trials booked that day, "
            "free places (counted as trial booking counts them)."
        ),
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description=gettext_lazy("First day (default today).")),
            OpenApiParameter(
                "date_to", OpenApiTypes.DATE, description=gettext_lazy("Last day (default 13 days later).")
            ),
        ],
        responses={200: LessonSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def lessons(self, request, pk=None):
        group = self.get_object()
        query = LessonsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, last = query.validated_data["date_from"], query.validated_data["date_to"]
        held = selectors.held_seats_by_group_and_date(group_ids=[group.pk], start=first, end=last)
        start = max(first, group.start_date)
        end = min(last, group.end_date) if group.end_date else last
        tz = timezone.get_default_timezone()
        now = timezone.now()
        lessons = []
        if start <= end:
            for day in iter_sessions(group.days, start, until=end):
                trials = held.get((group.pk, day), 0)
                lessons.append(
                    {
                        "date": day,
                        "start_time": group.start_time,
                        "end_time": group.end_time,
                        "capacity": group.capacity,
                        "students": group.active_students,
                        "trials": trials,
                        "free_places": max(group.capacity - group.active_students - trials, 0),
                        "is_over": datetime.datetime.combine(day, group.end_time, tzinfo=tz) <= now,
                    }
                )
        return Response(LessonSerializer(lessons, many=True).data)


# --- enrolments --------------------------------------------------------------------------------


class EnrollmentSerializer(ModelSerializer):
    group = serializers.IntegerField(source="group_id", read_only=True)
    lead = serializers.IntegerField(source="lead_id", read_only=True)
    enrolled_by = serializers.IntegerField(source="enrolled_by_id", read_only=True, allow_null=True)

    class Meta:
        model = Enrollment
        fields = ["id", "group", "lead", "status", "enrolled_at", "left_at", "enrolled_by", "note"]
        read_only_fields = fields


class EnrollmentCreateSerializer(serializers.Serializer):
    group = id_input()
    lead = id_input()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class EnrollmentLeaveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class EnrollmentFilter(django_filters.FilterSet):
    group = IdFilter(field_name="group_id")
    lead = IdFilter(field_name="lead_id")
    status = django_filters.ChoiceFilter(choices=EnrollmentStatus.choices)

    class Meta:
        model = Enrollment
        fields = []


def _visible_lead_or_error(user, lead_id, *, field="lead"):
    from django.core.exceptions import ValidationError

    lead = leads_visible_to(user).filter(pk=lead_id).first()
    if lead is None:
        raise ValidationError({field: _("No lead with id %(id)s that you may see.") % {"id": lead_id}})
    return lead


def _group_or_error(group_id, *, field="group"):
    from django.core.exceptions import ValidationError

    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        raise ValidationError({field: _("No group with id %(id)s.") % {"id": group_id}})
    return group


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List enrolments"),
        description=gettext_lazy("Students in groups (of the leads the caller may see), newest first."),
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read an enrolment"), description=gettext_lazy("One enrolment.")),
    create=extend_schema(
        summary=gettext_lazy("Enrol a lead"),
        description=gettext_lazy(
            "Enrol a lead into a group (scheduling.services.enrollment_create): refused for a full or finished "
            "group or a second active enrolment."
        ),
        request=EnrollmentCreateSerializer,
        responses={201: EnrollmentSerializer},
    ),
)
class EnrollmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilter
    pagination_class = Cursor
    cursor_ordering = ("-id",)
    queryset = Enrollment.objects.all()
    schema_tags = ["enrolments"]
    required_perms = {"leave": ("scheduling.change_enrollment",)}

    def get_queryset(self):
        return rows_of_visible_leads(self.request.user, Enrollment.objects.all())

    def create(self, request, *args, **kwargs):
        data = EnrollmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lead = _visible_lead_or_error(request.user, values["lead"])
        group = _group_or_error(values["group"])
        enrollment = services.enrollment_create(group=group, lead=lead, by=request.user, note=values.get("note", ""))
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("A student leaves a group"),
        description=gettext_lazy("Marks an active enrolment as left; the row stays as history."),
        request=EnrollmentLeaveSerializer,
        responses={200: EnrollmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        enrollment = self.get_object()
        data = EnrollmentLeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        left = services.enrollment_leave(
            enrollment=enrollment, by=request.user, note=data.validated_data.get("note", "")
        )
        return Response(EnrollmentSerializer(left).data)


# --- room occupancy ------------------------------------------------------------------------------


class RoomOccupancySerializer(ModelSerializer):
    room = serializers.IntegerField(source="room_id", read_only=True)
    group = serializers.IntegerField(source="group_id", read_only=True, allow_null=True)
    occupancy_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = RoomOccupancy
        fields = [
            "id",
            "room",
            "date",
            "time_start",
            "time_end",
            "group",
            "occupancy_count",
            "capacity",
            "occupancy_percent",
            "refreshed_at",
        ]
        read_only_fields = fields


class RoomOccupancyFilter(django_filters.FilterSet):
    """Indexed (date, room)."""

    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    room = IdFilter(field_name="room_id")

    class Meta:
        model = RoomOccupancy
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Room occupancy"),
        description=gettext_lazy(
            "One row per lesson in a room for the coming weeks (rebuilt nightly): seats taken and offered."
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("Read a lesson's occupancy"), description=gettext_lazy("One lesson.")),
)
class RoomOccupancyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RoomOccupancySerializer
    filterset_class = RoomOccupancyFilter
    queryset = RoomOccupancy.objects.order_by("date", "time_start", "room_id", "id")
    schema_tags = ["room occupancy"]
