"""Admin forms. Validation is delegated to scheduling.services so admin, the
importer and other apps refuse the same input with the same messages."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from accounts import roles
from core.admin_tools import add_service_errors
from core.widgets import DayField, HourInput
from scheduling import services
from scheduling.models import Course, Enrollment, Group, Room
from scheduling.patterns import DayPattern


class GroupAdminForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = [
            "course",
            "name",
            "days",
            "start_time",
            "end_time",
            "room",
            "capacity",
            "teacher",
            "start_date",
            "end_date",
        ]
        help_texts = {
            "capacity": _("Leave empty to use the course's capacity (capped at the room's)."),
            "teacher": _("Leave empty to use the course's teacher."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (A view-only user gets a form without fields.)
        if "capacity" in self.fields:
            self.fields["capacity"].required = False
        if "teacher" in self.fields:
            self.fields["teacher"].required = False
            self.fields["teacher"].queryset = roles.teachers()

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course")
        defaults = services.group_defaults_for(course)
        if cleaned.get("capacity") is None and "capacity" in defaults:
            cleaned["capacity"] = defaults["capacity"]
            room = cleaned.get("room")
            if room is not None and cleaned["capacity"] > room.capacity:
                cleaned["capacity"] = room.capacity
        if cleaned.get("teacher") is None and course is not None:
            cleaned["teacher"] = course.teacher
        if self.errors:
            return cleaned
        candidate = construct_instance(self, copy.copy(self.instance))
        try:
            services.group_validate(group=candidate)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return cleaned

    def _post_clean(self):
        # services.group_validate already ran full_clean on a copy; the model
        # CheckConstraints would only repeat its messages.
        self.instance = construct_instance(self, self.instance)


class CourseAdminForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "name",
            "description",
            "teacher",
            "price",
            "duration",
            "frequency",
            "capacity",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "teacher" in self.fields:
            self.fields["teacher"].queryset = roles.teachers()


class EnrollmentAddForm(forms.ModelForm):
    """Enrol a lead: checked by services.enrollment_check, written by
    services.enrollment_create in EnrollmentAdmin.save_model."""

    class Meta:
        model = Enrollment
        fields = ["group", "lead", "note"]

    def __init__(self, *args, leads=None, **kwargs):
        super().__init__(*args, **kwargs)
        if leads is not None:
            self.fields["lead"].queryset = leads

    def clean(self):
        cleaned = super().clean()
        group, lead = cleaned.get("group"), cleaned.get("lead")
        if group is not None and lead is not None:
            try:
                services.enrollment_check(group=group, lead=lead)
            except ValidationError as exc:
                add_service_errors(self, exc)
        return cleaned

    def _post_clean(self):
        self.instance = construct_instance(self, self.instance)


class TimetableFilterForm(forms.Form):
    room = forms.ModelChoiceField(Room.objects.filter(is_active=True), label=_("Room"), required=False)
    teacher = forms.ModelChoiceField(roles.teachers(), label=_("Teacher"), required=False)
    week = DayField(
        label=_("Week"),
        required=False,
        help_text=_("Any day of the week to show."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = roles.teachers()


class FreeRoomForm(forms.Form):
    days = forms.ChoiceField(label=_("Day pattern"), choices=DayPattern.choices)
    start_time = forms.TimeField(label=_("Start time"), widget=HourInput())
    end_time = forms.TimeField(label=_("End time"), widget=HourInput())
    start_date = DayField(
        label=_("Start date"),
        required=False,
        help_text=_("Default: today."),
    )
    end_date = DayField(
        label=_("End date"),
        required=False,
        help_text=_("Empty: open-ended."),
    )
    min_capacity = forms.IntegerField(required=False, min_value=1, label=_("At least seats"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", services.END_NOT_AFTER_START)
        start_date, end_date = cleaned.get("start_date"), cleaned.get("end_date")
        if start_date and end_date and end_date < start_date:
            self.add_error("end_date", services.END_DATE_BEFORE_START)
        return cleaned
