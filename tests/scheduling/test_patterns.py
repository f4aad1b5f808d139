"""scheduling.patterns checked against brute force over several years of dates.

The brute-force oracle below is written independently of the module: it reads
weekday names from strftime and day parity from the date, pattern by pattern.
"""

import datetime
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling import patterns
from scheduling.patterns import DayPattern

FIRST = datetime.date(2024, 1, 1)
LAST = datetime.date(2028, 12, 31)
ALL_DATES = [FIRST + datetime.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]

ORACLE_WEEKDAYS = {
    "mon": {"Monday"},
    "tue": {"Tuesday"},
    "wed": {"Wednesday"},
    "thu": {"Thursday"},
    "fri": {"Friday"},
    "sat": {"Saturday"},
    "sun": {"Sunday"},
    "mon_wed_fri": {"Monday", "Wednesday", "Friday"},
    "tue_thu": {"Tuesday", "Thursday"},
}


def oracle_meets(pattern: str, day: datetime.date) -> bool:
    if pattern == "odd":
        return day.day % 2 == 1
    if pattern == "even":
        return day.day % 2 == 0
    return day.strftime("%A") in ORACLE_WEEKDAYS[pattern]


ORACLE_DAYS = {p: {d for d in ALL_DATES if oracle_meets(p, d)} for p in DayPattern.values}

pattern_values = st.sampled_from(DayPattern.values)
dates = st.dates(min_value=FIRST, max_value=LAST - datetime.timedelta(days=400))


@given(pattern=pattern_values, day=st.dates(min_value=FIRST, max_value=LAST))
def test_meets_on_matches_brute_force(pattern, day):
    assert patterns.meets_on(pattern, day) == oracle_meets(pattern, day)


@given(pattern=pattern_values, start=dates, n=st.integers(min_value=0, max_value=40))
def test_next_sessions_are_the_first_n_meeting_dates(pattern, start, n):
    expected = sorted(d for d in ORACLE_DAYS[pattern] if d >= start)[:n]
    assert patterns.next_sessions(pattern, start, n) == expected


@given(
    pattern=pattern_values,
    start=dates,
    span=st.integers(min_value=0, max_value=60),
    n=st.integers(min_value=1, max_value=40),
)
def test_next_sessions_stop_at_until(pattern, start, span, n):
    until = start + datetime.timedelta(days=span)
    expected = sorted(d for d in ORACLE_DAYS[pattern] if start <= d <= until)[:n]
    assert patterns.next_sessions(pattern, start, n, until=until) == expected


@pytest.mark.parametrize("a,b", list(itertools.combinations_with_replacement(DayPattern.values, 2)))
def test_can_share_a_day_matches_brute_force_over_five_years(a, b):
    shared_in_calendar = bool(ORACLE_DAYS[a] & ORACLE_DAYS[b])
    assert patterns.can_share_a_day(a, b) == shared_in_calendar
    assert patterns.can_share_a_day(b, a) == shared_in_calendar


@settings(max_examples=300)
@given(a=pattern_values, b=pattern_values, start=dates, span=st.one_of(st.none(), st.integers(0, 200)))
def test_first_shared_date_matches_brute_force(a, b, start, span):
    end = None if span is None else start + datetime.timedelta(days=span)
    horizon = end or (start + datetime.timedelta(days=400))
    both = sorted(d for d in ORACLE_DAYS[a] & ORACLE_DAYS[b] if start <= d <= horizon)
    assert patterns.first_shared_date(a, b, start, end) == (both[0] if both else None)


def test_every_weekday_parity_combination_recurs_within_the_search_horizon():
    """first_shared_date searches COMBO_RECURRENCE_DAYS ahead; that is enough
    only if every (weekday, parity) recurs at least that often."""
    last_seen: dict[tuple[int, int], datetime.date] = {}
    longest_gap = 0
    for day in ALL_DATES:
        key = (day.weekday(), day.day % 2)
        if key in last_seen:
            longest_gap = max(longest_gap, (day - last_seen[key]).days)
        last_seen[key] = day
    assert len(last_seen) == 14
    assert longest_gap < patterns.COMBO_RECURRENCE_DAYS


