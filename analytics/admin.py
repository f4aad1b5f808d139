"""Analytics in admin: the rollup tables (read-only), the marketing inputs
(typed or imported) and the dashboard. Managers see everything; a salesperson
sees only their own SalesKPI rows."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Cast
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts import roles
from analytics.models import (
    SOURCE_FIELDS,
    Dashboard,
    GroupAnalytics,
    GroupRecommendation,
    LeadMetrics,
    MarketingAnalytics,
    MarketingSpend,
    RecommendationKind,
    RollupRun,
    RoomDayUsage,
    SalesKPI,
)
from analytics.services import marketing_export
from analytics.services.marketing_spend import marketing_spend_import, marketing_spend_record
from analytics.views import dashboard_context, local_stamp
from core.admin_tools import ExportMixin, ReadOnlyAdminMixin, add_service_errors, admin_page_context, salesperson_filter
from core.badges import BLUE, GREY, ORANGE, badge, occupancy_badge, percent_colour
from core.durations import duration_words
from leads.badges import SOURCE_COLOURS, source_badge
from leads.models import LeadSource
from scheduling.patterns import DayPattern

# The seed's colour coding for conversion: green >= 20 %, orange 10-20 %, red < 10 %.
CONVERSION_GREEN_FROM, CONVERSION_ORANGE_FROM = 20, 10


def ratio(numerator: str, denominator: str):
    """numerator * 100 / denominator as an annotation, NULL when the denominator is 0."""
    return Case(
        When(**{denominator: 0}, then=Value(None, output_field=FloatField())),
        default=Cast(F(numerator), FloatField()) * 100.0 / Cast(F(denominator), FloatField()),
        output_field=FloatField(),
    )


def conversion_badge(value):
    if value is None:
        return badge("—", GREY)
    colour = percent_colour(value, green_from=CONVERSION_GREEN_FROM, orange_from=CONVERSION_ORANGE_FROM)
    return badge(f"{value:.1f} %", colour)


def money(value):
    if value is None:
        return "—"
    return f"{value:,.0f}".replace(",", " ")


class ManagersOnly:
    def has_module_permission(self, request):
        return roles.is_manager(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return roles.is_manager(request.user) and super().has_view_permission(request, obj)


class ReadOnlyRollupAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    """Rollup rows are written by the rollup only; people read and export them."""

    date_hierarchy = "date"
    list_per_page = 100
    actions = []

    # When each row's figures were computed (local time); list_display ends with it.
    @admin.display(description=_("updated"), ordering="computed_at")
    def updated(self, obj):
        return local_stamp(obj.computed_at)


@admin.register(SalesKPI)
class SalesKPIAdmin(ReadOnlyRollupAdmin):
    list_display = [
        "date",
        "salesperson",
        "new_contacts",
        "followups_completed",
        "followups_overdue",
        "followup_percent",
        "trials_scheduled",
        "trials_attended",
        "trials_no_show",
        "sales_offers_made",
        "enrollments",
        "lost_leads",
        "response_time",
        "trial_conversion",
        "overall_conversion",
        "updated",
    ]
    list_select_related = ["salesperson"]
    list_filter = [salesperson_filter("salesperson")]
    search_fields = ["salesperson__username", "salesperson__first_name", "salesperson__last_name"]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                followup_pct=Case(
                    When(followups_completed=0, followups_overdue=0, then=Value(None, output_field=FloatField())),
                    default=Cast(F("followups_completed"), FloatField())
                    * 100.0
                    / Cast(F("followups_completed") + F("followups_overdue"), FloatField()),
                    output_field=FloatField(),
                ),
                trial_pct=ratio("enrollments", "trials_attended"),
                overall_pct=ratio("enrollments", "new_contacts"),
            )
        )
        if roles.is_manager(request.user):
            return queryset
        if roles.is_salesperson(request.user):
            return queryset.filter(salesperson=request.user)
        return queryset.none()

    @admin.display(description=_("follow-up deadlines met %"), ordering="followup_pct")
    def followup_percent(self, obj):
        return (
            conversion_badge(obj.followup_pct)
            if obj.followup_pct is None
            else badge(f"{obj.followup_pct:.1f} %", percent_colour(obj.followup_pct, green_from=90, orange_from=70))
        )

    @admin.display(description=_("enrolled / trials attended"), ordering="trial_pct")
    def trial_conversion(self, obj):
        return conversion_badge(obj.trial_pct)

    @admin.display(description=_("enrolled / first contacts"), ordering="overall_pct")
    def overall_conversion(self, obj):
        return conversion_badge(obj.overall_pct)

    @admin.display(description=_("avg response (assigned → first contact)"), ordering="avg_response_time")
    def response_time(self, obj):
        if obj.avg_response_time is None:
            return "—"
        return duration_words(obj.avg_response_time)


@admin.register(LeadMetrics)
class LeadMetricsAdmin(ManagersOnly, ReadOnlyRollupAdmin):
    # The funnel's figures first (the same as the sales KPIs'), then the moves to each status.
    list_display = [
        "date",
        "total_leads",
        "sources",
        "new_contacts",
        "trials_booked",
        "trials_attended",
        "enrolled",
        "lost",
        "contacted",
        "interested",
        "trial_scheduled",
        "trial_attended",
        "assigned",
        "unassigned",
        "conversion",
        "trial_conversion",
        "updated",
    ]
    export_fields = [
        "date",
        "total_leads",
        *SOURCE_FIELDS.values(),
        "new_contacts",
        "trials_booked",
        "trials_attended",
        "enrolled",
        "lost",
        "contacted",
        "interested",
        "trial_scheduled",
        "trial_attended",
        "assigned",
        "unassigned",
        "conversion",
        "trial_conversion",
        "updated",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(conversion_pct=ratio("enrolled", "total_leads"), trial_pct=ratio("enrolled", "trials_attended"))
        )

    @admin.display(description=_("new leads by source"))
    def sources(self, obj):
        parts = [(source, count) for source, count in obj.source_breakdown.items() if count]
        if not parts:
            return "—"
        return format_html_join(
            " ", "{}", ((badge(f"{LeadSource(s).label} {n}", SOURCE_COLOURS[LeadSource(s)]),) for s, n in parts)
        )

    @admin.display(description=_("enrolled / new leads"), ordering="conversion_pct")
    def conversion(self, obj):
        return conversion_badge(obj.conversion_pct)

    @admin.display(description=_("enrolled / trials attended"), ordering="trial_pct")
    def trial_conversion(self, obj):
        return conversion_badge(obj.trial_pct)


@admin.register(MarketingAnalytics)
class MarketingAnalyticsAdmin(ManagersOnly, ReadOnlyRollupAdmin):
    list_display = [
        "date",
        "channel_label",
        "impressions",
        "clicks",
        "ctr_display",
        "leads_generated",
        "cost_display",
        "cpl_display",
        "enrollments_from_channel",
        "cpa_display",
        "conversion",
        "updated",
    ]
    list_filter = ["channel"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(conversion_pct=ratio("enrollments_from_channel", "leads_generated"))
        )

    @admin.display(description=_("channel"), ordering="channel")
    def channel_label(self, obj):
        return source_badge(obj.channel)

    @admin.display(description=_("CTR %"), ordering="ctr")
    def ctr_display(self, obj):
        return "—" if obj.ctr is None else f"{obj.ctr} %"

    @admin.display(description=_("cost (UZS)"), ordering="cost_total")
    def cost_display(self, obj):
        return money(obj.cost_total)

    @admin.display(description=_("cost per new lead (UZS)"), ordering="cpl")
    def cpl_display(self, obj):
        return money(obj.cpl)

    @admin.display(description=_("cost per lead enrolled (UZS)"), ordering="cpa")
    def cpa_display(self, obj):
        return money(obj.cpa)

    @admin.display(description=_("enrolled / new leads"), ordering="conversion_pct")
    def conversion(self, obj):
        return conversion_badge(obj.conversion_pct)


@admin.register(GroupAnalytics)
class GroupAnalyticsAdmin(ManagersOnly, ReadOnlyRollupAdmin):
    list_display = [
        "date",
        "full_groups",
        "near_full_groups",
        "empty_groups",
        "rooms_in_use",
        "occupancy",
        "trial_students",
        "trial_rate",
        "expected_enrollments",
        "new_groups_link",
        "combine_link",
        "updated",
    ]

    @admin.display(description=_("avg room occupancy %"), ordering="avg_room_occupancy")
    def occupancy(self, obj):
        return occupancy_badge(obj.avg_room_occupancy)

    @admin.display(description=_("trial → enrolled %, last 30 days"), ordering="trial_conversion_rate")
    def trial_rate(self, obj):
        return conversion_badge(obj.trial_conversion_rate)

    def _recommendations_link(self, obj, kind, count):
        if not count:
            return "0"
        url = reverse("admin:analytics_grouprecommendation_changelist")
        query = urlencode({"date": obj.date.isoformat(), "kind": kind})
        return format_html('<a href="{}?{}">{}</a>', url, query, count)

    @admin.display(description=_("new groups recommended"), ordering="new_groups_recommended")
    def new_groups_link(self, obj):
        return self._recommendations_link(obj, RecommendationKind.NEW_GROUP, obj.new_groups_recommended)

    @admin.display(description=_("groups to combine"), ordering="groups_to_combine")
    def combine_link(self, obj):
        return self._recommendations_link(obj, RecommendationKind.COMBINE, obj.groups_to_combine)


@admin.register(GroupRecommendation)
class GroupRecommendationAdmin(ManagersOnly, ReadOnlyRollupAdmin):
    list_display = ["date", "kind_label", "course", "group_names", "slot", "suggested_room", "reason", "updated"]
    list_select_related = ["course", "suggested_room"]

    list_filter = ["kind", "date", "course"]
    search_fields = ["course__name", "reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("updated"), ordering="created_at")
    def updated(self, obj):
        return local_stamp(obj.created_at)  # rebuilt by every rollup of its day

    @admin.display(description=_("recommendation"), ordering="kind")
    def kind_label(self, obj):
        return badge(obj.get_kind_display(), BLUE if obj.kind == RecommendationKind.NEW_GROUP else ORANGE)

    @admin.display(description=pgettext_lazy("study group", "groups"))
    def group_names(self, obj):
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "—"

    @admin.display(description=_("suggested slot"))
    def slot(self, obj):
        if not obj.suggested_start_time:
            return "—"
        days = DayPattern(obj.suggested_days).label if obj.suggested_days else ""
        return f"{days} {obj.suggested_start_time:%H:%M}–{obj.suggested_end_time:%H:%M}".strip()


@admin.register(RoomDayUsage)
class RoomDayUsageAdmin(ManagersOnly, ReadOnlyRollupAdmin):
    list_display = ["date", "room", "lessons", "seats_offered", "seats_taken", "occupancy", "updated"]
    list_select_related = ["room"]
    list_filter = ["room"]
    search_fields = ["room__name"]

    @admin.display(description=_("occupancy %"), ordering="occupancy_percent")
    def occupancy(self, obj):
        return occupancy_badge(obj.occupancy_percent)


class SpendImportForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=LeadSource.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("Daily report exported from the ad platform: Day, Amount spent (UZS), Impressions, Link clicks."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = marketing_export.MAX_FILE_BYTES
        if upload.size > limit:  # refuse before reading it into memory
            raise ValidationError(
                marketing_export.FILE_TOO_BIG.format(size_kb=upload.size // 1024, limit_kb=limit // 1024)
            )
        return upload


@admin.register(MarketingSpend)
class MarketingSpendAdmin(ManagersOnly, ExportMixin, admin.ModelAdmin):
    list_display = ["date", "channel_label", "impressions", "clicks", "cost_display", "source", "entered_by", "note"]
    list_select_related = ["entered_by"]
    list_filter = ["channel", "source"]
    search_fields = ["note"]
    date_hierarchy = "date"
    fields = ["date", "channel", "impressions", "clicks", "cost", "note"]
    change_list_template = "admin/analytics/marketingspend/change_list.html"

    @admin.display(description=_("channel"), ordering="channel")
    def channel_label(self, obj):
        return source_badge(obj.channel)

    @admin.display(description=_("cost (UZS)"), ordering="cost")
    def cost_display(self, obj):
        return money(obj.cost)

    def save_model(self, request, obj, form, change):
        saved = marketing_spend_record(
            date=obj.date,
            channel=obj.channel,
            impressions=obj.impressions,
            clicks=obj.clicks,
            cost=obj.cost,
            by=request.user,
            note=obj.note,
        )
        obj.pk = saved.pk

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="analytics_marketingspend_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SpendImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                upload = form.cleaned_data["file"]
                result = marketing_spend_import(
                    raw=upload.read(), channel=form.cleaned_data["channel"], by=request.user, name=upload.name
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(
                    request,
                    gettext(
                        "Imported %(days)d day(s): %(created)d added, %(updated)d replaced "
                        "(%(first)s to %(last)s). The days are being rolled up again."
                    )
                    % {
                        "days": len(result.days),
                        "created": result.created,
                        "updated": result.updated,
                        "first": f"{result.days[0]:%d.%m.%Y}",
                        "last": f"{result.days[-1]:%d.%m.%Y}",
                    },
                    messages.SUCCESS,
                )
                return redirect("admin:analytics_marketingspend_changelist")
        context = admin_page_context(self, request, title=_("Import ad spend"), form=form)
        return TemplateResponse(request, "admin/analytics/marketingspend/import.html", context)


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdminMixin, ManagersOnly, admin.ModelAdmin):
    list_display = ["date", "last_started_at", "last_finished_at", "last_duration_ms", "runs"]
    date_hierarchy = "date"


@admin.register(Dashboard)
class DashboardAdmin(ReadOnlyAdminMixin, ManagersOnly, admin.ModelAdmin):
    """The dashboard is the 'changelist' of a proxy model, so it is listed on the
    admin index under Analytics for whoever may see it (managers, superusers)."""

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.changelist_view), name="analytics_dashboard_changelist")]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = admin_page_context(self, request, title=_("Analytics dashboard"), **dashboard_context(request.GET))
        return TemplateResponse(request, "admin/analytics/dashboard.html", context)
