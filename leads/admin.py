from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts import roles
from core.admin_tools import DateRangeFilter, ExportMixin, ReadOnlyAdminMixin, intermediate_action, salesperson_filter
from core.badges import BLUE, GREEN, GREY, ORANGE, PURPLE, RED, TEAL, YELLOW, BadgeMedia, badge
from leads import services
from leads.forms import AssignForm, LeadAdminForm, MarkLostForm
from leads.models import Lead, LeadInquiry, LeadSource, LeadStatus, LeadStatusChange
from leads.selectors import lead_phone_search_filter, leads_visible_to
from reminders.lead_admin import FollowUpLeadAdminMixin  # follow-up column, filter, record contact
from trials.lead_admin import TrialLeadAdminMixin  # trials panel and "Book trial"

STATUS_COLOURS = {
    LeadStatus.NEW: BLUE,
    LeadStatus.CONTACTED: TEAL,
    LeadStatus.INTERESTED: YELLOW,
    LeadStatus.TRIAL_SCHEDULED: PURPLE,
    LeadStatus.TRIAL_ATTENDED: ORANGE,
    LeadStatus.ENROLLED: GREEN,
    LeadStatus.LOST: RED,
}
SOURCE_COLOURS = {
    LeadSource.INSTAGRAM: PURPLE,
    LeadSource.TELEGRAM: BLUE,
    LeadSource.WHATSAPP: GREEN,
    LeadSource.CALL_TRACKING: ORANGE,
    LeadSource.LANDING: TEAL,
    LeadSource.GOOGLE_SHEETS: YELLOW,
    LeadSource.EXCEL: GREY,
    LeadSource.CSV: GREY,
}


def status_badge(status: str):
    return badge(LeadStatus(status).label, STATUS_COLOURS[LeadStatus(status)])


def source_badge(source: str):
    return badge(LeadSource(source).label, SOURCE_COLOURS[LeadSource(source)])


