"""The intake stream (read, managers): every accepted webhook or form post."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.base import ModelSerializer
from api.filters import MomentFilter
from api.pagination import Cursor
from intake.models import IntakeChannel, IntakeEvent, IntakeStatus


class IntakeEventSerializer(ModelSerializer):
    lead = serializers.IntegerField(source="lead_id", read_only=True, allow_null=True)

    class Meta:
        model = IntakeEvent
        fields = [
            "id",
            "channel",
            "external_id",
            "reference",
            "platform",
            "received_at",
            "payload",
            "status",
            "error",
            "attempts",
            "processed_at",
            "lead",
            "outcome",
            "reply_status",
            "replied_at",
        ]
        read_only_fields = fields


class IntakeEventFilter(django_filters.FilterSet):
    """Indexed: (status, received_at), (channel, received_at), received_at."""

    status = django_filters.ChoiceFilter(choices=IntakeStatus.choices)
    channel = django_filters.ChoiceFilter(choices=IntakeChannel.choices)
    received_after = MomentFilter(field_name="received_at", lookup_expr="gte")
    received_before = MomentFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = IntakeEvent
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary=_("List intake events (managers)"),
        description=_("Every accepted webhook delivery or form post, newest first (cursor pages). Managers only."),
    ),
    retrieve=extend_schema(summary=_("Read an intake event"), description=_("One event, its payload and its outcome.")),
)
class IntakeEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IntakeEventSerializer
    filterset_class = IntakeEventFilter
    pagination_class = Cursor
    cursor_ordering = ("-received_at", "-id")
    queryset = IntakeEvent.objects.all()
    managers_only = True
    schema_tags = ["intake"]
