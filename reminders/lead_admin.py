"""Follow-ups on the lead pages, mixed into leads.admin.LeadAdmin.

List: a "follow-up" column (red badge when overdue) from one annotation, and
an "overdue follow-up" filter. Change page: the open follow-up, "Record
contact" and "Set next follow-up". Both views are thin callers of
reminders.services and use LeadAdmin.get_object, so a salesperson reaches
only their own leads.
"""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.badges import GREY, ORANGE, RED, TEAL, badge
from core.days import day_bounds
from reminders import services
from reminders.forms import FollowUpForm
from reminders.models import OPEN_REMINDER_STATUSES, LeadReminder
from reminders.selectors import lead_next_followup_subquery

SOON = datetime.timedelta(hours=1)


def followup_badge(due_at, now=None):
    if due_at is None:
        return "—"
    now = now or timezone.now()
    local = timezone.localtime(due_at)
    label = f"{local:%d.%m %H:%M}" if local.date() != timezone.localdate(now) else f"{local:%H:%M}"
    if due_at < now:
        late = int((now - due_at).total_seconds() // 60)
        overdue = f"{late} min" if late < 120 else f"{late // 60} h"
        return badge(f"Overdue {overdue}", RED)
    return badge(label, ORANGE if due_at - now <= SOON else TEAL)


class FollowUpFilter(admin.SimpleListFilter):
    title = "follow-up"
    parameter_name = "followup"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("today", "Due today"), ("open", "Any open"), ("none", "None open")]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "overdue":
            return queryset.filter(followup_due_at__lt=now)
        if value == "today":
            end = day_bounds(timezone.localdate())[1]
            return queryset.filter(followup_due_at__gte=now, followup_due_at__lt=end)
        if value == "open":
            return queryset.filter(followup_due_at__isnull=False)
        if value == "none":
            return queryset.filter(followup_due_at__isnull=True)
        return queryset


class FollowUpLeadAdminMixin:
    followup_column_after = "status_label"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(followup_due_at=lead_next_followup_subquery())

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if "follow_up" not in columns:
            at = (
                columns.index(self.followup_column_after) + 1 if self.followup_column_after in columns else len(columns)
            )
            columns.insert(at, "follow_up")
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if FollowUpFilter not in filters:
            filters.append(FollowUpFilter)
        return filters

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.insert(1, ("Follow-up", {"fields": ["follow_up_panel"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "follow_up_panel"]

    @admin.display(description="follow-up", ordering="followup_due_at")
    def follow_up(self, obj):
        return followup_badge(getattr(obj, "followup_due_at", None))

    @admin.display(description="next contact")
    def follow_up_panel(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        reminder = (
            LeadReminder.objects.filter(lead=obj, status__in=OPEN_REMINDER_STATUSES)
            .select_related("salesperson")
            .first()
        )
        record = format_html(
            '<button type="submit" class="button" formaction="{}" formnovalidate>Record contact</button>',
            reverse("admin:leads_lead_record_contact", args=[obj.pk]),
        )
        set_next = format_html(
            '<a class="button" href="{}">Set next follow-up</a>', reverse("admin:leads_lead_follow_up", args=[obj.pk])
        )
        if reminder is None:
            return format_html("{} &nbsp; {} &nbsp; {}", badge("No open follow-up", GREY), record, set_next)
        sent = f", reminded {reminder.reminder_count}×" if reminder.reminder_count else ""
        note = f" — {reminder.note}" if reminder.note else ""
        return format_html(
            "{} {} by {}{}{} &nbsp; {} &nbsp; {}",
            followup_badge(reminder.due_at),
            reminder.get_kind_display(),
            reminder.salesperson,
            sent,
            note,
            record,
            set_next,
        )

    # --- views ----------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/record-contact/", view(self.record_contact_view), name="leads_lead_record_contact"),
            path("<int:object_id>/follow-up/", view(self.follow_up_view), name="leads_lead_follow_up"),
            *super().get_urls(),
        ]

    def _lead_for_followup(self, request, object_id):
        lead = self.get_object(request, str(object_id))
        if lead is None or not self.has_change_permission(request, lead):
            raise PermissionDenied
        return lead

    def record_contact_view(self, request, object_id):
        lead = self._lead_for_followup(request, object_id)
        if request.method == "POST":
            try:
                services.followup_record_contact(lead=lead, by=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"Contact with {lead} recorded.", messages.SUCCESS)
        return redirect(reverse("admin:leads_lead_change", args=[lead.pk]))

    def follow_up_view(self, request, object_id):
        lead = self._lead_for_followup(request, object_id)
        if not request.user.has_perm("reminders.add_leadreminder"):
            raise PermissionDenied
        initial = {"due_at": timezone.localtime() + datetime.timedelta(days=1)}
        form = FollowUpForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.followup_set(
                    lead=lead, due_at=form.cleaned_data["due_at"], note=form.cleaned_data["note"], by=request.user
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, "Next follow-up set.", messages.SUCCESS)
                return redirect(reverse("admin:leads_lead_change", args=[lead.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Next follow-up with {lead}",
            "form": form,
            "opts": self.model._meta,
            "original": lead,
            "submit_label": "Set follow-up",
        }
        return TemplateResponse(request, "admin/core/form_page.html", context)
