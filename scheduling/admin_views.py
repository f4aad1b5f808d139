"""Custom admin pages: the week timetable (per room or per teacher) and the
free-room finder. They only parse input and render selectors' results."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts import roles
from scheduling import selectors
from scheduling.forms import FreeRoomForm, TimetableFilterForm
from scheduling.models import Room
from scheduling.patterns import DayPattern


class SchedulingAdminView(TemplateView):
    admin_site = None
    title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("scheduling.view_group"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.admin_site.each_context(self.request))
        context["title"] = self.title
        context["opts"] = Room._meta
        context["has_view_permission"] = True
        return context


class TimetableView(SchedulingAdminView):
    """?room=<id> or ?teacher=<id>, &week=<any date of the week>. Without a
    choice a teacher sees their own week, anybody else the first room."""

    template_name = "admin/scheduling/timetable.html"
    title = _("Timetable")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = TimetableFilterForm(self.request.GET or None)
        room = teacher = week = None
        if form.is_bound:
            # A bad field (a mistyped week) is said beside it; the good ones still apply.
            form.is_valid()
            room, teacher, week = (form.cleaned_data.get(name) for name in ("room", "teacher", "week"))
        if room is None and teacher is None:
            user = self.request.user
            if user.groups.filter(name=roles.TEACHERS).exists() and not roles.is_manager(user):
                teacher = user
            else:
                room = Room.objects.filter(is_active=True).order_by("name").first()
        monday = selectors.week_start_of(week or timezone.localdate())
        grid = selectors.timetable_week(week_start=monday, room=room, teacher=teacher)
        subject = room or teacher
        if teacher is not None and room is None:
            subject_label = gettext("Teacher %(name)s") % {"name": teacher.get_full_name() or teacher.get_username()}
            param = f"teacher={teacher.pk}"
        elif room is not None:
            seats = ngettext("%(count)d seat", "%(count)d seats", room.capacity) % {"count": room.capacity}
            where = f", {room.location}" if room.location else ""
            subject_label = gettext("Room %(name)s (%(seats)s%(where)s)") % {
                "name": room.name,
                "seats": seats,
                "where": where,
            }
            param = f"room={room.pk}" + (f"&teacher={teacher.pk}" if teacher else "")
        else:
            subject_label, param = gettext("No rooms yet"), ""
        context.update(
            form=form,
            grid=grid,
            subject=subject,
            subject_label=subject_label,
            monday=monday,
            sunday=monday + datetime.timedelta(days=6),
            prev_week=f"?{param}&week={monday - datetime.timedelta(days=7):%Y-%m-%d}",
            next_week=f"?{param}&week={monday + datetime.timedelta(days=7):%Y-%m-%d}",
            this_week=f"?{param}",
            rooms=Room.objects.filter(is_active=True).order_by("name"),
            teachers=roles.teachers(),
            today=timezone.localdate(),
            title=gettext("Timetable — %(subject)s") % {"subject": subject_label},
        )
        return context


class FreeRoomView(SchedulingAdminView):
    """Day pattern + time window (+ optional dates, seats) → rooms free then."""

    template_name = "admin/scheduling/free_rooms.html"
    title = _("Find a free room")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = FreeRoomForm(self.request.GET or None)
        results = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            results = selectors.rooms_free(
                days=data["days"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                min_capacity=data["min_capacity"],
            )
            context["searched_label"] = (
                f"{DayPattern(data['days']).label} {data['start_time']:%H:%M}–{data['end_time']:%H:%M}"
            )
            context["week_param"] = f"{(data['start_date'] or timezone.localdate()):%Y-%m-%d}"
        context.update(form=form, results=results)
        return context
