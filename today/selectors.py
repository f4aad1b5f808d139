"""Reads of the start pages: the day of whoever logs in.

Each page is a fixed handful of queries whatever the data size (tests hold the
counts): every section is one query that brings its first ``ROW_LIMIT`` rows
and, through a window count, how many there are in all. Row-level access is
the apps' own (``leads_visible_to``, ``reminders_visible_to``,
``trials_visible_to``); nothing here decides who may see a lead.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Min, OuterRef, QuerySet, Window
from django.utils import timezone

from accounts import roles
from analytics.models import LeadMetrics
from analytics.selectors import FUNNEL
from core.days import day_bounds
from leads.models import Lead, LeadStatus
from leads.selectors import leads_visible_to
from reminders.models import OPEN_REMINDER_STATUSES, LeadReminder
from reminders.selectors import followups_overdue, reminders_visible_to
from scheduling import selectors as scheduling_selectors
from scheduling.models import Group
from scheduling.patterns import meets_on
from trials.models import Trial, TrialStatus
from trials.selectors import trials_visible_to

# Rows shown per section; the count above it and a link to the full list say the rest.
ROW_LIMIT = 50
UNASSIGNED_PREVIEW = 5
# An unassigned lead in these statuses needs nobody: it is not waiting for a salesperson.
CLOSED_STATUSES = (LeadStatus.LOST, LeadStatus.ENROLLED)

SALESPERSON, MANAGER, TEACHER = "salesperson", "manager", "teacher"


def start_page_role(user) -> str | None:
    """Which start page ``user`` gets: managers and superusers the manager's
    (whatever else they are), then salespeople, then teachers; None for staff
    with no role (they get the app list only)."""
    if roles.is_manager(user):
        return MANAGER
    if roles.is_salesperson(user):
        return SALESPERSON
    if roles.is_teacher(user):
        return TEACHER
    return None


@dataclass(frozen=True)
class Rows:
    """The first rows of a section and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _rows(queryset: QuerySet, limit: int | None = None) -> Rows:
    """One query: the first ``limit`` (ROW_LIMIT) rows, each carrying the full
    count (a window over the whole filtered set, computed before the LIMIT)."""
    rows = list(queryset.annotate(section_total=Window(Count("pk")))[: limit or ROW_LIMIT])
    return Rows(rows=rows, total=rows[0].section_total if rows else 0)


# --- the salesperson's day ----------------------------------------------------------


@dataclass(frozen=True)
class SalespersonDay:
    overdue: Rows  # LeadReminder, oldest deadline first
    trials: Rows  # Trial, by start time
    due_today: Rows  # LeadReminder, by deadline
    new_leads: Rows  # Lead, longest waiting first


def salesperson_day(*, user, now: datetime.datetime | None = None) -> SalespersonDay:
    """A salesperson's own work of the local day, in the order it is done.

    A lead appears once: a new lead whose first-contact deadline has passed or
    falls today is among the follow-ups (marked "first contact"), so "new leads"
    holds only the uncontacted ones with no deadline today. Four queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_end = day_bounds(today)[1]
    followups = (
        reminders_visible_to(user)
        .filter(status__in=OPEN_REMINDER_STATUSES, salesperson=user)
        .select_related("lead")
        .order_by("due_at", "id")
    )
    trials = (
        trials_visible_to(user)
        .filter(scheduled_date=today)
        .exclude(status=TrialStatus.CANCELLED)
        .select_related("lead", "group", "group__course")
        .order_by("scheduled_time", "id")
    )
    new_leads = (
        leads_visible_to(user)
        .filter(status=LeadStatus.NEW, first_contacted_at__isnull=True)
        # Not the leads of the two follow-up sections (the same reminders), and none is dropped.
        .exclude(
            Exists(
                LeadReminder.objects.filter(
                    lead=OuterRef("pk"), salesperson=user, status__in=OPEN_REMINDER_STATUSES, due_at__lt=day_end
                )
            )
        )
        .order_by("created_at", "id")
    )
    return SalespersonDay(
        overdue=_rows(followups.filter(due_at__lt=now)),
        trials=_rows(trials),
        due_today=_rows(followups.filter(due_at__gte=now, due_at__lt=day_end)),
        new_leads=_rows(new_leads),
    )


# --- the manager's morning ----------------------------------------------------------


@dataclass(frozen=True)
class SalespersonOverdue:
    salesperson: object
    overdue: int
    oldest_due_at: datetime.datetime | None


@dataclass(frozen=True)
class GroupTrials:
    group: Group
    trials: list[Trial]


@dataclass(frozen=True)
class Figures:
    day: datetime.date
    figures: list[tuple[str, int]]  # the dashboard's funnel, in its order
    lost: int
    computed_at: datetime.datetime | None


@dataclass(frozen=True)
class ManagerMorning:
    unassigned: Rows  # Lead, longest waiting first
    overdue_by_salesperson: list[SalespersonOverdue]
    trials_by_group: list[GroupTrials]
    trials_today: int
    yesterday: Figures | None


def unassigned_open_leads() -> QuerySet:
    """Leads nobody works yet, longest waiting first: what round-robin assigns."""
    return (
        Lead.objects.filter(assigned_to__isnull=True).exclude(status__in=CLOSED_STATUSES).order_by("created_at", "id")
    )


def manager_morning(*, now: datetime.datetime | None = None) -> ManagerMorning:
    """What a manager looks at first: leads waiting for a salesperson, who is
    behind, today's trial lessons and yesterday's figures. Five queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    unassigned = _rows(unassigned_open_leads(), limit=UNASSIGNED_PREVIEW)

    behind = {
        row["salesperson_id"]: row
        for row in followups_overdue(now=now)
        .order_by()
        .values("salesperson_id")
        .annotate(n=Count("pk"), oldest=Min("due_at"))
    }
    overdue = [
        SalespersonOverdue(
            salesperson=person,
            overdue=behind.get(person.pk, {}).get("n", 0),
            oldest_due_at=behind.get(person.pk, {}).get("oldest"),
        )
        for person in roles.salespeople()
    ]
    overdue.sort(key=lambda row: (-row.overdue, row.oldest_due_at or now, str(row.salesperson)))

    by_group: dict[int, GroupTrials] = {}
    trials = (
        Trial.objects.filter(scheduled_date=today)
        .exclude(status=TrialStatus.CANCELLED)
        .select_related("lead", "lead__assigned_to", "group", "group__course", "group__teacher", "group__room")
        .order_by("group__start_time", "group__name", "scheduled_time", "id")
    )
    count = 0
    for trial in trials:
        by_group.setdefault(trial.group_id, GroupTrials(group=trial.group, trials=[])).trials.append(trial)
        count += 1

    return ManagerMorning(
        unassigned=unassigned,
        overdue_by_salesperson=overdue,
        trials_by_group=list(by_group.values()),
        trials_today=count,
        yesterday=yesterday_figures(today=today),
    )


