"""Local calendar days for the rollups: the shared helpers of core.days, and
the list of days of a range."""

import datetime

from core.days import day_bounds, local_today

__all__ = ["day_bounds", "days_between", "local_today"]


def days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every day from first to last, both included."""
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
