"""Filter fields shared by every resource."""

import django_filters
from django import forms

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
