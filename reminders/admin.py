"""Follow-ups and deliveries in admin: states as badges, overdue at a glance.
Salespeople see only rows about their own leads."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import roles
from core import eskiz
from core.admin_lists import LargeListMixin
from core.admin_tools import (
    DateRangeFilter,
    DeleteSelectedLastMixin,
    ExportMixin,
    OwnRowsColumnsMixin,
    ReadOnlyAdminMixin,
    intermediate_action,
    salesperson_filter,
)
from core.badges import GREY, badge, deadline_badge
from core.gsm import sms_length, sms_text
from core.tasks import enqueue_on_commit
from leads.search import LeadSearchMixin
from reminders import dispatch, selectors, services, sms
from reminders.badges import delivery_status_badge, followup_status_badge, gateway_status_badge
from reminders.forms import MessageTemplateForm, TestSmsForm
from reminders.models import OPEN_REMINDER_STATUSES, Channel, Delivery, DeliveryStatus, LeadReminder, MessageTemplate
from reminders.tasks import send_delivery
from reminders.templates import PLACEHOLDERS, SMS_KINDS


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return selectors.followups_overdue(queryset=queryset)
        if self.value() == "no":
            # The negation of the same condition, not "pk not in (every overdue row)".
            return queryset.exclude(status__in=OPEN_REMINDER_STATUSES, due_at__lt=timezone.now())
        return queryset


class GatewayStatusFilter(admin.SimpleListFilter):
    """SMS by the gateway's final report: delivered, or not (reminders.sms).
    Django's filter on the field would read every delivery's report (a
    DISTINCT over the whole table) on every page to list them."""

    title = _("delivery report")
    parameter_name = "report"
    REPORTS = {"delivered": sms.DELIVERED, "undelivered": sms.UNDELIVERED}

    def lookups(self, request, model_admin):
        return [("delivered", _("delivered")), ("undelivered", _("not delivered"))]

    def queryset(self, request, queryset):
        codes = self.REPORTS.get(self.value())
        # On delivery_report_idx, which holds only the rows with a report.
        return queryset.filter(gateway_status__in=sorted(codes)) if codes else queryset


@admin.register(LeadReminder)
class LeadReminderAdmin(OwnRowsColumnsMixin, LargeListMixin, LeadSearchMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["lead", "salesperson", "kind", "deadline", "status_label", "reminder_count", "last_sent_at", "note"]
    salesperson_columns = ("salesperson",)
    list_select_related = ["lead", "salesperson"]
    list_filter = [OverdueFilter, "status", "kind", salesperson_filter("salesperson"), ("due_at", DateRangeFilter)]
    search_fields = ["lead__full_name", "lead__phone", "note"]
    own_search_fields = ("note",)  # trigram index on UPPER(note)
    ordering = ["due_at", "id"]
    sortable_by = ["deadline"]
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
class DeliveryAdmin(LargeListMixin, LeadSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Deliveries are written by the dispatcher only; deleting one would free its
    key and let the message go out again, so nobody edits or deletes them."""

    list_display = [
        "due_at",
        "kind",
        "channel",
        "recipient",
        "lead",
        "status_label",
        "report_label",
        "attempts",
        "sent_at",
        "problem",
    ]
    list_select_related = ["recipient_user", "lead"]
    list_filter = ["status", "kind", "channel", GatewayStatusFilter, ("due_at", DateRangeFilter)]
    sortable_by = ["due_at"]  # delivery_list_order_idx
    search_fields = ["=key", "=address", "=gateway_id", "lead__full_name", "lead__phone"]
    # Keys, addresses and gateway ids are matched whole, each on its index:
    # nobody types part of "trial_pre_lead:4512:pre:…".
    own_search_fields = ("=key", "=address", "=gateway_id")
    search_help_text = _("The lead's name or phone, a whole delivery key, an email address / chat id or an SMS id.")
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
        "gateway_id",
        "gateway_status",
        "gateway_status_at",
        "gateway_report",
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

    @admin.display(description=_("delivery report"), ordering="gateway_status")
    def report_label(self, obj):
        """The gateway's report on an SMS (DELIVRD green, REJECTD red…)."""
        if obj.channel != Channel.SMS:
            return "—"
        if not obj.gateway_status:
            return badge(gettext("no report yet"), GREY) if obj.gateway_id else "—"
        return gateway_status_badge(obj.gateway_status)

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


SMS_RULES = _(
    "Eskiz sends only texts moderated for your account: register every SMS text (each language) in the "
    "Eskiz cabinet (my.eskiz.uz → SMS → Texts) before using it, with placeholders where the values change, "
    "and the sender name (ESKIZ_FROM) too; an unregistered text is rejected (REJECTD). Uzbek apostrophes "
    "(ʻ ’ ‘ ` ʼ) are sent as ' so a Latin text stays in GSM-7: 160 characters in one SMS, 153 per part "
    "after that. Cyrillic makes a text Unicode: 70 characters, then 67 per part. Each part is billed."
)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(DeleteSelectedLastMixin, admin.ModelAdmin):
    """Texts to leads, per message and language. Managers edit them; the SMS
    length and the gateway's rules are shown beside each."""

    form = MessageTemplateForm
    list_display = ["kind", "language", "preview", "sms_parts", "updated_at", "updated_by"]
    list_select_related = ["updated_by"]
    list_filter = ["kind", "language"]
    search_fields = ["text"]
    readonly_fields = ["placeholders", "sms_parts", "gateway_rules", "updated_at", "updated_by"]
    fields = ["kind", "language", "text", "placeholders", "sms_parts", "gateway_rules", "updated_at", "updated_by"]
    actions = ["send_test_sms"]

    def has_test_sms_permission(self, request):
        return roles.is_manager(request.user)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("text"))
    def preview(self, obj):
        return obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"

    @admin.display(description=_("placeholders"))
    def placeholders(self, obj):
        names = PLACEHOLDERS.get(obj.kind, ()) if obj and obj.kind else ()
        if not names:
            return gettext("none")
        return format_html_join(" ", "<code>{{{}}}</code>", ((name,) for name in names))

    @admin.display(description=_("length in SMS"))
    def sms_parts(self, obj):
        if not obj or not obj.text or obj.kind not in SMS_KINDS:
            return "—"
        length = sms_length(sms_text(obj.text))
        return format_html(
            "{} ({}, {} / {})",
            gettext("%(parts)s SMS") % {"parts": length.parts},
            length.encoding,
            length.units,
            length.per_part * max(length.parts, 1),
        )

    @admin.display(description=_("gateway rules"))
    def gateway_rules(self, obj):
        return SMS_RULES

    @admin.action(description=_("Send a test SMS of the selected template"), permissions=["test_sms"])
    def send_test_sms(self, request, queryset):
        template = queryset.first()
        if queryset.count() != 1 or template is None:
            self.message_user(request, gettext("Select exactly one template to test."), messages.WARNING)
            return None

        def apply(data):
            try:
                delivery = sms.sms_test_send(
                    kind=template.kind, language=template.language, phone=data["phone"], by=request.user
                )
            except eskiz.EskizError as exc:
                self.message_user(request, gettext("The test SMS failed: %(error)s") % {"error": exc}, messages.ERROR)
                return
            self.message_user(
                request,
                gettext("Test SMS sent (gateway id %(id)s); its delivery report appears under Deliveries.")
                % {"id": delivery.gateway_id},
                messages.SUCCESS,
            )

        return intermediate_action(
            self, request, queryset, form_class=TestSmsForm, title=gettext("Send a test SMS"), apply=apply
        )
