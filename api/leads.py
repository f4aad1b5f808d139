"""Leads: list, create, read, edit details; change status, assign (managers),
mark lost, record contact, set the next follow-up; a lead's status history
and inquiries. Reads through leads.selectors.leads_visible_to, writes through
leads.services and reminders.services, as the admin does."""

from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import roles
from api.base import (
    BRIEF_PARAMETER,
    BriefMixin,
    CursorOrderingMixin,
    ModelSerializer,
    UserBriefSerializer,
    ordering_parameter,
)
from api.filters import IdFilter, MomentFilter, id_input
from api.pagination import Cursor
from core.days import day_bounds
from leads import services
from leads.models import Lead, LeadInquiry, LeadSource, LeadStatus, LeadStatusChange
from leads.phones import try_normalize_phone
from leads.search import lead_search_q
from leads.selectors import lead_phone_search_filter, leads_visible_to
from reminders import services as reminder_services

DETAIL_FIELDS = sorted(services.LEAD_DETAIL_FIELDS - {"phone_raw"})


# --- serializers --------------------------------------------------------------------


class LeadBriefSerializer(ModelSerializer):
    class Meta:
        model = Lead
        fields = ["id", "full_name", "phone", "status"]
        read_only_fields = fields


class LeadSerializer(ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    assigned_to = serializers.IntegerField(source="assigned_to_id", read_only=True, allow_null=True)
    salesperson = UserBriefSerializer(source="assigned_to", read_only=True, allow_null=True)
    allowed_next_statuses = serializers.SerializerMethodField(
        help_text=_(
            "What change-status accepts now. Trial scheduled, trial attended and enrolled are not among them: "
            "they follow from booking a trial, its attendance and its result (or an enrolment)."
        )
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            *DETAIL_FIELDS,
            "phone_raw",
            "phone_display",
            "status",
            "status_label",
            "allowed_next_statuses",
            "lost_reason",
            "assigned_to",
            "salesperson",
            "next_followup_at",
            "inquiry_count",
            "last_inquiry_at",
            "last_inquiry_source",
            "created_at",
            "updated_at",
            "assigned_at",
            "first_contacted_at",
            "status_changed_at",
        ]
        read_only_fields = fields

    def get_allowed_next_statuses(self, lead) -> list[str]:
        return services.manual_next_statuses(lead)


class LeadCreateSerializer(ModelSerializer):
    phone = serializers.CharField(max_length=64, help_text=_("Typed any way: 90 123 45 67, +998 90 123-45-67."))
    assigned_to = id_input(
        required=False,
        allow_null=True,
        help_text=_("A salesperson's user id (managers). A salesperson's new lead is always their own."),
    )

    class Meta:
        model = Lead
        fields = [*DETAIL_FIELDS, "assigned_to"]
        extra_kwargs = {"source": {"required": True}}
        validators = []  # the service decides on the phone (normalised, unique)


class LeadUpdateSerializer(ModelSerializer):
    phone = serializers.CharField(max_length=64, required=False)

    class Meta:
        model = Lead
        fields = DETAIL_FIELDS
        validators = []


class ChangeStatusSerializer(serializers.Serializer):
    # Only the statuses that need no record behind them (leads.services.MANUAL_STATUSES).
    status = serializers.ChoiceField(
        choices=[(v, label) for v, label in LeadStatus.choices if v in services.MANUAL_STATUSES]
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, help_text=_("Required for lost."))
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    salesperson = id_input(
        allow_null=True, help_text=_("An active salesperson's user id; null takes the lead from its salesperson.")
    )


class MarkLostSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class RecordContactSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class FollowUpSetSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(help_text=_("Contact deadline (ISO 8601; local time if no offset)."))
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class StatusChangeSerializer(ModelSerializer):
    changed_by = serializers.IntegerField(source="changed_by_id", read_only=True, allow_null=True)

    class Meta:
        model = LeadStatusChange
        fields = ["id", "lead", "from_status", "to_status", "changed_by", "changed_at", "note"]
        read_only_fields = fields


class InquirySerializer(ModelSerializer):
    class Meta:
        model = LeadInquiry
        fields = ["id", "lead", "source", "received_at", "is_repeat", "note"]
        read_only_fields = fields


# --- filters -----------------------------------------------------------------------

FOLLOWUP_CHOICES = [
    ("overdue", _("Overdue")),
    ("today", _("Due today")),
    ("open", _("Any open")),
    ("none", _("None open")),
]


class LeadFilter(django_filters.FilterSet):
    """Only indexed columns: status, source, salesperson, created_at, next_followup_at, phone."""

    status = django_filters.MultipleChoiceFilter(choices=LeadStatus.choices)
    source = django_filters.MultipleChoiceFilter(choices=LeadSource.choices)
    assigned_to = IdFilter(field_name="assigned_to_id", help_text=_("Salesperson's user id."))
    unassigned = django_filters.BooleanFilter(field_name="assigned_to", lookup_expr="isnull")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    followup = django_filters.ChoiceFilter(choices=FOLLOWUP_CHOICES, method="filter_followup")
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=100,
        help_text=_("A phone typed any way (or 4+ of its digits), else part of the name or e-mail, as in the admin."),
    )

    class Meta:
        model = Lead
        fields = []

    def filter_followup(self, queryset, name, value):
        now = timezone.now()
        if value == "overdue":
            return queryset.filter(next_followup_at__lt=now)
        if value == "today":
            return queryset.filter(next_followup_at__gte=now, next_followup_at__lt=day_bounds(timezone.localdate())[1])
        if value == "open":
            return queryset.filter(next_followup_at__isnull=False)
        return queryset.filter(next_followup_at__isnull=True)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        phone = lead_phone_search_filter(value)
        if phone:
            return queryset.filter(**phone)
        return queryset.filter(lead_search_q(value))