class LeadStatusChangeInline(admin.TabularInline):
    model = LeadStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    ordering = ["-changed_at", "-id"]
    verbose_name_plural = "status history"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class LeadInquiryInline(admin.TabularInline):
    model = LeadInquiry
    extra = 0
    can_delete = False
    fields = ["received_at", "source", "is_repeat", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(FollowUpLeadAdminMixin, TrialLeadAdminMixin, BadgeMedia, ExportMixin, admin.ModelAdmin):
    form = LeadAdminForm
    list_display = [
        "full_name",
        "phone_display",
        "status_label",
        "source_label",
        "assigned_to",
        "course_interest",
        "inquiry_count",
        "created_at",
    ]
    list_display_links = ["full_name", "phone_display"]
    list_select_related = ["assigned_to"]
    list_filter = [
        "status",
        "source",
        salesperson_filter("assigned_to", with_unassigned=True),
        ("created_at", DateRangeFilter),
    ]
    search_fields = ["full_name", "email", "phone"]
    search_help_text = "Name, email, or a phone typed any way (90 123 45 67)."
    date_hierarchy = "created_at"
    list_per_page = 50
    inlines = [LeadStatusChangeInline, LeadInquiryInline]
    readonly_fields = [
        "status_label",
        "phone_raw",
        "inquiry_count",
        "last_inquiry_at",
        "last_inquiry_source",
        "created_at",
        "updated_at",
        "assigned_at",
        "first_contacted_at",
        "status_changed_at",
    ]
    fieldsets = [
        (None, {"fields": ["full_name", "phone", "phone_raw", "email", "source", "course_interest", "comment"]}),
        ("Status", {"fields": ["status_label", "new_status", "lost_reason", "assigned_to"]}),
        (
            "Campaign",
            {
                "classes": ["collapse"],
                "fields": [
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    "utm_content",
                    "utm_term",
                    "campaign_id",
                    "ad_id",
                    "form_id",
                ],
            },
        ),
        ("Channels", {"classes": ["collapse"], "fields": ["telegram_chat_id", "whatsapp_id"]}),
        (
            "Timeline",
            {
                "fields": [
                    "inquiry_count",
                    "last_inquiry_at",
                    "last_inquiry_source",
                    "created_at",
                    "assigned_at",
                    "first_contacted_at",
                    "status_changed_at",
                    "updated_at",
                ],
            },
        ),
    ]
    actions = ["assign_to", "assign_round_robin", "mark_lost"]
    export_fields = [
        "full_name",
        "phone",
        "email",
        "status",
        "source",
        "assigned_to",
        "course_interest",
        "utm_source",
        "utm_campaign",
        "inquiry_count",
        "created_at",
    ]

    # --- access ---------------------------------------------------------------

    def get_queryset(self, request) -> QuerySet:
        return leads_visible_to(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not roles.is_manager(request.user):
            fields.append("assigned_to")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new lead starts as "new"; no status choice yet
            return [
                (name, {**opts, "fields": [f for f in opts["fields"] if f not in ("status_label", "new_status")]})
                for name, opts in fieldsets
            ]
        return fieldsets

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not roles.is_manager(request.user):
            actions.pop("assign_to", None)
            actions.pop("assign_round_robin", None)
        return actions

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = roles.salespeople()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        phone_filter = lead_phone_search_filter(search_term)
        if phone_filter:
            return queryset.filter(**phone_filter), False
        return super().get_search_results(request, queryset, search_term)

    # --- columns ----------------------------------------------------------------

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        return status_badge(obj.status)

    @admin.display(description="source", ordering="source")
    def source_label(self, obj):
        return source_badge(obj.source)

    @admin.display(description="phone", ordering="phone")
    def phone_display(self, obj):
        return obj.phone_display

    # --- saving through services --------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            assigned_to = form.cleaned_data.get("assigned_to")
            if roles.is_restricted_to_own_leads(request.user):
                assigned_to = request.user
            obj.assigned_to = None
            services.lead_save_new(lead=obj, by=request.user, assigned_to=assigned_to)
            return
        model_fields = {f.name for f in obj._meta.concrete_fields}
        changed = [f for f in form.changed_data if f in model_fields and f not in ("assigned_to", "lost_reason")]
        if "phone" in changed:
            changed.append("phone_raw")
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])
        if "assigned_to" in form.changed_data and roles.is_manager(request.user):
            if obj.assigned_to is not None:
                services.lead_assign(lead=obj, salesperson=obj.assigned_to, by=request.user)
            else:
                services.lead_unassign(lead=obj, by=request.user)
        new_status = form.cleaned_data.get("new_status")
        if new_status:
            services.lead_change_status(
                lead=obj, to_status=new_status, by=request.user, reason=form.cleaned_data.get("lost_reason") or ""
            )

    # --- actions -------------------------------------------------------------------

    @admin.action(description="Assign selected leads to a salesperson")
    def assign_to(self, request, queryset):
        def apply(data):
            for lead in queryset:
                services.lead_assign(lead=lead, salesperson=data["salesperson"], by=request.user)
            self.message_user(request, f"Assigned {len(queryset)} lead(s) to {data['salesperson']}.", messages.SUCCESS)

        return intermediate_action(
            self,
            request,
            queryset,
            form_class=AssignForm,
            title="Assign leads",
            apply=apply,
            form_kwargs={"salespeople": roles.salespeople()},
        )

    @admin.action(description="Assign selected leads round-robin across salespeople")
    def assign_round_robin(self, request, queryset):
        try:
            counts = services.leads_assign_round_robin(leads=queryset.order_by("id"), by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        summary = ", ".join(f"{person}: {count}" for person, count in counts.items())
        self.message_user(request, f"Assigned round-robin — {summary}.", messages.SUCCESS)

    @admin.action(description="Mark selected leads as lost")
    def mark_lost(self, request, queryset):
        def apply(data):
            done, refused = 0, []
            for lead in queryset:
                try:
                    services.lead_mark_lost(lead=lead, reason=data["reason"], by=request.user)
                    done += 1
                except ValidationError as exc:
                    refused.append(f"{lead}: {' '.join(exc.messages)}")
            if done:
                self.message_user(request, f"Marked {done} lead(s) as lost.", messages.SUCCESS)
            for line in refused:
                self.message_user(request, line, messages.WARNING)

        return intermediate_action(
            self, request, queryset, form_class=MarkLostForm, title="Mark leads lost", apply=apply
        )


@admin.register(LeadStatusChange)
class LeadStatusChangeAdmin(ReadOnlyAdminMixin, BadgeMedia, admin.ModelAdmin):
    list_display = ["lead", "from_label", "to_label", "changed_by", "changed_at", "note"]
    list_select_related = ["lead", "changed_by"]
    list_filter = ["to_status", ("changed_at", DateRangeFilter)]
    search_fields = ["lead__full_name", "lead__phone"]
    date_hierarchy = "changed_at"
    raw_id_fields = ["lead"]

    def get_queryset(self, request):
        visible = leads_visible_to(request.user)
        return super().get_queryset(request).filter(lead__in=visible.values("pk"))

    @admin.display(description="from", ordering="from_status")
    def from_label(self, obj):
        return status_badge(obj.from_status) if obj.from_status else "—"

    @admin.display(description="to", ordering="to_status")
    def to_label(self, obj):
        return status_badge(obj.to_status)
