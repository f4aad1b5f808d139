"""Reads of trials: row-level visibility and the lessons a lead can be booked into."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from leads.selectors import rows_of_visible_leads
from scheduling import selectors as scheduling_selectors
from scheduling.models import Group
from scheduling.patterns import describe_date, iter_sessions
from trials.models import Trial

BOOKING_WINDOW_DAYS = 14
SESSIONS_PER_GROUP = 4


def trials_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """A salesperson sees only trials of their own leads; managers all."""
    queryset = Trial.objects.all() if queryset is None else queryset
    return rows_of_visible_leads(user, queryset)


@dataclass(frozen=True)
class SessionOption:
    group: Group
    date: datetime.date
    free: int

    @property
    def value(self) -> str:
        return f"{self.group.pk}:{self.date.isoformat()}"

    @property
    def label(self) -> str:
        g = self.group
        places = ngettext("%(count)d free place", "%(count)d free places", self.free) % {"count": self.free}
        return (
            f"{g.name} ({g.course.name}) — {describe_date(self.date)} {g.start_time:%H:%M}–{g.end_time:%H:%M}, {places}"
        )


def trial_session_options(
    *,
    course_hint: str = "",
    start: datetime.date | None = None,
    days: int = BOOKING_WINDOW_DAYS,
    per_group: int = SESSIONS_PER_GROUP,
    now: datetime.datetime | None = None,
) -> list[SessionOption]:
    """The next lessons (per running group of an active course) that are not
    over and have a free place, counting enrolled students and trials already
    booked for that lesson. Groups of the course the lead asked about come first.
    Three queries whatever the number of groups."""
    now = now or timezone.now()
    start = start or timezone.localdate(now)
    end = start + datetime.timedelta(days=days - 1)
    groups = list(
        scheduling_selectors.groups_with_load(
            scheduling_selectors.groups_running_between(start, end).filter(course__is_active=True), today=start
        ).select_related("course", "room")
    )
    trials = scheduling_selectors.held_seats_by_group_and_date(group_ids=[g.pk for g in groups], start=start, end=end)
    tz = timezone.get_default_timezone()
    options = []
    for group in groups:
        last = min(end, group.end_date) if group.end_date else end
        found = 0
        for day in iter_sessions(group.days, max(start, group.start_date), until=last):
            if datetime.datetime.combine(day, group.end_time, tzinfo=tz) <= now:
                continue
            free = group.capacity - group.active_students - trials.get((group.pk, day), 0)
            if free > 0:
                options.append(SessionOption(group=group, date=day, free=free))
                found += 1
                if found >= per_group:
                    break
    hint = course_hint.strip().lower()

    def order(option: SessionOption):
        matches = bool(hint) and (hint in option.group.course.name.lower() or option.group.course.name.lower() in hint)
        return (not matches, option.group.course.name, option.date, option.group.start_time, option.group.name)

    return sorted(options, key=order)