def yesterday_figures(*, today: datetime.date) -> Figures | None:
    """Yesterday's funnel from the stored daily rollup (LeadMetrics), the same
    figures and labels as the dashboard's funnel; None until it is computed."""
    day = today - datetime.timedelta(days=1)
    row = LeadMetrics.objects.filter(date=day).first()
    if row is None:
        return None
    return Figures(
        day=day,
        figures=[(label, getattr(row, name)) for label, name in FUNNEL],
        lost=row.lost,
        computed_at=row.computed_at,
    )


# --- the teacher's week -------------------------------------------------------------


@dataclass
class Lesson:
    group: Group
    date: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    trials: list[Trial] = field(default_factory=list)


@dataclass(frozen=True)
class TeacherWeek:
    today: list[Lesson]
    later: list[Lesson]  # tomorrow to Sunday


def teacher_trials(*, teacher, start: datetime.date, end: datetime.date) -> QuerySet:
    """Trial students in the lessons ``teacher`` gives between two dates. A
    teacher sees leads only as the students in their own lessons (by name: the
    phone stays with sales), so this is keyed on the group, not on the lead."""
    return (
        Trial.objects.filter(group__teacher=teacher, scheduled_date__range=(start, end))
        .exclude(status=TrialStatus.CANCELLED)
        .select_related("lead")
        .order_by("scheduled_time", "id")
    )


def teacher_week(*, user, now: datetime.datetime | None = None) -> TeacherWeek:
    """The teacher's lessons today and for the rest of the week (to Sunday),
    each with its trial students. Two queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sunday = scheduling_selectors.week_start_of(today) + datetime.timedelta(days=6)
    groups = list(
        scheduling_selectors.groups_with_load(
            scheduling_selectors.groups_running_between(today, sunday).filter(teacher=user), today=today
        )
        .select_related("course", "room")
        .order_by("start_time", "name")
    )
    trials: dict[tuple[int, datetime.date], list[Trial]] = {}
    for trial in teacher_trials(teacher=user, start=today, end=sunday):
        trials.setdefault((trial.group_id, trial.scheduled_date), []).append(trial)

    tz = timezone.get_default_timezone()
    lessons = []
    for offset in range((sunday - today).days + 1):
        day = today + datetime.timedelta(days=offset)
        for group in groups:
            if day < group.start_date or (group.end_date and day > group.end_date) or not meets_on(group.days, day):
                continue
            lessons.append(
                Lesson(
                    group=group,
                    date=day,
                    starts_at=datetime.datetime.combine(day, group.start_time, tzinfo=tz),
                    ends_at=datetime.datetime.combine(day, group.end_time, tzinfo=tz),
                    trials=trials.get((group.pk, day), []),
                )
            )
    return TeacherWeek(today=[x for x in lessons if x.date == today], later=[x for x in lessons if x.date > today])
