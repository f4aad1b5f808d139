"""Day patterns: the one place that knows on which dates a group meets.

A pattern is one of ``odd`` / ``even`` (odd or even calendar days of the month),
a single weekday (``mon`` … ``sun``), ``mon_wed_fri`` or ``tue_thu``. Conflicts,
room occupancy, the timetable and trial booking all ask this module; nobody
else interprets a pattern.

Every date is described by two facts: its weekday and the parity of its day of
the month. A pattern is exactly the set of (weekday, parity) combinations it
accepts, and every combination occurs in the calendar (often, and within any
few months), so two patterns can meet on the same day iff their sets intersect.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _


class DayPattern(models.TextChoices):
    ODD = "odd", _("Odd days")
    EVEN = "even", _("Even days")
    MON = "mon", _("Mon")
    TUE = "tue", _("Tue")
    WED = "wed", _("Wed")
    THU = "thu", _("Thu")
    FRI = "fri", _("Fri")
    SAT = "sat", _("Sat")
    SUN = "sun", _("Sun")
    MON_WED_FRI = "mon_wed_fri", _("Mon/Wed/Fri")
    TUE_THU = "tue_thu", _("Tue/Thu")


UNKNOWN_PATTERN = _("Unknown day pattern “{value}”. Known patterns: {known}.")

ODD, EVEN = 1, 0
ALL_WEEKDAYS = frozenset(range(7))
BOTH_PARITIES = frozenset({ODD, EVEN})

# weekdays (Monday=0) and day-of-month parities each pattern accepts
_RULES: dict[str, tuple[frozenset[int], frozenset[int]]] = {
    DayPattern.ODD: (ALL_WEEKDAYS, frozenset({ODD})),
    DayPattern.EVEN: (ALL_WEEKDAYS, frozenset({EVEN})),
    DayPattern.MON: (frozenset({0}), BOTH_PARITIES),
    DayPattern.TUE: (frozenset({1}), BOTH_PARITIES),
    DayPattern.WED: (frozenset({2}), BOTH_PARITIES),
    DayPattern.THU: (frozenset({3}), BOTH_PARITIES),
    DayPattern.FRI: (frozenset({4}), BOTH_PARITIES),
    DayPattern.SAT: (frozenset({5}), BOTH_PARITIES),
    DayPattern.SUN: (frozenset({6}), BOTH_PARITIES),
    DayPattern.MON_WED_FRI: (frozenset({0, 2, 4}), BOTH_PARITIES),
    DayPattern.TUE_THU: (frozenset({1, 3}), BOTH_PARITIES),
}
assert set(_RULES) == set(DayPattern.values)


class UnknownPattern(ValueError):
    pass


def validate_pattern(value) -> DayPattern:
    """Return the DayPattern for ``value`` or raise UnknownPattern with a clear message."""
    try:
        return DayPattern(value)
    except ValueError:
        raise UnknownPattern(UNKNOWN_PATTERN.format(value=value, known=", ".join(DayPattern.values))) from None


def _rule(pattern) -> tuple[frozenset[int], frozenset[int]]:
    return _RULES[validate_pattern(pattern)]


def meets_on(pattern, date: datetime.date) -> bool:
    """Does a group with this pattern meet on ``date``?"""
    weekdays, parities = _rule(pattern)
    return date.weekday() in weekdays and date.day % 2 in parities


@cache
def combos(pattern) -> frozenset[tuple[int, int]]:
    """The (weekday, parity) combinations on which the pattern meets."""
    weekdays, parities = _rule(pattern)
    return frozenset((w, p) for w in weekdays for p in parities)


def can_share_a_day(a, b) -> bool:
    """Can groups with patterns ``a`` and ``b`` ever meet on the same date?"""
    return bool(combos(a) & combos(b))


def iter_sessions(pattern, start: datetime.date, *, until: datetime.date | None = None) -> Iterator[datetime.date]:
    """Dates from ``start`` (inclusive) on which the pattern meets, up to ``until`` (inclusive)."""
    weekdays, parities = _rule(pattern)
    day = start
    one = datetime.timedelta(days=1)
    while until is None or day <= until:
        if day.weekday() in weekdays and day.day % 2 in parities:
            yield day
        day += one


def next_sessions(pattern, start: datetime.date, n: int, *, until: datetime.date | None = None) -> list[datetime.date]:
    """The next ``n`` meeting dates from ``start`` (inclusive), none after ``until``."""
    if n <= 0:
        return []
    result = []
    for day in iter_sessions(pattern, start, until=until):
        result.append(day)
        if len(result) == n:
            break
    return result


# Every (weekday, parity) combination recurs within this many days (checked in
# tests), so searching a longer range than this for a shared date is pointless.
COMBO_RECURRENCE_DAYS = 120


def first_shared_date(a, b, start: datetime.date, end: datetime.date | None = None) -> datetime.date | None:
    """The first date in [start, end] (end None = open) on which both patterns meet."""
    shared = combos(a) & combos(b)
    if not shared:
        return None
    limit = start + datetime.timedelta(days=COMBO_RECURRENCE_DAYS)
    if end is not None and end < limit:
        limit = end
    day = start
    one = datetime.timedelta(days=1)
    while day <= limit:
        if (day.weekday(), day.day % 2) in shared:
            return day
        day += one
    return None


def describe_date(date: datetime.date) -> str:
    """'Mon 7 Dec 2026' — how conflict messages name a day."""
    # Django's day and month abbreviations, in the reader's language.
    return dateformat.format(date, "D j M Y")


@dataclass(frozen=True)
class Slot:
    """When a group meets: pattern, local times, and its date range (end None = open)."""

    days: str
    start_time: datetime.time
    end_time: datetime.time
    start_date: datetime.date
    end_date: datetime.date | None = None


def first_clash(a: Slot, b: Slot) -> datetime.date | None:
    """The first date on which both slots hold a lesson at overlapping times, or
    None. Times overlap only if each starts before the other ends, so
    back-to-back lessons never clash."""
    if not (a.start_time < b.end_time and b.start_time < a.end_time):
        return None
    start = max(a.start_date, b.start_date)
    ends = [d for d in (a.end_date, b.end_date) if d is not None]
    end = min(ends) if ends else None
    if end is not None and end < start:
        return None
    return first_shared_date(a.days, b.days, start, end)
