"""The start pages as the admin index shows them (thin: reads come from
today.selectors, the one write from leads.services).

Rows are turned into what a person acts on here — the name ("Unnamed"), the
phone as a tel: link, the chat links we can build from what intake stored, how
late or how soon in words (core.durations), and the Record contact / Open
links — so the template only lays them out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from accounts import roles
from core.badges import BLUE, GREEN, GREY, ORANGE, RED, TEAL, badge
from core.durations import duration_words, relative_words
from leads import services as lead_services
from leads.badges import source_badge
from leads.models import Lead
from reminders.models import LeadReminder
from today import selectors
from trials.badges import trial_status_badge
from trials.models import Trial, TrialStatus

TITLES = {
    selectors.SALESPERSON: gettext_lazy("Your day"),
    selectors.MANAGER: gettext_lazy("This morning"),
    selectors.TEACHER: gettext_lazy("Your lessons"),
}
SOON = datetime.timedelta(hours=1)
NO_UNASSIGNED = gettext_lazy("There are no unassigned leads to share out.")


def lead_name(lead: Lead) -> str:
    return lead.full_name or _("Unnamed")


def telegram_href(lead: Lead) -> str:
    """A private chat's id is the person's Telegram user id (intake stores the
    chat of the message that brought the lead), which tg:// opens in the app."""
    chat = lead.telegram_chat_id
    return f"tg://user?id={chat}" if chat.isdigit() else ""  # a group chat (negative id) is no person


def whatsapp_href(lead: Lead) -> str:
    """WhatsApp's wa_id is the international number without "+": wa.me opens the chat."""
    digits = "".join(ch for ch in lead.whatsapp_id if ch.isdigit())
    return f"https://wa.me/{digits}" if digits else ""


