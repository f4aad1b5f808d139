"""The analytics rollups (read) and marketing spend (managers: read, record,
import an ad-platform export). Rollups are written only by the rollup;
spend through analytics.services.marketing_spend, which re-rolls its days."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts import roles
from analytics.models import GroupAnalytics, LeadMetrics, MarketingAnalytics, MarketingSpend, RoomDayUsage, SalesKPI
from analytics.services.marketing_export import MAX_COUNT, MAX_FILE_BYTES
from analytics.services.marketing_spend import marketing_spend_import, marketing_spend_record
from api.base import ModelSerializer
from api.filters import IdFilter
from leads.models import LeadSource


class DateRangeFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")


def _rollup_serializer(model_class, extra=()):
    class Meta:
        model = model_class
        fields = "__all__"
        read_only_fields = [f.name for f in model_class._meta.concrete_fields]

    attrs = {"Meta": Meta}
    for name in extra:
        attrs[name] = serializers.DecimalField(max_digits=7, decimal_places=1, read_only=True, allow_null=True)
    return type(f"{model_class.__name__}Serializer", (ModelSerializer,), attrs)


SalesKPISerializer = _rollup_serializer(
    SalesKPI, extra=("followup_completion_percent", "trial_to_conversion_percent", "overall_conversion_percent")
)
LeadMetricsSerializer = _rollup_serializer(
    LeadMetrics, extra=("conversion_rate_percent", "trial_to_conversion_percent")
)
GroupAnalyticsSerializer = _rollup_serializer(GroupAnalytics)
MarketingAnalyticsSerializer = _rollup_serializer(MarketingAnalytics)
RoomDayUsageSerializer = _rollup_serializer(RoomDayUsage)


def _rollup_view(model_class, serializer_class, *, tag, summary, description, managers_only=True, filter_fields=None):
    filters = type(
        f"{model_class.__name__}Filter",
        (DateRangeFilter,),
        {
            "Meta": type("Meta", (), {"model": model_class, "fields": []}),
            **(filter_fields or {}),
        },
    )
    view = type(
        f"{model_class.__name__}ViewSet",
        (viewsets.ReadOnlyModelViewSet,),
        {
            "queryset": model_class.objects.all(),
            "serializer_class": serializer_class,
            "filterset_class": filters,
            "managers_only": managers_only,
            "schema_tags": [tag],
            "__doc__": description,
        },
    )
    return extend_schema_view(
        list=extend_schema(summary=summary, description=description),
        retrieve=extend_schema(summary=_("Read one row"), description=description),
    )(view)


class SalesKPIViewSet(viewsets.ReadOnlyModelViewSet):
    """A salesperson reads their own rows, managers everyone's (as in the admin)."""

    serializer_class = SalesKPISerializer
    queryset = SalesKPI.objects.all()
    schema_tags = ["analytics"]
    filterset_class = type(
        "SalesKPIFilter",
        (DateRangeFilter,),
        {
            "Meta": type("Meta", (), {"model": SalesKPI, "fields": []}),
            "salesperson": IdFilter(field_name="salesperson_id"),
        },
    )

    def get_queryset(self):
        queryset = SalesKPI.objects.order_by("-date", "salesperson_id")
        user = self.request.user
        if roles.is_manager(user):
            return queryset
        if roles.is_salesperson(user):
            return queryset.filter(salesperson=user)
        return queryset.none()


SalesKPIViewSet = extend_schema_view(
    list=extend_schema(
        summary=_("Sales KPIs per day"),
        description=_("One row per local day and salesperson; a salesperson sees only their own."),
    ),
    retrieve=extend_schema(summary=_("Read a sales KPI row"), description=_("One day of one salesperson.")),
)(SalesKPIViewSet)

