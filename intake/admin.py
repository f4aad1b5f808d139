import json

from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_lists import LargeListMixin
from core.admin_tools import DateRangeFilter, DeleteSelectedLastMixin, ReadOnlyAdminMixin
from core.badges import BLUE, GREEN, GREY, ORANGE, PURPLE, RED, TEAL, badge
from intake import selectors, services
from intake.models import (
    OPEN_STATUSES,
    IntakeChannel,
    IntakeEvent,
    IntakeOutcome,
    IntakeRejection,
    IntakeStatus,
    ReplyStatus,
)
from leads.search import LeadSearchMixin

CHANNEL_COLOURS = {
    IntakeChannel.LANDING: TEAL,
    IntakeChannel.TELEGRAM: BLUE,
    IntakeChannel.META: PURPLE,
    IntakeChannel.WHATSAPP: GREEN,
    IntakeChannel.CALLS: ORANGE,
}
STATUS_COLOURS = {
    IntakeStatus.PENDING: BLUE,
    IntakeStatus.PROCESSED: GREEN,
    IntakeStatus.IGNORED: GREY,
    IntakeStatus.FAILED: RED,
}
OUTCOME_COLOURS = {IntakeOutcome.CREATED: GREEN, IntakeOutcome.REPEAT: TEAL}
REPLY_COLOURS = {
    ReplyStatus.PENDING: BLUE,
    ReplyStatus.SENDING: ORANGE,
    ReplyStatus.SENT: GREEN,
    ReplyStatus.FAILED: RED,
}
PLATFORM_LABELS = {"ig": "Instagram", "fb": "Facebook"}