@dataclass(frozen=True)
class Item:
    """One line of work on one lead."""

    lead: Lead
    when: str  # safe HTML: a badge saying how late or how soon
    detail: str  # what the row is about: the follow-up's kind and note, the trial's lesson
    record_contact: bool = True
    actions: bool = True  # False: a line to read and open (the manager's unassigned leads)
    extra_action: tuple[str, str] | None = None  # (label, url), e.g. the trial's page

    @property
    def name(self) -> str:
        return lead_name(self.lead)

    @property
    def phone(self) -> str:
        return self.lead.phone_display

    @property
    def tel_href(self) -> str:
        return f"tel:{self.lead.phone}"

    @property
    def telegram_href(self) -> str:
        return telegram_href(self.lead)

    @property
    def whatsapp_href(self) -> str:
        return whatsapp_href(self.lead)

    @property
    def open_url(self) -> str:
        return reverse("admin:leads_lead_change", args=[self.lead.pk])

    @property
    def record_url(self) -> str:
        return reverse("admin:leads_lead_record_contact", args=[self.lead.pk])


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: list
    total: int
    empty: str
    more_url: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _local_time(moment: datetime.datetime, now: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    same_day = local.date() == timezone.localdate(now)
    return f"{local:%H:%M}" if same_day else f"{local:%d.%m.%Y %H:%M}"


def _followup_item(reminder: LeadReminder, now: datetime.datetime) -> Item:
    """Red once the deadline has passed, orange within the hour (as core.badges.deadline_badge)."""
    due = reminder.due_at
    colour = RED if due < now else ORANGE if due - now <= SOON else TEAL
    when = format_html("{} <small>{}</small>", badge(relative_words(due, now), colour), _local_time(due, now))
    kind = reminder.get_kind_display()
    detail = f"{kind} — {reminder.note}" if reminder.note else kind
    return Item(lead=reminder.lead, when=when, detail=detail)


def _trial_item(trial: Trial, now: datetime.datetime, *, per_group: bool = False) -> Item:
    """A trial today. Listed under its group (the manager's page) the row says
    whose lead it is; in a salesperson's own list, which lesson it is."""
    starts = trial.starts_at
    if per_group:
        owner = trial.lead.assigned_to
        lesson = _("%(time)s · %(salesperson)s") % {
            "time": f"{trial.scheduled_time:%H:%M}",
            "salesperson": owner if owner is not None else _("no salesperson"),
        }
    else:
        lesson = _("%(group)s (%(course)s) at %(time)s") % {
            "group": trial.group.name,
            "course": trial.group.course.name,
            "time": f"{trial.scheduled_time:%H:%M}",
        }
    trial_page = (_("Trial"), reverse("admin:trials_trial_change", args=[trial.pk]))
    if trial.status != TrialStatus.SCHEDULED:
        when = trial_status_badge(trial.status)
    elif starts <= now:
        # The lesson has started and nobody has said whether the lead came.
        when = format_html(
            "{} <small>{}</small>",
            badge(_("attendance due"), RED),
            _("started %(duration)s ago") % {"duration": duration_words(now - starts)},
        )
        trial_page = (_("Record attendance"), trial_page[1])
    else:
        when = badge(relative_words(starts, now), ORANGE if starts - now <= SOON else BLUE)
    return Item(lead=trial.lead, when=when, detail=lesson, extra_action=trial_page)


def _new_lead_item(lead: Lead, now: datetime.datetime) -> Item:
    waiting = _("waiting %(duration)s") % {"duration": duration_words(now - lead.created_at)}
    return Item(lead=lead, when=badge(waiting, BLUE), detail=source_badge(lead.source))


def _leads_url(**params) -> str:
    return f"{reverse('admin:leads_lead_changelist')}?{urlencode(params)}"


def _section(key, title, rows: selectors.Rows, make, now, *, empty, more_url="") -> Section:
    return Section(
        key=key,
        title=title,
        items=[make(row, now) for row in rows.rows],
        total=rows.total,
        empty=empty,
        more_url=more_url,
    )


def salesperson_context(user, now) -> dict:
    day = selectors.salesperson_day(user=user, now=now)
    sections = [
        _section(
            "overdue",
            _("Overdue follow-ups"),
            day.overdue,
            _followup_item,
            now,
            empty=_("Nothing overdue — every lead has been called on time."),
            more_url=_leads_url(followup="overdue"),
        ),
        _section(
            "trials",
            _("Trials today"),
            day.trials,
            _trial_item,
            now,
            empty=_("No trial lessons today. Book one from a lead's page (Book trial)."),
            more_url=f"{reverse('admin:trials_trial_changelist')}",
        ),
        _section(
            "due_today",
            _("Follow-ups due today"),
            day.due_today,
            _followup_item,
            now,
            empty=_("No more follow-ups due today."),
            more_url=_leads_url(followup="today"),
        ),
        _section(
            "new",
            _("New leads not yet contacted"),
            day.new_leads,
            _new_lead_item,
            now,
            empty=_("No new leads waiting. New leads due for a first call today are listed above."),
            more_url=_leads_url(status="new"),
        ),
    ]
    return {"sections": sections}


@dataclass(frozen=True)
class Behind:
    name: str
    overdue: int
    oldest: str
    url: str


def manager_context(user, now) -> dict:
    morning = selectors.manager_morning(now=now)
    behind = [
        Behind(
            name=str(row.salesperson),
            overdue=row.overdue,
            oldest=relative_words(row.oldest_due_at, now) if row.oldest_due_at else "",
            url=_leads_url(salesperson=row.salesperson.pk, followup="overdue"),
        )
        for row in morning.overdue_by_salesperson
    ]
    unassigned = [
        Item(
            lead=lead,
            when=badge(_("waiting %(duration)s") % {"duration": duration_words(now - lead.created_at)}, BLUE),
            detail=source_badge(lead.source),
            record_contact=False,
            actions=False,
        )
        for lead in morning.unassigned.rows
    ]
    groups = [
        {
            "group": entry.group,
            "time": f"{entry.group.start_time:%H:%M}–{entry.group.end_time:%H:%M}",
            "items": [_trial_item(trial, now, per_group=True) for trial in entry.trials],
            "url": reverse("admin:scheduling_group_change", args=[entry.group.pk]),
        }
        for entry in morning.trials_by_group
    ]
    return {
        "unassigned": unassigned,
        "unassigned_total": morning.unassigned.total,
        "unassigned_url": _leads_url(salesperson="none"),
        "can_assign": user.has_perm("leads.change_lead"),
        "behind": behind,
        "overdue_total": sum(row.overdue for row in behind),
        "groups": groups,
        "trials_today": morning.trials_today,
        "yesterday": morning.yesterday,
        "yesterday_day": timezone.localdate(now) - datetime.timedelta(days=1),
        "dashboard_url": reverse("admin:analytics_dashboard_changelist"),
    }


def _lesson_state(lesson: selectors.Lesson, now: datetime.datetime) -> str:
    """Today's lessons say where the day is: over, under way, or how soon."""
    if lesson.ends_at <= now:
        return badge(_("over"), GREY)
    if lesson.starts_at <= now:
        return badge(_("under way"), GREEN)
    return badge(relative_words(lesson.starts_at, now), ORANGE if lesson.starts_at - now <= SOON else BLUE)


def teacher_context(user, now) -> dict:
    week = selectors.teacher_week(user=user, now=now)
    return {
        "lessons_today": [{"lesson": x, "state": _lesson_state(x, now)} for x in week.today],
        "lessons_later": [{"lesson": x, "state": ""} for x in week.later],
    }


def start_page_context(request) -> dict:
    """The index's extra context: which start page and what it shows."""
    now = timezone.now()
    role = selectors.start_page_role(request.user)
    if role is None:
        return {"start_page": None}
    build = {
        selectors.SALESPERSON: salesperson_context,
        selectors.MANAGER: manager_context,
        selectors.TEACHER: teacher_context,
    }[role]
    local = timezone.localtime(now)
    return {
        "start_page": role,
        "title": TITLES[role],
        "today_label": f"{local:%d.%m.%Y}",
        "now_label": f"{local:%H:%M}",
        **build(request.user, now),
    }


@require_http_methods(["GET", "POST"])
def assign_unassigned(request, *, site):
    """Share the unassigned leads out among the active salespeople in turn
    (leads.services round-robin, which continues from the last assignment).
    Hard to undo, so the start page's button asks first: GET shows who would
    get how many, POST assigns."""
    if not (roles.is_manager(request.user) and request.user.has_perm("leads.change_lead")):
        raise PermissionDenied
    if request.method == "POST":
        return _assign_unassigned(request)
    total = selectors.unassigned_open_leads().count()
    shares, error = {}, ""
    try:
        rotation = lead_services.salesperson_rotation()
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        for _n in range(total):
            person = next(rotation)
            shares[person] = shares.get(person, 0) + 1
    context = {
        **site.each_context(request),
        "title": _("Assign unassigned leads"),
        "subtitle": None,
        "total": total,
        "shares": list(shares.items()),
        "error": error,
    }
    return TemplateResponse(request, "admin/today/assign_unassigned.html", context)


def _assign_unassigned(request):
    leads = list(selectors.unassigned_open_leads())
    if not leads:
        messages.info(request, NO_UNASSIGNED)
        return redirect("admin:index")
    try:
        counts = lead_services.leads_assign_round_robin(leads=leads, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("admin:index")
    shares = ", ".join(f"{person}: {n}" for person, n in counts.items())
    total = sum(counts.values())
    messages.success(
        request,
        ngettext(
            "%(count)d lead assigned round-robin (%(shares)s).",
            "%(count)d leads assigned round-robin (%(shares)s).",
            total,
        )
        % {"count": total, "shares": shares},
    )
    return redirect("admin:index")