LeadMetricsViewSet = _rollup_view(
    LeadMetrics,
    LeadMetricsSerializer,
    tag="analytics",
    summary=_("Lead metrics per day (managers)"),
    description=_("New leads by source and the day's status moves, per local day."),
)
GroupAnalyticsViewSet = _rollup_view(
    GroupAnalytics,
    GroupAnalyticsSerializer,
    tag="analytics",
    summary=_("Group analytics per day (managers)"),
    description=_("Full, near-full and empty groups, room use, trial demand and recommendations, per local day."),
)
MarketingAnalyticsViewSet = _rollup_view(
    MarketingAnalytics,
    MarketingAnalyticsSerializer,
    tag="analytics",
    summary=_("Marketing analytics per day (managers)"),
    description=_("Impressions, clicks, CTR, leads, cost, CPL, enrolments and CPA per local day and channel."),
    filter_fields={"channel": django_filters.ChoiceFilter(choices=LeadSource.choices)},
)
RoomDayUsageViewSet = _rollup_view(
    RoomDayUsage,
    RoomDayUsageSerializer,
    tag="analytics",
    summary=_("Room usage per day (managers)"),
    description=_("Lessons, seats offered and taken, occupancy % per local day and room."),
    filter_fields={"room": IdFilter(field_name="room_id")},
)


# --- marketing spend ----------------------------------------------------------------------------


class MarketingSpendSerializer(ModelSerializer):
    entered_by = serializers.IntegerField(source="entered_by_id", read_only=True, allow_null=True)
    # Explicit bounds: the model field's own depend on the database (SQLite's
    # integers are 64-bit), and the contract must not.
    impressions = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False, default=0)
    clicks = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False, default=0)

    class Meta:
        model = MarketingSpend
        fields = [
            "id",
            "date",
            "channel",
            "impressions",
            "clicks",
            "cost",
            "source",
            "entered_by",
            "note",
            "updated_at",
        ]
        read_only_fields = ["id", "source", "entered_by", "updated_at"]
        validators = []  # one row per day and channel: recording again replaces it


class SpendImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Meta Ads Manager daily report (UTF-16 TSV or CSV)."))
    channel = serializers.ChoiceField(choices=LeadSource.choices)


class SpendImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    days = serializers.ListField(child=serializers.DateField())


class SpendFilter(DateRangeFilter):
    channel = django_filters.ChoiceFilter(choices=LeadSource.choices)

    class Meta:
        model = MarketingSpend
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary=_("List marketing spend (managers)"), description=_("What was spent per day and channel.")
    ),
    retrieve=extend_schema(summary=_("Read marketing spend"), description=_("One day and channel.")),
    create=extend_schema(
        summary=_("Record marketing spend"),
        description=_(
            "Store a day's spend, impressions and clicks on a channel (replacing what was there) and re-roll the day."
        ),
        examples=[
            OpenApiExample(
                "Instagram",
                value={
                    "date": "2026-11-30",
                    "channel": "instagram",
                    "impressions": 12000,
                    "clicks": 340,
                    "cost": "850000.00",
                },
                request_only=True,
            )
        ],
    ),
)
class MarketingSpendViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = MarketingSpendSerializer
    filterset_class = SpendFilter
    queryset = MarketingSpend.objects.order_by("-date", "channel")
    managers_only = True
    schema_tags = ["marketing spend"]
    required_perms = {"import_export": ("analytics.add_marketingspend", "analytics.change_marketingspend")}

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        spend = marketing_spend_record(
            date=data["date"],
            channel=data["channel"],
            impressions=data.get("impressions", 0),
            clicks=data.get("clicks", 0),
            cost=data.get("cost", 0),
            note=data.get("note", ""),
            by=request.user,
        )
        return Response(MarketingSpendSerializer(spend).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Import an ad-platform export"),
        description=_(
            "A daily report (Day, Amount spent (UZS), Impressions, Link clicks) for one channel, all or nothing; "
            "the imported days are re-rolled."
        ),
        request={"multipart/form-data": SpendImportSerializer},
        responses={201: SpendImportResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_export(self, request):
        data = SpendImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        raw = upload.read(MAX_FILE_BYTES + 1)
        result = marketing_spend_import(
            raw=raw, channel=data.validated_data["channel"], by=request.user, name=upload.name
        )
        return Response(
            SpendImportResultSerializer(
                {"created": result.created, "updated": result.updated, "days": result.days}
            ).data,
            status=status.HTTP_201_CREATED,
        )

    def get_throttles(self):
        if self.action == "import_export":
            self.throttle_scope = "api_upload"
        return super().get_throttles()
