"""The lead pages: the list, the lead's own page and the history lists.

``LeadAdmin`` declares every column, filter, fieldset and URL of the lead
page itself. The follow-up and trial panels and their pages belong to the
reminders and trials apps, which provide them by name through
leads.lead_page; ``lead_subpage`` checks access for all of them exactly as
the lead's own change page does.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import roles
from core.admin_lists import LargeListMixin, LatestRowsInlineMixin
from core.admin_tools import (
    DateRangeFilter,
    ExportMixin,
    OwnRowsColumnsMixin,
    ReadOnlyAdminMixin,
    intermediate_action,
    salesperson_filter,
)
from core.badges import deadline_badge
from core.days import day_bounds
from leads import lead_page, services
from leads.badges import source_badge, status_badge
from leads.forms import AssignForm, LeadAdminForm, MarkLostForm
from leads.models import Lead, LeadInquiry, LeadStatus, LeadStatusChange
from leads.search import LeadSearchMixin, leads_search
from leads.selectors import leads_visible_to, rows_of_visible_leads

MARK_LOST_CONFIRM = _(
    "Each lead named below becomes lost: its follow-up ends and a scheduled trial is cancelled, "
    "freeing the place. Reopening a lead later does not bring them back."
)


class FollowUpFilter(admin.SimpleListFilter):
    """On the lead's stored next follow-up (indexed), not a subquery per row."""

    title = _("follow-up")
    parameter_name = "followup"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("today", _("Due today")), ("open", _("Any open")), ("none", _("None open"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "overdue":
            return queryset.filter(next_followup_at__lt=now)
        if value == "today":
            end = day_bounds(timezone.localdate())[1]
            return queryset.filter(next_followup_at__gte=now, next_followup_at__lt=end)
        if value == "open":
            return queryset.filter(next_followup_at__isnull=False)
        if value == "none":
            return queryset.filter(next_followup_at__isnull=True)
        return queryset


class StatusWithoutRecordFilter(admin.SimpleListFilter):
    """Managers: leads in a status that stands for a record (a booked or attended
    trial, an enrolment) which is missing, e.g. typed by hand before the status
    field stopped offering them. Listed to be put right, never changed silently."""

    title = _("status without its record")
    parameter_name = "unbacked"

    def lookups(self, request, model_admin):
        if not roles.is_manager(request.user):
            return []
        return [(status, LeadStatus(status).label) for status in services.FLOW_STATUSES]

    def queryset(self, request, queryset):
        status = self.value()
        if status not in services.FLOW_STATUSES or not roles.is_manager(request.user):
            return queryset
        queryset = queryset.filter(status=status)
        leads_with_record = lead_page.status_record(status)
        return queryset if leads_with_record is None else queryset.exclude(pk__in=leads_with_record())


class LeadStatusChangeInline(LatestRowsInlineMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = LeadStatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    ordering = ["-changed_at", "-id"]
    verbose_name_plural = _("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class LeadInquiryInline(LatestRowsInlineMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = LeadInquiry
    extra = 0
    fields = ["received_at", "source", "is_repeat", "note"]
    readonly_fields = fields
    ordering = ["-received_at", "-id"]


@admin.register(Lead)
class LeadAdmin(OwnRowsColumnsMixin, LargeListMixin, ExportMixin, admin.ModelAdmin):
    form = LeadAdminForm
    save_on_top = True  # a long page: Save without scrolling to the bottom (on a phone too)
    list_display = [
        "name",
        "phone_display",
        "status_label",
        "follow_up",
        "source_label",
        "assigned_to",
        "course_interest",
        "inquiry_count",
        "created_at",
    ]
    list_display_links = ["name", "phone_display"]
    salesperson_columns = ("assigned_to",)
    # Each on an index (core.admin_lists): name, phone, (status|source|follow-up, created_at), created_at.
    sortable_by = ["name", "phone_display", "status_label", "follow_up", "source_label", "created_at"]
    list_select_related = ["assigned_to"]
    list_filter = [
        "status",
        "source",
        salesperson_filter("assigned_to", with_unassigned=True),
        ("created_at", DateRangeFilter),
        FollowUpFilter,
        StatusWithoutRecordFilter,
    ]
    search_fields = ["full_name", "email", "phone"]
    search_help_text = _("Name, email, or a phone typed any way (90 123 45 67).")
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
        "follow_up_panel",
        "trials_panel",
        "history_links",
    ]
    # Panels supplied by other apps (leads.lead_page); shown on an existing lead only.
    PANEL_FIELDS = ("status_label", "new_status", "follow_up_panel", "trials_panel", "history_links")
    fieldsets = [
        (None, {"fields": ["full_name", "phone", "phone_raw", "email", "source", "course_interest", "comment"]}),
        (_("Follow-up"), {"fields": ["follow_up_panel"]}),
        (_("Trial lessons"), {"fields": ["trials_panel"]}),
        (_("Status"), {"fields": ["status_label", "new_status", "lost_reason", "assigned_to"]}),
        (
            _("Campaign"),
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
        (
            _("Channels"),
            {"classes": ["collapse"], "fields": ["language", "telegram_chat_id", "whatsapp_id", "sms_opt_out"]},
        ),
        (
            _("Timeline"),
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
                    "history_links",
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
        if obj is not None:
            return fieldsets
        # A new lead starts as "new", with no follow-up or trial yet.
        shown = [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in self.PANEL_FIELDS]})
            for name, opts in fieldsets
        ]
        return [(name, opts) for name, opts in shown if opts["fields"]]

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
        return leads_search(queryset, search_term), False

    # --- columns ----------------------------------------------------------------

    @admin.display(description=_("name"), ordering="full_name")
    def name(self, obj):
        return obj.display_name

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return status_badge(obj.status)

    @admin.display(description=_("full history"))
    def history_links(self, obj):
        """The inlines show the latest rows only; these lists hold all of them."""
        if obj is None or obj.pk is None:
            return "—"
        links = [
            (
                reverse("admin:leads_leadstatuschange_changelist"),
                obj.pk,
                gettext("All %(count)s status changes") % {"count": obj.status_changes.count()},
            ),
            (
                reverse("admin:leads_leadinquiry_changelist"),
                obj.pk,
                gettext("All %(count)s inquiries") % {"count": obj.inquiries.count()},
            ),
        ]
        items = format_html_join("", '<li><a href="{}?lead__id__exact={}">{}</a></li>', links)
        return format_html('<ul class="history-links">{}</ul>', items)

    @admin.display(description=_("source"), ordering="source")
    def source_label(self, obj):
        return source_badge(obj.source)

    @admin.display(description=_("phone"), ordering="phone")
    def phone_display(self, obj):
        return obj.phone_display

    @admin.display(description=_("follow-up"), ordering="next_followup_at")
    def follow_up(self, obj):
        return deadline_badge(obj.next_followup_at)

    # --- panels and pages that other apps provide (leads.lead_page) -------------------

    @admin.display(description=_("next contact"))
    def follow_up_panel(self, obj):
        return self._panel("follow_up", obj)

    @admin.display(description=_("trials"))
    def trials_panel(self, obj):
        return self._panel("trials", obj)

    def _panel(self, name, obj):
        render = lead_page.panel(name)
        return render(obj) if render is not None and obj is not None and obj.pk else "—"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/record-contact/",
                self.lead_subpage("record_contact"),
                name="leads_lead_record_contact",
            ),
            path("<path:object_id>/follow-up/", self.lead_subpage("set_follow_up"), name="leads_lead_follow_up"),
            path("<path:object_id>/book-trial/", self.lead_subpage("book_trial"), name="leads_lead_book_trial"),
            *super().get_urls(),
        ]

    def lead_subpage(self, name: str):
        """A page that hangs off one lead answers as saving the lead's change page
        does (Django's ModelAdmin._changeform_view): without permission to change
        it a 403, then for a lead the user cannot see the same "doesn't exist"
        redirect to the index."""

        def view(request, object_id):
            lead = self.get_object(request, unquote(object_id))
            if not self.has_change_permission(request, lead):
                raise PermissionDenied
            if lead is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
            page = lead_page.page(name)
            if page is None:
                raise Http404(f"No app provides the lead page “{name}”.")  # a wiring bug, not for staff
            return page(request, lead, self)

        return self.admin_site.admin_view(view)

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
            services.lead_update_details(lead=obj, by=request.user, **{f: getattr(obj, f) for f in changed})
        if "assigned_to" in form.changed_data and roles.is_manager(request.user):
            if obj.assigned_to is not None:
                services.lead_assign(lead=obj, salesperson=obj.assigned_to, by=request.user)
            else:
                services.lead_unassign(lead=obj, by=request.user)
        new_status = form.cleaned_data.get("new_status")
        if new_status:
            services.lead_set_status(
                lead=obj, to_status=new_status, by=request.user, reason=form.cleaned_data.get("lost_reason") or ""
            )

    # --- actions -------------------------------------------------------------------

    @admin.action(description=_("Assign selected leads to a salesperson"))
    def assign_to(self, request, queryset):
        def apply(data):
            for lead in queryset:
                services.lead_assign(lead=lead, salesperson=data["salesperson"], by=request.user)
            count = len(queryset)
            message = ngettext(
                "Assigned %(count)d lead to %(salesperson)s.", "Assigned %(count)d leads to %(salesperson)s.", count
            ) % {"count": count, "salesperson": data["salesperson"]}
            self.message_user(request, message, messages.SUCCESS)

        return intermediate_action(
            self,
            request,
            queryset,
            form_class=AssignForm,
            title=_("Assign leads"),
            apply=apply,
            form_kwargs={"salespeople": roles.salespeople()},
        )

    @admin.action(description=_("Assign selected leads round-robin across salespeople"))
    def assign_round_robin(self, request, queryset):
        try:
            counts = services.leads_assign_round_robin(leads=queryset.order_by("id"), by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        summary = ", ".join(f"{person}: {count}" for person, count in counts.items())
        self.message_user(
            request, gettext("Assigned round-robin — %(summary)s.") % {"summary": summary}, messages.SUCCESS
        )

    @admin.action(description=_("Mark selected leads as lost"))
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
                message = ngettext("Marked %(count)d lead as lost.", "Marked %(count)d leads as lost.", done) % {
                    "count": done
                }
                self.message_user(request, message, messages.SUCCESS)

            for line in refused:
                self.message_user(request, line, messages.WARNING)

        return intermediate_action(
            self,
            request,
            queryset,
            form_class=MarkLostForm,
            title=_("Mark leads lost"),
            apply=apply,
            intro=MARK_LOST_CONFIRM,
            submit_label=_("Mark lost"),
        )


@admin.register(LeadStatusChange)
class LeadStatusChangeAdmin(LargeListMixin, LeadSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["lead", "from_label", "to_label", "changed_by", "changed_at", "note"]
    list_select_related = ["lead", "changed_by"]
    list_filter = ["to_status", ("changed_at", DateRangeFilter)]
    search_fields = ["lead__full_name", "lead__phone"]
    search_help_text = _("The lead's name or phone.")
    # Newest first: the history people come here for is the latest.
    ordering = ["-changed_at", "-id"]
    sortable_by = ["to_label", "changed_at"]  # (to_status, changed_at) and changed_at indexes
    raw_id_fields = ["lead"]

    def get_queryset(self, request):
        return rows_of_visible_leads(request.user, super().get_queryset(request))

    @admin.display(description=_("from"), ordering="from_status")
    def from_label(self, obj):
        return status_badge(obj.from_status) if obj.from_status else "—"

    @admin.display(description=_("to"), ordering="to_status")
    def to_label(self, obj):
        return status_badge(obj.to_status)


@admin.register(LeadInquiry)
class LeadInquiryAdmin(LargeListMixin, LeadSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every time someone reached us; the lead page shows the latest only."""

    list_display = ["received_at", "lead", "source_label", "is_repeat", "note"]
    sortable_by = ["received_at"]
    list_select_related = ["lead"]
    list_filter = ["source", "is_repeat", ("received_at", DateRangeFilter)]
    search_fields = ["lead__full_name", "lead__phone"]
    search_help_text = _("The lead's name or phone.")
    raw_id_fields = ["lead"]

    def get_queryset(self, request):
        return rows_of_visible_leads(request.user, super().get_queryset(request))

    @admin.display(description=_("source"), ordering="source")
    def source_label(self, obj):
        return source_badge(obj.source)
