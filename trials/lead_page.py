"""Trials on the lead's page: the lead's trial lessons and a "Book trial" page
that offers only lessons that fit (the group meets that day, the lesson is not
over, a place is free). Provided to leads.lead_page in TrialsConfig.ready();
LeadAdmin wires them in by name and has already checked that the user may
change the lead."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_tools import add_service_errors, form_page
from leads import lead_page
from trials import selectors, services
from trials.badges import trial_status_badge
from trials.forms import NO_FREE_LESSON, BookTrialForm
from trials.models import Trial, TrialStatus

PANEL_TRIALS = 5


def trials_panel(lead) -> str:
    trials = list(Trial.objects.filter(lead=lead).select_related("group").order_by("-scheduled_date")[:PANEL_TRIALS])
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
    book = ""
    if not has_scheduled and lead.status in services.BOOKABLE_LEAD_STATUSES:
        book = format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:leads_lead_book_trial", args=[lead.pk]),
            _("Book trial"),
        )
    if not trials:
        return format_html("{} {}", gettext("No trials yet."), book)
    return format_html('<ul class="lead-trials">{}</ul>{}', rows, book)


def book_trial(request, lead, modeladmin):
    if not request.user.has_perm("trials.add_trial"):
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
            add_service_errors(form, exc)
        else:
            message = gettext("Booked: %(trial)s. Reminders are planned.") % {"trial": trial}
            modeladmin.message_user(request, message, messages.SUCCESS)
            return redirect(reverse("admin:leads_lead_change", args=[lead.pk]))
    return form_page(
        modeladmin,
        request,
        form=form,
        title=gettext("Book a trial lesson for %(lead)s") % {"lead": lead},
        submit_label=_("Book trial"),
        original=lead,
        intro=_(
            "Lessons of the next two weeks that have a free place (enrolled students and booked trials "
            "counted); groups of the course the lead asked about first."
        ),
        empty_message="" if options else NO_FREE_LESSON,
    )


def provide() -> None:
    lead_page.provide_panel("trials", trials_panel)
    lead_page.provide_page("book_trial", book_trial)
    # The records behind "trial scheduled" and "trial attended".
    lead_page.provide_status_record(
        "trial_scheduled", lambda: Trial.objects.filter(status=TrialStatus.SCHEDULED).values("lead_id")
    )
    lead_page.provide_status_record(
        "trial_attended", lambda: Trial.objects.filter(status=TrialStatus.ATTENDED).values("lead_id")
    )
