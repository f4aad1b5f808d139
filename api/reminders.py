"""Follow-ups and deliveries (read): reminders.selectors.reminders_visible_to /
deliveries_visible_to. Follow-ups are set and met through the lead's actions
(``/leads/{id}/follow-up/``, ``/leads/{id}/record-contact/``)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.base import CursorOrderingMixin, ModelSerializer, ordering_parameter
from api.filters import IdFilter, MomentFilter
from api.pagination import Cursor
from reminders.models import Delivery, DeliveryKind, DeliveryStatus, LeadReminder, LeadReminderStatus
from reminders.selectors import deliveries_visible_to, reminders_visible_to


class FollowUpSerializer(ModelSerializer):
    salesperson = serializers.IntegerField(source="salesperson_id", read_only=True)
    lead = serializers.IntegerField(source="lead_id", read_only=True)

    class Meta:
        model = LeadReminder
        fields = [
            "id",
            "lead",
            "salesperson",
            "kind",
            "due_at",
            "status",
            "reminder_count",
            "last_sent_at",
            "note",
            "created_at",
            "completed_at",
            "completion_note",
        ]
        read_only_fields = fields


class FollowUpFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=LeadReminderStatus.choices)
    lead = IdFilter(field_name="lead_id")
    salesperson = IdFilter(field_name="salesperson_id")
    due_after = MomentFilter(field_name="due_at", lookup_expr="gte")
    due_before = MomentFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = LeadReminder
        fields = []


FOLLOWUP_ORDERINGS = {"due_at": ("due_at", "id"), "-due_at": ("-due_at", "-id")}


@extend_schema_view(
    list=extend_schema(
        summary=_("List follow-ups"),
        description=_("Contact deadlines of the leads the caller may see, soonest first (cursor pages)."),
        parameters=[ordering_parameter(FOLLOWUP_ORDERINGS)],
    ),
    retrieve=extend_schema(summary=_("Read a follow-up"), description=_("One contact deadline and its reminders.")),
)
class FollowUpViewSet(CursorOrderingMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    pagination_class = Cursor
    cursor_ordering = FOLLOWUP_ORDERINGS["due_at"]
    ordering_choices = FOLLOWUP_ORDERINGS
    queryset = LeadReminder.objects.all()
    schema_tags = ["follow-ups"]

    def get_queryset(self):
        return reminders_visible_to(self.request.user)


class DeliverySerializer(ModelSerializer):
    lead = serializers.IntegerField(source="lead_id", read_only=True, allow_null=True)
    recipient_user = serializers.IntegerField(source="recipient_user_id", read_only=True, allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "kind",
            "channel",
            "recipient_user",
            "lead",
            "object_id",
            "occurrence",
            "due_at",
            "status",
            "attempts",
            "next_attempt_at",
            "skip_reason",
            "last_error",
            "subject",
            "body",
            "sent_at",
            "gateway_id",
            "gateway_status",
            "gateway_status_at",
            "created_at",
        ]
        read_only_fields = fields


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DeliveryStatus.choices)
    kind = django_filters.ChoiceFilter(choices=DeliveryKind.choices)
    lead = IdFilter(field_name="lead_id")

    class Meta:
        model = Delivery
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary=_("List deliveries"),
        description=_(
            "Messages sent or due (email, Telegram) about the caller's leads or to the caller, "
            "newest first (cursor pages)."
        ),
    ),
    retrieve=extend_schema(summary=_("Read a delivery"), description=_("One message and what became of it.")),
)
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    pagination_class = Cursor
    cursor_ordering = ("-id",)
    queryset = Delivery.objects.all()
    schema_tags = ["deliveries"]

    def get_queryset(self):
        return deliveries_visible_to(self.request.user)
