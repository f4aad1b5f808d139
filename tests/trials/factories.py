"""Trial test helpers: a group that meets on a given date, and booking through
the service so the TrialReminder and lead status are real."""

import datetime

from scheduling.patterns import DayPattern
from tests.scheduling.factories import GroupFactory
from trials import services

WEEKDAY_PATTERNS = [
    DayPattern.MON,
    DayPattern.TUE,
    DayPattern.WED,
    DayPattern.THU,
    DayPattern.FRI,
    DayPattern.SAT,
    DayPattern.SUN,
]


def group_meeting_on(date: datetime.date, *, start=datetime.time(16, 0), end=datetime.time(17, 30), **kwargs):
    """A group whose pattern is the weekday of ``date``, running since before it."""
    kwargs.setdefault("days", WEEKDAY_PATTERNS[date.weekday()])
    kwargs.setdefault("start_date", date - datetime.timedelta(days=60))
    return GroupFactory(start_time=start, end_time=end, **kwargs)


def book(*, lead, group, date, by, at=None, time=None):
    return services.trial_book(lead=lead, group=group, date=date, by=by, at=at, time=time)
