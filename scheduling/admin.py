"""Scheduling admin: thin callers of scheduling.services / selectors.

Load columns (students, free slots, occupancy, trials) come from annotations
(selectors.groups_with_load), so changelists run a fixed number of queries.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from core.admin_lists import LargeListMixin
from core.admin_tools import ExportMixin, ReadOnlyAdminMixin, parse_id
from core.badges import BLUE, GREEN, GREY, badge, occupancy_badge
from leads.search import LeadSearchMixin
from leads.selectors import leads_visible_to, rows_of_visible_leads
from scheduling import admin_views, selectors, services
from scheduling.forms import CourseAdminForm, EnrollmentAddForm, GroupAdminForm
from scheduling.models import Course, Enrollment, EnrollmentStatus, Group, Room, RoomOccupancy, Timetable

ENROLLMENT_COLOURS = {EnrollmentStatus.ACTIVE: GREEN, EnrollmentStatus.LEFT: GREY}


class TimetableLinksMixin:
    """Puts "Timetable" and "Find a free room" buttons on the changelist."""

    change_list_template = "admin/scheduling/change_list_with_timetable.html"


# --- courses ------------------------------------------------------------------


@admin.register(Course)
class CourseAdmin(TimetableLinksMixin, ExportMixin, admin.ModelAdmin):
    form = CourseAdminForm
    list_display = [
        "name",
        "teacher",
        "price",
        "duration",
        "frequency",
        "capacity",
        "group_count",
        "students",
        "load",
        "active_label",
    ]
    list_select_related = ["teacher"]
    list_filter = ["is_active", ("teacher", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        qs = selectors.courses_with_load(super().get_queryset(request))
        return qs.annotate(group_total=Count("groups", distinct=True))

    @admin.display(description=pgettext_lazy("study group", "groups"), ordering="group_total")
    def group_count(self, obj):
        return obj.group_total

    @admin.display(description=_("students / seats"), ordering="students_total")
    def students(self, obj):
        return f"{obj.students_total} / {obj.seats_total}"

    @admin.display(description=_("load"))
    def load(self, obj):
        if not obj.seats_total:
            return badge(_("no groups"), GREY)
        percent = round(100 * obj.students_total / obj.seats_total)
        return occupancy_badge(percent, full=obj.students_total >= obj.seats_total)

    @admin.display(description=_("active"), ordering="is_active")
    def active_label(self, obj):
        return badge(_("Active"), GREEN) if obj.is_active else badge(_("Inactive"), GREY)


# --- rooms ----------------------------------------------------------------------


@admin.register(Room)
class RoomAdmin(TimetableLinksMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["name", "capacity", "location", "group_count", "week_load", "timetable_link", "active_label"]
    list_filter = ["is_active", "location"]
    search_fields = ["name", "location"]

    def get_queryset(self, request):
        qs = selectors.rooms_with_load(super().get_queryset(request))
        return qs.annotate(group_total=Count("groups", distinct=True))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "timetable/",
                view(admin_views.TimetableView.as_view(admin_site=self.admin_site)),
                name="scheduling_room_timetable",
            ),
            path(
                "free-rooms/",
                view(admin_views.FreeRoomView.as_view(admin_site=self.admin_site)),
                name="scheduling_room_free_rooms",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=pgettext_lazy("study group", "groups"), ordering="group_total")
    def group_count(self, obj):
        return obj.group_total

    @admin.display(description=_("next 7 days"), ordering="week_taken")
    def week_load(self, obj):
        """Seats taken / offered in the room's lessons (from room occupancy)."""
        if not obj.week_seats:
            return badge(_("no lessons"), GREY)
        percent = round(100 * obj.week_taken / obj.week_seats)
        lessons = ngettext("%(count)d lesson", "%(count)d lessons", obj.week_lessons) % {"count": obj.week_lessons}
        return format_html("{} {}", occupancy_badge(percent), lessons)

    @admin.display(description=_("timetable"))
    def timetable_link(self, obj):
        return format_html(
            '<a href="{}?room={}">{}</a>', reverse("admin:scheduling_room_timetable"), obj.pk, _("Week grid")
        )

    @admin.display(description=_("active"), ordering="is_active")
    def active_label(self, obj):
        return badge(_("Active"), GREEN) if obj.is_active else badge(_("Inactive"), GREY)


# --- groups -----------------------------------------------------------------------


class HasFreeSlotsFilter(admin.SimpleListFilter):
    title = _("has free slots")
    parameter_name = "free"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No (full)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(active_students_count__lt=F("capacity"))
        if self.value() == "no":
            return queryset.filter(active_students_count__gte=F("capacity"))
        return queryset


class EnrollmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Who studies in the group (read-only; enrol and leave through Enrollments).
    A salesperson sees only the enrollments of their own leads."""

    model = Enrollment
    extra = 0
    fields = ["lead", "status", "enrolled_at", "left_at", "enrolled_by", "note"]
    readonly_fields = fields
    ordering = ["status", "-enrolled_at"]
    verbose_name_plural = _("students")

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("lead", "enrolled_by")
        return rows_of_visible_leads(request.user, qs)


@admin.register(Group)
class GroupAdmin(TimetableLinksMixin, ExportMixin, admin.ModelAdmin):
    form = GroupAdminForm
    list_display = [
        "name",
        "course",
        "days",
        "time_range",
        "room",
        "teacher",
        "capacity",
        "student_count",
        "occupancy",
        "free_slots_column",
        "trial_students_column",
        "is_full_column",
    ]
    list_select_related = ["course", "room", "teacher"]
    list_filter = [
        ("course", admin.RelatedOnlyFieldListFilter),
        ("room", admin.RelatedOnlyFieldListFilter),
        ("teacher", admin.RelatedOnlyFieldListFilter),
        "days",
        HasFreeSlotsFilter,
    ]
    search_fields = ["name", "course__name", "room__name", "teacher__first_name", "teacher__last_name"]
    inlines = [EnrollmentInline]
    save_on_top = True  # a long page: Save without scrolling to the bottom (on a phone too)
    fieldsets = [
        (None, {"fields": ["course", "name", "teacher"]}),
        (
            _("When and where"),
            {"fields": ["days", ("start_time", "end_time"), "room", "capacity", ("start_date", "end_date")]},
        ),
    ]
    export_fields = [
        "name",
        "course",
        "days",
        "time_range",
        "room",
        "teacher",
        "capacity",
        "student_count",
        "free_slots_column",
        "trial_students_column",
    ]

    def get_queryset(self, request):
        qs = selectors.groups_with_load(super().get_queryset(request))
        return qs.annotate(free_slots_count=F("capacity") - F("active_students_count"))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        course_id = parse_id(initial.get("course"))  # from the URL: ignore anything that is not an id
        if course_id is not None:
            course = Course.objects.filter(pk=course_id).first()
            for key, value in services.group_defaults_for(course).items():
                initial.setdefault(key, value)
        return initial

    def save_model(self, request, obj, form, change):
        services.group_save(group=obj)

    @admin.display(description=_("time"), ordering="start_time")
    def time_range(self, obj):
        return f"{obj.start_time:%H:%M}–{obj.end_time:%H:%M}"

    @admin.display(description=_("students"), ordering="active_students_count")
    def student_count(self, obj):
        return obj.active_students

    @admin.display(description=_("occupancy"), ordering="active_students_count")
    def occupancy(self, obj):
        return occupancy_badge(obj.occupancy_percent, full=obj.is_full)

    @admin.display(description=_("free slots"), ordering="free_slots_count")
    def free_slots_column(self, obj):
        return obj.free_slots

    @admin.display(description=_("trial students"), ordering="held_seats_count")
    def trial_students_column(self, obj):
        return badge(obj.held_seats, BLUE) if obj.held_seats else 0

    @admin.display(description=_("full"), boolean=True)
    def is_full_column(self, obj):
        return obj.is_full


# --- enrollments ----------------------------------------------------------------------


@admin.register(Enrollment)
class EnrollmentAdmin(LargeListMixin, LeadSearchMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["lead", "group", "status_label", "enrolled_at", "left_at", "enrolled_by"]
    sortable_by = ["enrolled_at"]  # enrollment_list_order_idx
    list_select_related = ["lead", "group", "enrolled_by"]
    list_filter = [
        "status",
        # All courses (the "related only" filter ran a DISTINCT over every
        # enrolment on every page); groups are found by the search, by name:
        # a thousand of them would be a thousand links on every page.
        ("group__course", admin.RelatedFieldListFilter),
    ]
    search_fields = ["lead__full_name", "lead__phone", "group__name"]
    own_search_fields = ("group__name",)
    raw_id_fields = ["lead"]
    readonly_fields = ["group", "lead", "status", "enrolled_at", "left_at", "enrolled_by"]
    actions = ["mark_left"]

    def get_queryset(self, request):
        return rows_of_visible_leads(request.user, super().get_queryset(request))

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            form = EnrollmentAddForm
            leads = leads_visible_to(request.user)

            class Bound(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, leads=leads, **kw)

            kwargs["form"] = Bound
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["group", "lead", "note"]
        return [*self.readonly_fields, "note"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["note"])
            return
        created = services.enrollment_create(group=obj.group, lead=obj.lead, by=request.user, note=obj.note)
        obj.pk = created.pk

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return badge(obj.get_status_display(), ENROLLMENT_COLOURS[EnrollmentStatus(obj.status)])

    @admin.action(description=_("Mark selected enrollments as left"), permissions=["change"])
    def mark_left(self, request, queryset):
        done = 0
        for enrollment in queryset.filter(status=EnrollmentStatus.ACTIVE):
            try:
                services.enrollment_leave(enrollment=enrollment, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.WARNING)
        message = ngettext("%(count)d enrollment marked as left.", "%(count)d enrollments marked as left.", done) % {
            "count": done
        }
        self.message_user(request, message, messages.SUCCESS)


# --- room occupancy ------------------------------------------------------------------


@admin.register(RoomOccupancy)
class RoomOccupancyAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    """Rebuilt by the nightly refresh (services.room_occupancy_refresh); read only."""

    list_display = ["date", "time_range", "room", "group", "occupancy_count", "capacity", "occupancy", "refreshed_at"]
    list_select_related = ["room", "group"]
    list_filter = [("room", admin.RelatedOnlyFieldListFilter), "date"]
    search_fields = ["room__name", "group__name"]
    date_hierarchy = "date"

    @admin.display(description=_("time"), ordering="time_start")
    def time_range(self, obj):
        return f"{obj.time_start:%H:%M}–{obj.time_end:%H:%M}"

    @admin.display(description=_("occupancy"))
    def occupancy(self, obj):
        return occupancy_badge(obj.occupancy_percent)


# --- index entry for the timetable ----------------------------------------------------


@admin.register(Timetable)
class TimetableAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Lists "Timetable & free rooms" on the admin index; opens the week grid."""

    def get_model_perms(self, request):
        allowed = request.user.has_perm("scheduling.view_group")
        return {"add": False, "change": False, "delete": False, "view": allowed}

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("scheduling.view_group")

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:scheduling_room_timetable")
