"""Pieces every resource of the API shares: the brief form for pickers,
cursor ordering on indexed columns, and writes answered with the fresh row."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

BRIEF_PARAMETER = OpenApiParameter(
    "brief",
    OpenApiTypes.BOOL,
    description=gettext_lazy("`1`: the short form (id and name) for pickers and autocomplete."),
)


def wants_brief(request) -> bool:
    return (request.query_params.get("brief") or "").lower() in ("1", "true", "yes")


class BriefMixin:
    """``?brief=1`` answers lists and details with ``brief_serializer_class``."""

    brief_serializer_class = None

    def get_serializer_class(self):
        if (
            self.brief_serializer_class is not None
            and self.action in ("list", "retrieve")
            and wants_brief(self.request)
        ):
            return self.brief_serializer_class
        return super().get_serializer_class()


class CursorOrderingMixin:
    """``?ordering=`` among ``ordering_choices`` ({name: order_by tuple}), every
    one led by an indexed, never-null column; ``cursor_ordering`` is the default."""

    ordering_choices: dict[str, tuple[str, ...]] = {}

    def chosen_ordering(self, request):
        name = request.query_params.get("ordering")
        if not name:
            return self.cursor_ordering
        if name not in self.ordering_choices:
            raise exceptions.ValidationError(
                {"ordering": [_("Order by one of: %(choices)s.") % {"choices": ", ".join(self.ordering_choices)}]}
            )
        return self.ordering_choices[name]


def ordering_parameter(choices) -> OpenApiParameter:
    return OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(choices), description=gettext_lazy("Sort order."))


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.SerializerMethodField()

    def get_full_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


# DRF drops ``allow_blank`` from read-only fields, so the schema would say a
# blank choice or e-mail cannot be "" although the column holds "" whenever it is
# empty: read-only fields here keep what their model field allows. (A comment, not
# a docstring: drf-spectacular would give every serializer's schema that text.)
class ModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        for name, field in fields.items():
            if not field.read_only:
                continue
            try:
                model_field = model._meta.get_field(field.source or name)
            except Exception:  # noqa: BLE001 - a property or method, not a column
                continue
            if not getattr(model_field, "blank", False):
                continue
            if isinstance(field, serializers.EmailField):
                fields[name] = serializers.CharField(read_only=True, source=field.source)
            elif isinstance(field, serializers.ChoiceField | serializers.CharField):
                field.allow_blank = True
        return fields
