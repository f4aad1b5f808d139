"""Trials on the lead change page, mixed into leads.admin.LeadAdmin: the lead's
trials and a "Book trial" page that offers only lessons that fit (the group
meets that day, the lesson is not over, a place is free)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from trials import selectors, services
from trials.admin import trial_status_badge
from trials.forms import BookTrialForm
from trials.models import Trial, TrialStatus


class TrialLeadAdminMixin:
    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.insert(
                2 if len(fieldsets) > 2 else len(fieldsets), ("Trial lessons", {"fields": ["trials_panel"]})
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "trials_panel"]

    @admin.display(description="trials")
    def trials_panel(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        trials = list(Trial.objects.filter(lead=obj).select_related("group").order_by("-scheduled_date")[:5])
        rows = format_html_join(
            "",
            '<li><a href="{}">{} {} {}</a> {}</li>',
            (
                (
                    reverse("admin:trials_trial_change", args=[t.pk]),
                    t.group.name,
                    f"{t.scheduled_date:%d.%m.%Y}",
                    f"{t.scheduled_time:%H:%M}",
                    trial_status_badge(t.status),
                )
                for t in trials
            ),
        )
        has_scheduled = any(t.status == TrialStatus.SCHEDULED for t in trials)
        book = (
            ""
            if has_scheduled or obj.status not in services.BOOKABLE_LEAD_STATUSES
            else format_html(
                '<a class="button" href="{}">Book trial</a>', reverse("admin:leads_lead_book_trial", args=[obj.pk])
            )
        )
        if not trials:
            return format_html("No trials yet. {}", book)
        return format_html('<ul style="margin-left:0">{}</ul>{}', rows, book)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/book-trial/", view(self.book_trial_view), name="leads_lead_book_trial"),
            *super().get_urls(),
        ]

    def book_trial_view(self, request, object_id):
        lead = self.get_object(request, str(object_id))
        if lead is None or not request.user.has_perm("trials.add_trial"):
            raise PermissionDenied
        options = selectors.trial_session_options(course_hint=lead.course_interest)
        form = BookTrialForm(request.POST or None, options=options)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                trial = services.trial_book(
                    lead=lead,
                    group=data["group"],
                    date=data["date"],
                    time=data["time"],
                    notes=data["notes"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                self.message_user(request, f"Booked: {trial}. Reminders are planned.", messages.SUCCESS)
                return redirect(reverse("admin:leads_lead_change", args=[lead.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Book a trial lesson for {lead}",
            "form": form,
            "opts": self.model._meta,
            "original": lead,
            "submit_label": "Book trial",
            "intro": "Lessons of the next two weeks that have a free place (enrolled students and booked trials "
            "counted); groups of the course the lead asked about first.",
            "empty_message": "" if options else "No lesson in the next two weeks has a free place.",
        }
        return TemplateResponse(request, "admin/core/form_page.html", context)
