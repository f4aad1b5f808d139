"""Filter fields shared by every resource."""

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters.fields import IsoDateTimeField

# The largest id a BigAutoField holds; anything bigger (or below 1) is a 400,
# not an overflow in the database driver.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number between 1 and 2**63 - 1."""

    field_class = IdField


def id_input(**kwargs):
    """A request body's reference to an object by id (bounded like IdFilter)."""
    from rest_framework import serializers

    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment, in UTC before it reaches the database: PostgreSQL
    refuses offsets beyond ±15:59 that Python (and ISO 8601) accept."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:  # 9999-12-31T23:00-05:00 is past the last moment Python holds
            raise forms.ValidationError(_("The moment is out of range."), code="overflow") from None


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField
