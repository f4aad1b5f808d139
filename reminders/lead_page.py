"""The follow-up on the lead's page: the panel and the "Record contact" and
"Set next follow-up" pages. Provided to leads.lead_page in
RemindersConfig.ready(); LeadAdmin wires them in by name and has already
checked that the user may change the lead."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_tools import add_service_errors, form_page
from core.badges import GREY, badge, deadline_badge
from leads import lead_page
from reminders import services
from reminders.forms import FollowUpForm
from reminders.models import OPEN_REMINDER_STATUSES, LeadReminder


def follow_up_panel(lead) -> str:
    reminder = (
        LeadReminder.objects.filter(lead=lead, status__in=OPEN_REMINDER_STATUSES).select_related("salesperson").first()
    )
    record = format_html(
        '<button type="submit" class="button" formaction="{}" formnovalidate>{}</button>',
        reverse("admin:leads_lead_record_contact", args=[lead.pk]),
        gettext("Record contact"),
    )
    set_next = format_html(
        '<a class="button" href="{}">{}</a>',
        reverse("admin:leads_lead_follow_up", args=[lead.pk]),
        gettext("Set next follow-up"),
    )
    if reminder is None:
        return format_html("{} &nbsp; {} &nbsp; {}", badge(gettext("No open follow-up"), GREY), record, set_next)
    sent = gettext(", reminded %(count)d×") % {"count": reminder.reminder_count} if reminder.reminder_count else ""
    note = f" — {reminder.note}" if reminder.note else ""
    summary = gettext("%(kind)s by %(salesperson)s") % {
        "kind": reminder.get_kind_display(),
        "salesperson": reminder.salesperson,
    }
    return format_html(
        "{} {}{}{} &nbsp; {} &nbsp; {}",
        deadline_badge(reminder.due_at),
        summary,
        sent,
        note,
        record,
        set_next,
    )


def record_contact(request, lead, modeladmin):
    if request.method == "POST":
        try:
            services.followup_record_contact(lead=lead, by=request.user)
        except ValidationError as exc:
            modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            modeladmin.message_user(
                request, gettext("Contact with %(lead)s recorded.") % {"lead": lead}, messages.SUCCESS
            )
    # Back where the click came from when that is one of our pages (the start
    # page's one-click Record contact), else to the lead.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(reverse("admin:leads_lead_change", args=[lead.pk]))


def set_follow_up(request, lead, modeladmin):
    if not request.user.has_perm("reminders.add_leadreminder"):
        raise PermissionDenied
    initial = {"due_at": timezone.localtime() + datetime.timedelta(days=1)}
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.followup_set(lead=lead, due_at=data["due_at"], note=data["note"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            modeladmin.message_user(request, gettext("Next follow-up set."), messages.SUCCESS)
            return redirect(reverse("admin:leads_lead_change", args=[lead.pk]))
    return form_page(
        modeladmin,
        request,
        form=form,
        title=gettext("Next follow-up with %(lead)s") % {"lead": lead},
        submit_label=_("Set follow-up"),
        original=lead,
    )


def provide() -> None:
    lead_page.provide_panel("follow_up", follow_up_panel)
    lead_page.provide_page("record_contact", record_contact)
    lead_page.provide_page("set_follow_up", set_follow_up)