@pytest.mark.parametrize(
    "a,b,expected",
    [
        ("odd", "mon_wed_fri", True),
        ("odd", "even", False),
        ("tue_thu", "mon_wed_fri", False),
        ("even", "sun", True),
        ("mon", "mon_wed_fri", True),
        ("sat", "sun", False),
        ("odd", "odd", True),
    ],
)
def test_can_share_a_day_examples_from_the_issue(a, b, expected):
    assert patterns.can_share_a_day(a, b) is expected


def test_known_dates():
    # 1 Dec 2026 is a Tuesday.
    tue = datetime.date(2026, 12, 1)
    assert patterns.meets_on("odd", tue) and not patterns.meets_on("even", tue)
    assert patterns.meets_on("tue_thu", tue) and not patterns.meets_on("mon_wed_fri", tue)
    assert patterns.next_sessions("mon_wed_fri", tue, 3) == [
        datetime.date(2026, 12, 2),
        datetime.date(2026, 12, 4),
        datetime.date(2026, 12, 7),
    ]
    # 31 Dec and 1 Jan are both odd: an odd group meets two days running.
    assert patterns.next_sessions("odd", datetime.date(2026, 12, 30), 2) == [
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 1),
    ]


def test_unknown_pattern_is_refused_with_the_known_list():
    with pytest.raises(patterns.UnknownPattern) as exc:
        patterns.meets_on("weekends", datetime.date(2026, 12, 1))
    assert str(exc.value) == patterns.UNKNOWN_PATTERN.format(value="weekends", known=", ".join(DayPattern.values))
    with pytest.raises(patterns.UnknownPattern):
        patterns.can_share_a_day("odd", "daily")


def test_describe_date():
    assert patterns.describe_date(datetime.date(2026, 12, 7)) == "Mon 7 Dec 2026"


# --- clashes (pattern + time + date range) against brute force ---------------------

times = st.builds(datetime.time, st.integers(8, 20), st.sampled_from([0, 15, 30, 45]))


@st.composite
def slots(draw):
    start = draw(times)
    length = draw(st.sampled_from([30, 60, 90, 120, 180]))
    end_minutes = min(start.hour * 60 + start.minute + length, 23 * 60 + 59)
    start_date = draw(st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2026, 12, 31)))
    span = draw(st.one_of(st.none(), st.integers(0, 120)))
    return patterns.Slot(
        days=draw(pattern_values),
        start_time=start,
        end_time=datetime.time(end_minutes // 60, end_minutes % 60),
        start_date=start_date,
        end_date=None if span is None else start_date + datetime.timedelta(days=span),
    )


def oracle_first_clash(a, b):
    def minutes(t):
        return t.hour * 60 + t.minute

    a_minutes = set(range(minutes(a.start_time), minutes(a.end_time)))
    b_minutes = set(range(minutes(b.start_time), minutes(b.end_time)))
    if not a_minutes & b_minutes:
        return None
    day = max(a.start_date, b.start_date)
    last = min(d for d in (a.end_date, b.end_date, day + datetime.timedelta(days=400)) if d is not None)
    while day <= last:
        if oracle_meets(a.days, day) and oracle_meets(b.days, day):
            return day
        day += datetime.timedelta(days=1)
    return None


@settings(max_examples=500)
@given(a=slots(), b=slots())
def test_first_clash_matches_brute_force(a, b):
    assert patterns.first_clash(a, b) == oracle_first_clash(a, b)
    assert patterns.first_clash(b, a) == patterns.first_clash(a, b)


def test_back_to_back_slots_do_not_clash():
    a = patterns.Slot("mon", datetime.time(9), datetime.time(10), datetime.date(2026, 9, 1))
    b = patterns.Slot("mon", datetime.time(10), datetime.time(11), datetime.date(2026, 9, 1))
    assert patterns.first_clash(a, b) is None
