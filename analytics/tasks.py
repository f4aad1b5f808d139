"""Celery tasks: thin callers of analytics.services.rollup (beat schedule in crm_project/celery.py)."""

import datetime

from celery import shared_task

from analytics.services.days import local_today
from analytics.services.rollup import analytics_rollup_day, analytics_rollup_stale_spend_days


@shared_task(name="analytics.rollup_today")
def rollup_today() -> str:
    """Every 15 minutes: today's figures so far, and any day whose marketing
    spend changed after its last rollup (a re-roll the broker lost)."""
    day = local_today()
    analytics_rollup_day(day=day)
    analytics_rollup_stale_spend_days()
    return day.isoformat()


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
