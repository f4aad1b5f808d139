"""Follow-ups and deliveries in admin: states as badges, overdue at a glance.
Salespeople see only rows about their own leads."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_tools import DateRangeFilter, ExportMixin, ReadOnlyAdminMixin, salesperson_filter
from core.badges import deadline_badge
from core.tasks import enqueue_on_commit
from reminders import dispatch, selectors, services
from reminders.badges import delivery_status_badge, followup_status_badge
from reminders.models import OPEN_REMINDER_STATUSES, Delivery, DeliveryStatus, LeadReminder
from reminders.tasks import send_delivery


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = selectors.followups_overdue(queryset=queryset)
        if self.value() == "yes":
            return overdue
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue.values("pk"))
        return queryset


@admin.register(LeadReminder)
class LeadReminderAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["lead", "salesperson", "kind", "deadline", "status_label", "reminder_count", "last_sent_at", "note"]
    list_select_related = ["lead", "salesperson"]
    list_filter = [OverdueFilter, "status", "kind", salesperson_filter("salesperson"), ("due_at", DateRangeFilter)]
    search_fields = ["lead__full_name", "lead__phone", "note"]
    date_hierarchy = "due_at"
    ordering = ["due_at", "id"]
    fields = [
        "lead",
        "salesperson",
        "kind",
        "due_at",
        "status",
        "reminder_count",
        "last_sent_at",
        "note",
        "created_at",
        "created_by",
        "completed_at",
        "completed_by",
        "completion_note",
    ]
    readonly_fields = fields
    actions = ["complete_selected"]

    def get_queryset(self, request):
        return selectors.reminders_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # set from the lead page ("Set next follow-up"), through reminders.services

    @admin.display(description=_("contact by"), ordering="due_at")
    def deadline(self, obj):
        if obj.status in OPEN_REMINDER_STATUSES:
            return deadline_badge(obj.due_at)
        return f"{timezone.localtime(obj.due_at):%d.%m.%Y %H:%M}"

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return followup_status_badge(obj.status)

    @admin.action(description=_("Record contact (complete selected follow-ups)"), permissions=["change"])
    def complete_selected(self, request, queryset):
        done = 0
        for reminder in queryset.filter(status__in=OPEN_REMINDER_STATUSES).select_related("lead"):
            done += services.followups_complete_for_lead(lead=reminder.lead, by=request.user)
        message = ngettext("%(count)d follow-up completed.", "%(count)d follow-ups completed.", done) % {"count": done}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Deliveries are written by the dispatcher only; deleting one would free its
    key and let the message go out again, so nobody edits or deletes them."""

    list_display = ["due_at", "kind", "channel", "recipient", "lead", "status_label", "attempts", "sent_at", "problem"]
    list_select_related = ["recipient_user", "lead"]
    list_filter = ["status", "kind", "channel", ("due_at", DateRangeFilter)]
    search_fields = ["key", "address", "lead__full_name", "lead__phone"]
    date_hierarchy = "due_at"
    fields = [
        "key",
        "kind",
        "channel",
        "recipient_user",
        "address",
        "lead",
        "object_id",
        "occurrence",
        "due_at",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "skip_reason",
        "last_error",
        "subject",
        "body",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["retry_now"]

    def get_queryset(self, request):
        return selectors.deliveries_visible_to(request.user, super().get_queryset(request))

    def has_retry_permission(self, request):
        return request.user.has_perm("reminders.change_delivery")

    @admin.display(description=_("to"))
    def recipient(self, obj):
        if obj.recipient_user_id:
            return obj.recipient_user
        return gettext("lead (%(address)s)") % {"address": obj.address} if obj.address else "—"

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return delivery_status_badge(obj.status)

    @admin.display(description=_("error / reason"))
    def problem(self, obj):
        return (obj.last_error or obj.skip_reason)[:120]

    @admin.action(description=_("Retry selected failed deliveries now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        done = 0
        for delivery in queryset.filter(status=DeliveryStatus.FAILED):
            if dispatch.delivery_retry_now(delivery=delivery):
                done += 1
                # Due again now: if the broker is down, the beat pass within a minute sends it.
                enqueue_on_commit(send_delivery, delivery.pk)
        message = ngettext(
            "%(count)d failed delivery is being sent again.", "%(count)d failed deliveries are being sent again.", done
        ) % {"count": done}
        self.message_user(request, message, messages.SUCCESS)
