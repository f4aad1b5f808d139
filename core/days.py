"""Local calendar days. "A day" is [00:00, next 00:00) in TIME_ZONE
(Asia/Tashkent), as aware datetimes so queries filter on indexed ranges
(never ``__date``, which would use the database's idea of the day)."""

import datetime

from django.utils import timezone


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``day`` and of the day after, in TIME_ZONE."""
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def local_today() -> datetime.date:
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())
