"""Trials admin: thin callers of trials.services. Booking starts on the lead
page (trials.lead_page); here trials are worked: attendance, result,
reschedule, cancel. Salespeople see only their own leads' trials."""

from __future__ import annotations

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_lists import LargeListMixin
from core.admin_tools import (
    ConfirmForm,
    ExportMixin,
    OwnRowsColumnsMixin,
    ReadOnlyAdminMixin,
    add_service_errors,
    form_page,
    intermediate_action,
    salesperson_filter,
)
from core.badges import RED, TEAL, badge
from core.durations import duration_words, relative_words
from leads.search import LeadSearchMixin
from trials import selectors, services
from trials.badges import reminder_state_badge, trial_result_badge, trial_status_badge
from trials.forms import NO_FREE_LESSON, CancelTrialForm, RecordResultForm, SessionChoiceForm
from trials.models import Trial, TrialReminder, TrialResult, TrialStatus

CONFIRM_ATTENDED = _("The lead moves to “trial attended” and the result is recorded next. This cannot be undone.")
CONFIRM_NO_SHOW = _(
    "The lead goes back to “interested”, to be booked again. The trial cannot be marked attended afterwards."
)


class TrialDateFilter(admin.SimpleListFilter):
    title = _("date")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("tomorrow", _("Tomorrow")), ("week", _("Next 7 days")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "today":
            return queryset.filter(scheduled_date=today)
        if value == "tomorrow":
            return queryset.filter(scheduled_date=today + datetime.timedelta(days=1))
        if value == "week":
            return queryset.filter(scheduled_date__range=(today, today + datetime.timedelta(days=6)))
        if value == "past":
            return queryset.filter(scheduled_date__lt=today)
        return queryset


class TrialReminderInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TrialReminder
    extra = 0
    fields = [
        "pre_trial_reminder_scheduled_at",
        "pre_status_label",
        "pre_sent",
        "pre_trial_reminder_sent_at",
        "post_trial_reminder_scheduled_at",
        "post_status_label",
        "post_sent",
        "post_trial_reminder_sent_at",
    ]
    readonly_fields = fields
    verbose_name = verbose_name_plural = _("reminders")

    @admin.display(description=_("pre-trial reminder status"))
    def pre_status_label(self, obj):
        return reminder_state_badge(obj.pre_trial_reminder_status)

    @admin.display(description=_("post-trial reminder status"))
    def post_status_label(self, obj):
        return reminder_state_badge(obj.post_trial_reminder_status)

    # The generated booleans, shown as the admin's yes/no icons.
    @admin.display(description=_("pre-trial reminder sent"), boolean=True)
    def pre_sent(self, obj):
        return obj.pre_trial_reminder_sent

    @admin.display(description=_("post-trial reminder sent"), boolean=True)
    def post_sent(self, obj):
        return obj.post_trial_reminder_sent


@admin.register(Trial)
class TrialAdmin(OwnRowsColumnsMixin, LargeListMixin, LeadSearchMixin, ExportMixin, admin.ModelAdmin):
    list_display = [
        "lead",
        "group",
        "scheduled_date",
        "scheduled_time",
        "status_label",
        "result_label",
        "starts_in",
        "flags",
        "salesperson",
    ]
    salesperson_columns = ("salesperson",)
    list_select_related = ["lead", "lead__assigned_to", "group", "group__course"]
    list_filter = [
        "status",
        "result",
        TrialDateFilter,
        # By course, not by group: a centre of this size runs a thousand groups
        # (a filter of a thousand links, rendered on every page); the search
        # finds a group by name. RelatedOnlyFieldListFilter would also run a
        # DISTINCT over all trials on every page.
        ("group__course", admin.RelatedFieldListFilter),
        # The lead's salesperson as the trial carries it: one walk of trial_mine_idx.
        salesperson_filter("lead_owner"),
    ]
    search_fields = ["lead__full_name", "lead__phone", "group__name"]
    own_search_fields = ("group__name",)
    ordering = ["-scheduled_date", "-scheduled_time", "-id"]
    sortable_by = ["scheduled_date", "status_label", "hours_until"]  # trial_list_order_idx, (status, scheduled_date)
    inlines = [TrialReminderInline]
    save_on_top = True  # a long page: Save without scrolling to the bottom (on a phone too)
    fields = [
        "lead",
        "group",
        "scheduled_date",
        "scheduled_time",
        "status_label",
        "result_label",
        "starts_in",
        "flags",
        "next_steps",
        "notes",
        "booked_by",
        "booked_at",
        "attendance_marked_at",
        "result_recorded_at",
        "cancelled_at",
        "cancel_reason",
    ]
    readonly_fields = [f for f in fields if f != "notes"]
    actions = ["mark_attended", "mark_no_show", "record_result", "cancel_trials"]
    export_fields = ["lead", "group", "scheduled_date", "scheduled_time", "status", "result", "salesperson"]

    # --- access ---------------------------------------------------------------

    def get_queryset(self, request):
        return selectors.trials_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # booked from the lead page, which offers only lessons that fit

    # --- columns --------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return trial_status_badge(obj.status)

    @admin.display(description=_("result"), ordering="result")
    def result_label(self, obj):
        return trial_result_badge(obj.result)

    @admin.display(description=_("starts"), ordering="scheduled_date")
    def starts_in(self, obj):
        """How soon, in words ("in 1 h 20 min", "started 25 min ago"), for a scheduled trial."""
        if obj.status != TrialStatus.SCHEDULED:
            return "—"
        now = timezone.now()
        if obj.starts_at > now:
            return relative_words(obj.starts_at, now)
        return gettext("started %(duration)s ago") % {"duration": duration_words(now - obj.starts_at)}

    @admin.display(description=_("flags"))
    def flags(self, obj):
        if obj.is_overdue:
            return badge(gettext("Attendance due"), RED)
        if obj.is_upcoming_today:
            return badge(gettext("Today"), TEAL)
        return "—"

    @admin.display(description=_("salesperson"), ordering="lead__assigned_to")
    def salesperson(self, obj):
        return obj.lead.assigned_to or "—"

    @admin.display(description=_("next steps"))
    def next_steps(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        buttons = []
        url = lambda name: reverse(f"admin:trials_trial_{name}", args=[obj.pk])  # noqa: E731
        if obj.status == TrialStatus.SCHEDULED:
            if obj.starts_at <= timezone.now():
                # Links to a confirmation page, not buttons that post at once.
                buttons.append(format_html('<a class="button" href="{}">{}</a>', url("attended"), _("Mark attended")))
                buttons.append(format_html('<a class="button" href="{}">{}</a>', url("no_show"), _("No-show")))
            buttons.append(format_html('<a class="button" href="{}">{}</a>', url("reschedule"), gettext("Reschedule")))
            buttons.append(format_html('<a class="button" href="{}">{}</a>', url("cancel"), gettext("Cancel trial")))
        if obj.status == TrialStatus.ATTENDED and obj.result in (TrialResult.PENDING, TrialResult.SALES_OFFER):
            buttons.append(format_html('<a class="button" href="{}">{}</a>', url("result"), gettext("Record result")))
        if not buttons:
            return "—"
        return format_html_join(" ", "{}", ((b,) for b in buttons))

    # --- per-trial pages ---------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/attended/", view(self.attended_view), name="trials_trial_attended"),
            path("<int:object_id>/no-show/", view(self.no_show_view), name="trials_trial_no_show"),
            path("<int:object_id>/result/", view(self.result_view), name="trials_trial_result"),
            path("<int:object_id>/reschedule/", view(self.reschedule_view), name="trials_trial_reschedule"),
            path("<int:object_id>/cancel/", view(self.cancel_view), name="trials_trial_cancel"),
            *super().get_urls(),
        ]

    def _trial_for_change(self, request, object_id) -> Trial:
        trial = self.get_object(request, str(object_id))
        if trial is None:
            raise PermissionDenied
        if not self.has_change_permission(request, trial):
            raise PermissionDenied
        return trial

    def _change_url(self, trial):
        return reverse("admin:trials_trial_change", args=[trial.pk])

    def _apply(self, request, trial, call, success: str):
        try:
            call()
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return False
        self.message_user(request, success, messages.SUCCESS)
        return True

    def attended_view(self, request, object_id):
        """GET asks (the page names the trial and what follows), POST marks."""
        trial = self._trial_for_change(request, object_id)
        if request.method == "POST":
            self._apply(
                request,
                trial,
                lambda: services.trial_mark_attended(trial=trial, by=request.user),
                gettext("%(lead)s attended the trial. Now record the result.") % {"lead": trial.lead},
            )
            return redirect(self._change_url(trial))
        title = _("%(lead)s attended the trial?")
        return self._confirm_page(request, trial, title, CONFIRM_ATTENDED, _("Mark attended"))

    def no_show_view(self, request, object_id):
        trial = self._trial_for_change(request, object_id)
        if request.method == "POST":
            self._apply(
                request,
                trial,
                lambda: services.trial_mark_no_show(trial=trial, by=request.user),
                gettext("%(lead)s did not come; the lead is back to “interested”.") % {"lead": trial.lead},
            )
            return redirect(self._change_url(trial))
        return self._confirm_page(request, trial, _("%(lead)s did not come?"), CONFIRM_NO_SHOW, _("Mark no-show"))

    def _confirm_page(self, request, trial, title: str, intro: str, submit_label: str):
        return self._form_page(
            request,
            trial,
            ConfirmForm(),
            title=title % {"lead": trial.lead},
            intro=format_html("{} {}", trial, intro),
            submit_label=submit_label,
        )

    def _form_page(self, request, trial, form, **page):
        return form_page(self, request, form=form, original=trial, **page)

    def result_view(self, request, object_id):
        trial = self._trial_for_change(request, object_id)
        form = RecordResultForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.trial_record_result(
                    trial=trial,
                    result=data["result"],
                    by=request.user,
                    mark_lost=data["mark_lost"],
                    lost_reason=data["lost_reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                message = gettext("Result recorded: %(result)s.") % {"result": trial.get_result_display()}
                self.message_user(request, message, messages.SUCCESS)
                return redirect(self._change_url(trial))
        return self._form_page(
            request,
            trial,
            form,
            title=_("Record the trial result"),
            submit_label=_("Record result"),
            intro=_("Accepted enrols the lead into the trial's group."),
        )

    def reschedule_view(self, request, object_id):
        trial = self._trial_for_change(request, object_id)
        options = selectors.trial_session_options(course_hint=trial.group.course.name)
        form = SessionChoiceForm(request.POST or None, options=options)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.trial_reschedule(
                    trial=trial, group=data["group"], date=data["date"], time=data["time"], by=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                message = gettext("Trial moved to %(moment)s; reminders moved with it.") % {
                    "moment": f"{trial.scheduled_date:%d.%m.%Y} {trial.scheduled_time:%H:%M}"
                }
                self.message_user(request, message, messages.SUCCESS)
                return redirect(self._change_url(trial))
        return self._form_page(
            request,
            trial,
            form,
            title=_("Reschedule the trial"),
            submit_label=_("Reschedule"),
            empty_message="" if options else NO_FREE_LESSON,
        )

    def cancel_view(self, request, object_id):
        trial = self._trial_for_change(request, object_id)
        form = CancelTrialForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.trial_cancel(trial=trial, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                self.message_user(request, gettext("Trial cancelled; its reminders were dropped."), messages.SUCCESS)
                return redirect(self._change_url(trial))
        return self._form_page(request, trial, form, title=_("Cancel the trial"), submit_label=_("Cancel trial"))

    # --- actions --------------------------------------------------------------

    def _each(self, request, queryset, call, done_message):
        """Run ``call`` on each trial; ``done_message(count)`` says how many succeeded."""
        done, refused = 0, []
        for trial in queryset.select_related("lead", "group"):
            try:
                call(trial)
                done += 1
            except ValidationError as exc:
                refused.append(f"{trial}: {' '.join(exc.messages)}")
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    # Attendance moves the lead on (trial attended / back to interested) and
    # cannot be taken back, so both ask first, naming the trials.
    @admin.action(description=_("Mark selected trials attended"), permissions=["change"])
    def mark_attended(self, request, queryset):
        return intermediate_action(
            self,
            request,
            queryset,
            form_class=ConfirmForm,
            title=_("Mark trials attended?"),
            intro=CONFIRM_ATTENDED,
            submit_label=_("Mark attended"),
            apply=lambda data: self._each(
                request,
                queryset,
                lambda t: services.trial_mark_attended(trial=t, by=request.user),
                lambda n: (
                    ngettext("%(count)d trial marked attended.", "%(count)d trials marked attended.", n) % {"count": n}
                ),
            ),
        )

    @admin.action(description=_("Mark selected trials no-show"), permissions=["change"])
    def mark_no_show(self, request, queryset):
        return intermediate_action(
            self,
            request,
            queryset,
            form_class=ConfirmForm,
            title=_("Mark trials no-show?"),
            intro=CONFIRM_NO_SHOW,
            submit_label=_("Mark no-show"),
            apply=lambda data: self._each(
                request,
                queryset,
                lambda t: services.trial_mark_no_show(trial=t, by=request.user),
                lambda n: (
                    ngettext("%(count)d trial marked no-show.", "%(count)d trials marked no-show.", n) % {"count": n}
                ),
            ),
        )

    @admin.action(description=_("Record result for selected trials"), permissions=["change"])
    def record_result(self, request, queryset):
        def apply(data):
            self._each(
                request,
                queryset,
                lambda t: services.trial_record_result(
                    trial=t,
                    result=data["result"],
                    by=request.user,
                    mark_lost=data["mark_lost"],
                    lost_reason=data["lost_reason"],
                ),
                lambda n: (
                    ngettext(
                        "%(count)d trial recorded as “%(result)s”.", "%(count)d trials recorded as “%(result)s”.", n
                    )
                    % {"count": n, "result": TrialResult(data["result"]).label}
                ),
            )

        return intermediate_action(
            self, request, queryset, form_class=RecordResultForm, title=_("Record result"), apply=apply
        )

    @admin.action(description=_("Cancel selected trials"), permissions=["change"])
    def cancel_trials(self, request, queryset):
        def apply(data):
            self._each(
                request,
                queryset,
                lambda t: services.trial_cancel(trial=t, by=request.user, reason=data["reason"]),
                "cancelled",
            )

        return intermediate_action(
            self, request, queryset, form_class=CancelTrialForm, title=_("Cancel trials"), apply=apply
        )
