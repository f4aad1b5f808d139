"""The Celery app. The beat schedule lives here and only here.

Exactly one beat runs: at start it takes a lock (core.singleton: a PostgreSQL
advisory lock, released when the process dies) and a second beat, on any
machine, exits at once with a message. Even if two ran, every beat task is
idempotent under database claims (delivery keys, row claims, upserts), so a
second beat would only repeat work, never double it.
"""

import os
import sys
from datetime import timedelta

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")

app = Celery("crm_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SECOND_BEAT = (
    "Another Celery beat already runs against this database (lock “celery-beat” is held). "
    "Exactly one beat may run: stop this one, or the other first."
)


@signals.beat_init.connect
def _refuse_a_second_beat(sender=None, **kwargs):
    from core.singleton import hold_lock

    if not hold_lock("celery-beat"):
        print(SECOND_BEAT, file=sys.stderr, flush=True)
        raise SystemExit(2)  # not an Exception: Celery's signal dispatch does not swallow it


def _seconds(name: str, default: int) -> timedelta:
    """An interval of the schedule; operators (and the rehearsal) may shorten it."""
    return timedelta(seconds=int(os.environ.get(name) or default))


REMINDER_DISPATCH_EVERY = _seconds("REMINDER_DISPATCH_EVERY_SECONDS", 60)
INTAKE_REQUEUE_EVERY = _seconds("INTAKE_REQUEUE_EVERY_SECONDS", 60)
ANALYTICS_TODAY_EVERY = _seconds("ANALYTICS_ROLLUP_TODAY_EVERY_SECONDS", 60)

BEAT_SCHEDULE = {
    # scheduling: materialise room occupancy for the coming 4 weeks (local time).
    "scheduling-refresh-room-occupancy": {
        "task": "scheduling.refresh_room_occupancy",
        "schedule": crontab(hour=2, minute=30),
    },
    # reminders: send what is due (follow-ups, trial reminders) once; no long ETAs.
    "reminders-dispatch-due": {
        "task": "reminders.dispatch_due",
        "schedule": REMINDER_DISPATCH_EVERY,
        # A backlog of missed runs is pointless: the next run catches up on everything.
        "options": {"expires": REMINDER_DISPATCH_EVERY.total_seconds() * 0.9},
    },
    # intake: safety net re-queuing pending events a lost task left behind (idempotent).
    "intake-requeue-stale-events": {
        "task": "intake.tasks.requeue_stale_intake_events",
        "schedule": INTAKE_REQUEUE_EVERY,
        "options": {"expires": INTAKE_REQUEUE_EVERY.total_seconds() * 0.9},
    },
    # import_service: safety net re-queuing confirmed uploads whose task was lost (idempotent).
    "import-requeue-stale-runs": {
        "task": "import_service.requeue_stale_runs",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # analytics: today's figures every minute (the dashboard is a minute or two
    # behind at most; a run still going makes the next one skip), the safety net
    # for lost spend re-rolls every 15 minutes, yesterday's, complete, nightly (local time).
    "analytics-rollup-today": {
        "task": "analytics.rollup_today",
        "schedule": ANALYTICS_TODAY_EVERY,
        "options": {"expires": ANALYTICS_TODAY_EVERY.total_seconds() * 0.9},
    },
    "analytics-rollup-stale-spend-days": {
        "task": "analytics.rollup_stale_spend_days",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "analytics-rollup-yesterday": {
        "task": "analytics.rollup_yesterday",
        "schedule": crontab(hour=0, minute=20),
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
