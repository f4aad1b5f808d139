"""“07.12.2026” is accepted in every date field we offer, in every language
(issue 12, item 5): each admin add/change form's date and date-time fields, and
our own form pages' (free rooms, timetable, dashboard, follow-up)."""

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.utils import translation

from analytics.views import DateRangeForm
from reminders.forms import FollowUpForm
from scheduling.forms import FreeRoomForm, TimetableFilterForm

pytestmark = pytest.mark.django_db

LANGUAGES = ["uz", "ru", "en"]
DAY = datetime.date(2026, 12, 7)


def date_fields(form_class) -> dict[str, forms.Field]:
    form = form_class()
    return {
        name: field
        for name, field in form.fields.items()
        if isinstance(field, (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField))
    }


def admin_form_classes(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in ("axes", "auth"):
            continue
        if model_admin.has_add_permission(request):
            yield model._meta.label, model_admin.get_form(request, obj=None)


def accepts(field: forms.Field, typed: str) -> object:
    if isinstance(field, forms.SplitDateTimeField):
        return field.clean([typed, "14:30"])
    if isinstance(field, forms.DateTimeField):
        return field.clean(f"{typed} 14:30")
    return field.clean(typed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_admin_date_field_accepts_dd_mm_yyyy(admin_user, language):
    checked = []
    with translation.override(language):
        for label, form_class in admin_form_classes(admin_user):
            for name, field in date_fields(form_class).items():
                value = accepts(field, "07.12.2026")
                day = value.date() if isinstance(value, datetime.datetime) else value
                assert day == DAY, (label, name, value)
                checked.append(f"{label}.{name}")
    # Groups' start and end dates, courses… at least these are among them.
    assert "scheduling.Group.start_date" in checked and "scheduling.Group.end_date" in checked


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("form_class", [FreeRoomForm, TimetableFilterForm, DateRangeForm, FollowUpForm])
def test_our_form_pages_accept_dd_mm_yyyy(form_class, language):
    fields = date_fields(form_class)
    assert fields, form_class
    with translation.override(language):
        for name, field in fields.items():
            value = accepts(field, "07.12.2026")
            day = value.date() if isinstance(value, datetime.datetime) else value
            assert day == DAY, (form_class.__name__, name, value)