# --- views --------------------------------------------------------------------------

LEAD_ORDERINGS = {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")}

CHANGE = ("leads.change_lead",)


@extend_schema_view(
    list=extend_schema(
        summary=_("List leads"),
        description=_(
            "Leads the caller may see (a salesperson: their own), newest first, by cursor pages. "
            "Filters use indexed columns only."
        ),
        parameters=[BRIEF_PARAMETER, ordering_parameter(LEAD_ORDERINGS)],
    ),
    retrieve=extend_schema(
        summary=_("Read a lead"), description=_("One lead with its state."), parameters=[BRIEF_PARAMETER]
    ),
    create=extend_schema(
        summary=_("Create a lead"),
        description=_(
            "A new lead with its first history row and inquiry (leads.services.lead_create). The phone is "
            "normalised; a phone that already belongs to a lead is refused."
        ),
        request=LeadCreateSerializer,
        responses={201: LeadSerializer},
        examples=[
            OpenApiExample(
                "A landing-page inquiry",
                value={
                    "phone": "90 123 45 67",
                    "full_name": "Aziza Karimova",
                    "source": "landing",
                    "course_interest": "IELTS",
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary=_("Edit a lead's details"),
        description=_(
            "Name, phone, e-mail, course, comment and campaign fields; status and salesperson have their own actions."
        ),
        request=LeadUpdateSerializer,
        responses={200: LeadSerializer},
    ),
)
class LeadViewSet(
    BriefMixin,
    CursorOrderingMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = LeadSerializer
    brief_serializer_class = LeadBriefSerializer
    filterset_class = LeadFilter
    pagination_class = Cursor
    cursor_ordering = LEAD_ORDERINGS["-created_at"]
    ordering_choices = LEAD_ORDERINGS
    http_method_names = ["get", "post", "patch", "head", "options"]
    schema_tags = ["leads"]
    managers_only_actions = ("assign",)
    required_perms = {
        "change_status": CHANGE,
        "assign": CHANGE,
        "mark_lost": CHANGE,
        "record_contact": CHANGE,
        "follow_up": (*CHANGE, "reminders.add_leadreminder"),
    }
    service_field_names = {"to_status": "status", "lost_reason": "reason"}

    def get_queryset(self):
        return leads_visible_to(self.request.user, Lead.objects.select_related("assigned_to"))

    def _answer(self, lead, code=status.HTTP_200_OK):
        # An integration user may create leads it cannot list (no role): it gets back what it made.
        fresh = self.get_queryset().filter(pk=lead.pk).first() or Lead.objects.select_related("assigned_to").get(
            pk=lead.pk
        )
        return Response(LeadSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = LeadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        salesperson_id = data.pop("assigned_to", None)
        if roles.is_restricted_to_own_leads(request.user):
            salesperson = request.user if roles.is_salesperson(request.user) else None
        elif salesperson_id is not None:
            salesperson = _salesperson_or_error(salesperson_id, field="assigned_to")
        else:
            salesperson = None
        phone = data.pop("phone")
        source = data.pop("source")
        with _phone_conflicts_worded_for(request.user, phone):
            lead = services.lead_create(phone=phone, source=source, by=request.user, assigned_to=salesperson, **data)
        return self._answer(lead, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        lead = self.get_object()
        serializer = LeadUpdateSerializer(lead, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with _phone_conflicts_worded_for(request.user, serializer.validated_data.get("phone"), exclude=lead):
            services.lead_update_details(lead=lead, by=request.user, **serializer.validated_data)
        return self._answer(lead)

    def update(self, request, *args, **kwargs):  # PUT is not offered
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        summary=_("Change a lead's status"),
        description=_(
            "Only the transitions the admin allows (see `allowed_next_statuses`); lost needs a reason. Trial "
            "scheduled, trial attended and enrolled are refused: book the trial, record its attendance and result. "
            "Writes the status history; follow-ups and trials react as in the admin."
        ),
        request=ChangeStatusSerializer,
        responses={200: LeadSerializer},
        examples=[
            OpenApiExample(
                "Interested", value={"status": "interested", "note": "Wants the evening group"}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="change-status")
    def change_status(self, request, pk=None):
        lead = self.get_object()
        data = _valid(ChangeStatusSerializer, request)
        services.lead_set_status(
            lead=lead,
            to_status=data["status"],
            by=request.user,
            reason=data.get("reason", ""),
            note=data.get("note", ""),
        )
        return self._answer(lead)

    @extend_schema(
        summary=_("Assign a lead (managers)"),
        description=_(
            "Give the lead to an active salesperson (their first-contact deadline starts), or null to take it away."
        ),
        request=AssignSerializer,
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        lead = self.get_object()
        data = _valid(AssignSerializer, request)
        if data["salesperson"] is None:
            services.lead_unassign(lead=lead, by=request.user)
        else:
            salesperson = _salesperson_or_error(data["salesperson"], field="salesperson")
            services.lead_assign(lead=lead, salesperson=salesperson, by=request.user)
        return self._answer(lead)

    @extend_schema(
        summary=_("Mark a lead lost"),
        description=_("With the reason; a scheduled trial is given up and the open follow-up closed."),
        request=MarkLostSerializer,
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"], url_path="mark-lost")
    def mark_lost(self, request, pk=None):
        lead = self.get_object()
        data = _valid(MarkLostSerializer, request)
        services.lead_mark_lost(lead=lead, reason=data["reason"], by=request.user)
        return self._answer(lead)

    @extend_schema(
        summary=_("Record contact"),
        description=_(
            "The salesperson talked to the lead: a new lead becomes contacted and the open follow-up is completed."
        ),
        request=RecordContactSerializer,
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"], url_path="record-contact")
    def record_contact(self, request, pk=None):
        lead = self.get_object()
        data = _valid(RecordContactSerializer, request)
        reminder_services.followup_record_contact(lead=lead, by=request.user, note=data.get("note", ""))
        return self._answer(lead)

    @extend_schema(
        summary=_("Set the next follow-up"),
        description=_("The next contact deadline for the lead's salesperson; the open follow-up, if any, is replaced."),
        request=FollowUpSetSerializer,
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        lead = self.get_object()
        data = _valid(FollowUpSetSerializer, request)
        reminder_services.followup_set(lead=lead, due_at=data["due_at"], note=data.get("note", ""), by=request.user)
        return self._answer(lead)


@contextmanager
def _phone_conflicts_worded_for(user, phone, *, exclude=None):
    """A phone that belongs to another lead is refused on the ``phone`` field
    without naming a lead the caller may not see (the service's message names it)."""
    try:
        yield
    except ValidationError as exc:
        e164 = try_normalize_phone(phone) if phone else None
        if not (e164 and hasattr(exc, "error_dict") and "phone" in exc.error_dict):
            raise
        others = Lead.objects.filter(phone=e164).exclude(pk=getattr(exclude, "pk", None))
        known = leads_visible_to(user, others).values_list("pk", flat=True).first()
        if known is None and not others.exists():
            raise
        message = (
            _("A lead with this phone already exists (lead %(id)s).") % {"id": known}
            if known is not None
            else _("A lead with this phone already exists.")
        )
        raise ValidationError({"phone": message}, code="duplicate_phone") from exc


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _salesperson_or_error(user_id: int, *, field: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationError({field: _("No user with id %(id)s.") % {"id": user_id}})
    return user


class LeadChildViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rows that hang off one visible lead (404 for a lead the caller may not see)."""

    pagination_class = Cursor
    schema_tags = ["leads"]

    def lead(self):
        if not hasattr(self, "_lead"):
            self._lead = get_object_or_404(leads_visible_to(self.request.user), pk=self.kwargs["lead_pk"])
        return self._lead


@extend_schema_view(
    list=extend_schema(
        summary=_("A lead's status history"),
        description=_("Every status change of the lead, oldest first (cursor pages)."),
    )
)
class LeadHistoryViewSet(LeadChildViewSet):
    serializer_class = StatusChangeSerializer
    cursor_ordering = ("changed_at", "id")
    queryset = LeadStatusChange.objects.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LeadStatusChange.objects.none()
        return LeadStatusChange.objects.filter(lead=self.lead())


@extend_schema_view(
    list=extend_schema(
        summary=_("A lead's inquiries"),
        description=_("Each time the person reached us, newest first (cursor pages)."),
    )
)
class LeadInquiryViewSet(LeadChildViewSet):
    serializer_class = InquirySerializer
    cursor_ordering = ("-received_at", "-id")
    queryset = LeadInquiry.objects.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LeadInquiry.objects.none()
        return LeadInquiry.objects.filter(lead=self.lead())
