"""Celery tasks: thin callers of analytics.services.rollup (beat schedule in crm_project/celery.py)."""

import datetime

from celery import shared_task

from analytics.services.days import local_today
from analytics.services.rollup import analytics_rollup_day, analytics_rollup_stale_spend_days


@shared_task(name="analytics.rollup_today")
def rollup_today() -> str:
    """Every minute: today's figures so far, so the dashboard is at most a
    minute or two behind. Only today (one day: a fixed set of aggregate
    queries); if the previous run is still at it, this one skips."""
    day = local_today()
    if analytics_rollup_day(day=day, skip_if_running=True) is None:
        return f"{day.isoformat()} skipped"
    return day.isoformat()


@shared_task(name="analytics.rollup_stale_spend_days")
def rollup_stale_spend_days() -> list[str]:
    """Every 15 minutes: any day whose marketing spend changed after its last
    rollup (a re-roll the broker lost)."""
    return [day.isoformat() for day in analytics_rollup_stale_spend_days()]


@shared_task(name="analytics.rollup_yesterday")
def rollup_yesterday() -> str:
    """Nightly: yesterday once it is complete (late changes after midnight included)."""
    day = local_today() - datetime.timedelta(days=1)
    analytics_rollup_day(day=day)
    return day.isoformat()


@shared_task(name="analytics.rollup_days")
def rollup_days(isodays: list[str]) -> list[str]:
    """Re-roll the given days (ISO dates), e.g. after marketing spend was entered."""
    for text in isodays:
        analytics_rollup_day(day=datetime.date.fromisoformat(text))
    return isodays
