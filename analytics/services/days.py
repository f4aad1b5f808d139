"""Local calendar days. A day is [00:00, next 00:00) in TIME_ZONE (Asia/Tashkent),
turned into aware datetimes so queries filter on indexed ranges."""
import datetime

from django.utils import timezone


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def local_today() -> datetime.date:
    return timezone.localdate(timezone.now(), timezone.get_default_timezone())


def days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every day from first to last, both included."""
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