class PlatformFilter(admin.SimpleListFilter):
    """The known platforms, not Django's list of every value in the column (a
    DISTINCT over the whole intake stream on every page)."""

    title = _("platform")
    parameter_name = "platform"

    def lookups(self, request, model_admin):
        return list(PLATFORM_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(platform=self.value()) if self.value() in PLATFORM_LABELS else queryset


REPROCESSED = _("Re-processed {processed} event(s): {created} new lead(s), {repeats} repeat(s); {failed} failed.")
NOTHING_OPEN = _("Only pending or failed events can be re-processed; none of the selected are.")


def _pretty(value):
    if value in (None, "", {}):
        return "—"
    return format_html(
        '<pre class="payload">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True),
    )


@admin.register(IntakeEvent)
class IntakeEventAdmin(DeleteSelectedLastMixin, LargeListMixin, LeadSearchMixin, admin.ModelAdmin):
    list_display = [
        "received_at",
        "channel_label",
        "status_label",
        "outcome_label",
        "lead_link",
        "platform_label",
        "short_external_id",
        "attempts",
        "reply_label",
        "short_error",
    ]
    list_display_links = ["received_at"]
    sortable_by = ["received_at", "channel_label", "status_label"]  # received_at, (channel|status, received_at)
    list_select_related = ["lead"]
    list_filter = ["channel", "status", "outcome", "reply_status", PlatformFilter, ("received_at", DateRangeFilter)]
    search_fields = ["=external_id", "=reference", "lead__phone", "lead__full_name", "error"]
    own_search_fields = ("=reference", "error")  # the reference is unique; trigram index on UPPER(error)
    search_help_text = _("Exact channel id or reference, the lead's phone or name, or error text.")
    list_per_page = 50
    actions = ["reprocess"]
    fieldsets = [
        (None, {"fields": ["channel_label", "external_id", "reference", "platform_label", "received_at"]}),
        (
            _("Processing"),
            {"fields": ["status_label", "outcome_label", "lead_link", "attempts", "processed_at", "error"]},
        ),
        (_("Reply"), {"fields": ["reply_label", "reply_pretty", "replied_at", "reply_error"]}),
        (_("Payload"), {"fields": ["payload_pretty", "fetched_pretty", "headers_pretty", "body"]}),
    ]
    readonly_fields = [
        "channel_label",
        "external_id",
        "reference",
        "platform_label",
        "received_at",
        "status_label",
        "outcome_label",
        "lead_link",
        "attempts",
        "processed_at",
        "error",
        "reply_label",
        "reply_pretty",
        "replied_at",
        "reply_error",
        "payload_pretty",
        "fetched_pretty",
        "headers_pretty",
        "body",
    ]

    def own_search_q(self, model, term):
        # "channel IN (every channel)" lets the (channel, external_id) unique
        # index answer an id typed without its channel: one probe per channel.
        by_id = Q(channel__in=IntakeChannel.values, external_id=term)
        return by_id | super().own_search_q(model, term)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # The stream is the audit trail of what arrived.
        return request.user.is_superuser

    def changelist_view(self, request, extra_context=None):
        today = selectors.intake_counts_for_day()
        for row in today:
            row["failed_label"] = badge(row["failed"], RED) if row["failed"] else 0
        extra_context = {**(extra_context or {}), "intake_today": today}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description=_("channel"), ordering="channel")
    def channel_label(self, obj):
        return badge(obj.get_channel_display(), CHANNEL_COLOURS[IntakeChannel(obj.channel)])

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return badge(obj.get_status_display(), STATUS_COLOURS[IntakeStatus(obj.status)])

    @admin.display(description=_("result"), ordering="outcome")
    def outcome_label(self, obj):
        if not obj.outcome:
            return "—"
        return badge(obj.get_outcome_display(), OUTCOME_COLOURS[IntakeOutcome(obj.outcome)])

    @admin.display(description=_("reply"), ordering="reply_status")
    def reply_label(self, obj):
        if not obj.reply_status:
            return "—"
        return badge(obj.get_reply_status_display(), REPLY_COLOURS[ReplyStatus(obj.reply_status)])

    @admin.display(description=_("platform"), ordering="platform")
    def platform_label(self, obj):
        return PLATFORM_LABELS.get(obj.platform, obj.platform or "—")

    @admin.display(description=_("lead"), ordering="lead__full_name")
    def lead_link(self, obj):
        if obj.lead_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:leads_lead_change", args=[obj.lead_id]), obj.lead)

    @admin.display(description=_("channel id"), ordering="external_id")
    def short_external_id(self, obj):
        return obj.external_id if len(obj.external_id) <= 24 else obj.external_id[:12] + "…"

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return (obj.error[:80] + "…") if len(obj.error) > 80 else obj.error

    @admin.display(description=_("payload"))
    def payload_pretty(self, obj):
        return _pretty(obj.payload)

    @admin.display(description=_("fetched from the platform"))
    def fetched_pretty(self, obj):
        return _pretty(obj.fetched)

    @admin.display(description=_("headers"))
    def headers_pretty(self, obj):
        return _pretty(obj.headers)

    @admin.display(description=_("reply message"))
    def reply_pretty(self, obj):
        return _pretty(obj.reply)

    @admin.action(description=_("Re-process selected pending or failed events"), permissions=["change"])
    def reprocess(self, request, queryset):
        ids = list(queryset.filter(status__in=OPEN_STATUSES).order_by("received_at", "id").values_list("pk", flat=True))
        if not ids:
            self.message_user(request, NOTHING_OPEN, messages.WARNING)
            return
        summary = services.intake_events_process(event_ids=ids)
        level = messages.ERROR if summary.failed else messages.SUCCESS
        self.message_user(request, REPROCESSED.format(**summary.as_dict()), level)
        for event_id, error in summary.errors[:5]:
            self.message_user(
                request, gettext("Event %(id)s: %(error)s") % {"id": event_id, "error": error}, messages.ERROR
            )


@admin.register(IntakeRejection)
class IntakeRejectionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "channel", "reason", "count", "last_at"]
    list_filter = ["channel", "reason", "day"]
    date_hierarchy = "day"

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
