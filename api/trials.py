"""Trial lessons: list, read, book, reschedule, mark attended / no-show,
record the result, cancel. Reads through trials.selectors.trials_visible_to,
writes through trials.services (which move the lead's status and plan the
reminders), as the admin does."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ModelSerializer
from api.filters import IdFilter, id_input
from api.scheduling import _group_or_error, _visible_lead_or_error
from trials import services
from trials.models import ReminderState, Trial, TrialResult, TrialStatus
from trials.selectors import trials_visible_to


class TrialReminderSerializer(serializers.Serializer):
    """When the reminders about the trial are due and whether they went out."""

    pre_trial_reminder_scheduled_at = serializers.DateTimeField()
    pre_trial_reminder_status = serializers.ChoiceField(choices=ReminderState.choices)
    pre_trial_reminder_sent_at = serializers.DateTimeField(allow_null=True)
    pre_trial_reminder_sent = serializers.BooleanField(read_only=True)
    post_trial_reminder_scheduled_at = serializers.DateTimeField()
    post_trial_reminder_status = serializers.ChoiceField(choices=ReminderState.choices)
    post_trial_reminder_sent_at = serializers.DateTimeField(allow_null=True)
    post_trial_reminder_sent = serializers.BooleanField(read_only=True)


class TrialSerializer(ModelSerializer):
    lead = serializers.IntegerField(source="lead_id", read_only=True)
    group = serializers.IntegerField(source="group_id", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    booked_by = serializers.IntegerField(source="booked_by_id", read_only=True, allow_null=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    reminder = serializers.SerializerMethodField()

    class Meta:
        model = Trial
        fields = [
            "id",
            "lead",
            "group",
            "group_name",
            "scheduled_date",
            "scheduled_time",
            "starts_at",
            "ends_at",
            "status",
            "result",
            "notes",
            "booked_by",
            "booked_at",
            "attendance_marked_at",
            "result_recorded_at",
            "cancelled_at",
            "cancel_reason",
            "reminder",
        ]
        read_only_fields = fields

    @extend_schema_field(TrialReminderSerializer(allow_null=True))
    def get_reminder(self, trial):
        try:
            reminder = trial.reminder
        except ObjectDoesNotExist:
            return None
        return TrialReminderSerializer(reminder).data


class TrialBookSerializer(serializers.Serializer):
    lead = id_input()
    group = id_input()
    date = serializers.DateField(help_text=_("A day the group meets."))
    time = serializers.TimeField(required=False, allow_null=True, help_text=_("Default: the group's start time."))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TrialRescheduleSerializer(serializers.Serializer):
    date = serializers.DateField()
    time = serializers.TimeField(required=False, allow_null=True)
    group = id_input(required=False, allow_null=True, help_text=_("Another group; default the same."))


class TrialResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=[(v, label) for v, label in TrialResult.choices if v != TrialResult.PENDING]
    )
    mark_lost = serializers.BooleanField(required=False, default=False, help_text=_("With rejected: the lead is lost."))
    lost_reason = serializers.CharField(required=False, allow_blank=True, max_length=255)


class TrialCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)


class TrialFilter(django_filters.FilterSet):
    """Indexed: (status, scheduled_date), (group, scheduled_date, status), lead."""

    status = django_filters.MultipleChoiceFilter(choices=TrialStatus.choices)
    lead = IdFilter(field_name="lead_id")
    group = IdFilter(field_name="group_id")
    date_from = django_filters.DateFilter(field_name="scheduled_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="scheduled_date", lookup_expr="lte")

    class Meta:
        model = Trial
        fields = []


CHANGE = ("trials.change_trial",)


@extend_schema_view(
    list=extend_schema(
        summary=_("List trials"),
        description=_("Trial lessons of the leads the caller may see, latest first."),
    ),
    retrieve=extend_schema(summary=_("Read a trial"), description=_("One trial lesson with its reminders.")),
    create=extend_schema(
        summary=_("Book a trial"),
        description=_(
            "Book a lead into a lesson (trials.services.trial_book): the group must meet that day and have a "
            "free place (students and booked trials counted); the lead becomes “trial scheduled” and the "
            "reminders are planned."
        ),
        request=TrialBookSerializer,
        responses={201: TrialSerializer},
        examples=[
            OpenApiExample("Book", value={"lead": 42, "group": 7, "date": "2026-12-02", "notes": ""}, request_only=True)
        ],
    ),
)
class TrialViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = TrialSerializer
    filterset_class = TrialFilter
    queryset = Trial.objects.all()
    schema_tags = ["trials"]
    required_perms = {
        "reschedule": CHANGE,
        "mark_attended": CHANGE,
        "mark_no_show": CHANGE,
        "record_result": CHANGE,
        "cancel": CHANGE,
    }
    service_field_names = {"scheduled_date": "date"}

    def get_queryset(self):
        base = Trial.objects.select_related("group", "reminder").order_by("-scheduled_date", "-scheduled_time", "-id")
        return trials_visible_to(self.request.user, base)

    def _answer(self, trial, code=status.HTTP_200_OK):
        return Response(TrialSerializer(self.get_queryset().get(pk=trial.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = TrialBookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lead = _visible_lead_or_error(request.user, values["lead"])
        group = _group_or_error(values["group"])
        trial = services.trial_book(
            lead=lead,
            group=group,
            date=values["date"],
            time=values.get("time"),
            notes=values.get("notes", ""),
            by=request.user,
        )
        return self._answer(trial, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Reschedule a trial"),
        description=_("Move a scheduled trial to another lesson (same or another group); the reminders move with it."),
        request=TrialRescheduleSerializer,
        responses={200: TrialSerializer},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        trial = self.get_object()
        data = TrialRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = _group_or_error(values["group"]) if values.get("group") else None
        services.trial_reschedule(
            trial=trial, date=values["date"], time=values.get("time"), group=group, by=request.user
        )
        return self._answer(trial)

    @extend_schema(
        summary=_("Mark a trial attended"),
        description=_("After the start only; the lead becomes “trial attended”."),
        request=None,
        responses={200: TrialSerializer},
    )
    @action(detail=True, methods=["post"], url_path="mark-attended")
    def mark_attended(self, request, pk=None):
        trial = self.get_object()
        services.trial_mark_attended(trial=trial, by=request.user)
        return self._answer(trial)

    @extend_schema(
        summary=_("Mark a trial no-show"),
        description=_("After the start only; the lead goes back to “interested”."),
        request=None,
        responses={200: TrialSerializer},
    )
    @action(detail=True, methods=["post"], url_path="mark-no-show")
    def mark_no_show(self, request, pk=None):
        trial = self.get_object()
        services.trial_mark_no_show(trial=trial, by=request.user)
        return self._answer(trial)

    @extend_schema(
        summary=_("Record a trial's result"),
        description=_(
            "For an attended trial: sales offer made, accepted (the lead is enrolled into the group and becomes "
            "“enrolled”) or rejected (optionally marking the lead lost)."
        ),
        request=TrialResultSerializer,
        responses={200: TrialSerializer},
        examples=[OpenApiExample("Accepted", value={"result": "accepted"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="record-result")
    def record_result(self, request, pk=None):
        trial = self.get_object()
        data = TrialResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.trial_record_result(
            trial=trial,
            result=values["result"],
            mark_lost=values.get("mark_lost", False),
            lost_reason=values.get("lost_reason", ""),
            by=request.user,
        )
        return self._answer(trial)

    @extend_schema(
        summary=_("Cancel a trial"),
        description=_("Cancel a scheduled trial; its reminders are dropped and the lead goes back to “interested”."),
        request=TrialCancelSerializer,
        responses={200: TrialSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        trial = self.get_object()
        data = TrialCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.trial_cancel(trial=trial, by=request.user, reason=data.validated_data.get("reason", ""))
        return self._answer(trial)
