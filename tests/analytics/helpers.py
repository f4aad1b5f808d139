"""Small helpers for building known histories at exact local times."""

import datetime

from django.utils import timezone

from leads import services


def local(day: datetime.date, hh: int, mm: int = 0) -> datetime.datetime:
    """An aware datetime at hh:mm local time (TIME_ZONE, Asia/Tashkent) on ``day``."""
    return datetime.datetime.combine(day, datetime.time(hh, mm), tzinfo=timezone.get_default_timezone())


def walk(lead, steps, by=None):
    """Move ``lead`` through [(status, at), ...] via lead_change_status."""
    for status, at in steps:
        services.lead_change_status(
            lead=lead, to_status=status, by=by, at=at, reason="Too expensive" if status == "lost" else ""
        )
    return lead
