"""The Celery app. The beat schedule lives here and only here."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")

app = Celery("crm_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BEAT_SCHEDULE = {
    # scheduling: materialise room occupancy for the coming 4 weeks (local time).
    "scheduling-refresh-room-occupancy": {
        "task": "scheduling.refresh_room_occupancy",
        "schedule": crontab(hour=2, minute=30),
    },
    # reminders: send what is due (follow-ups, trial reminders) once; no long ETAs.
    "reminders-dispatch-due": {
        "task": "reminders.dispatch_due",
        "schedule": crontab(minute="*"),
        # A backlog of missed runs is pointless: the next run catches up on everything.
        "options": {"expires": 55},
    },
    # intake: safety net re-queuing pending events a lost task left behind (idempotent).
    "intake-requeue-stale-events": {
        "task": "intake.tasks.requeue_stale_intake_events",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},
    },
    # import_service: safety net re-queuing confirmed uploads whose task was lost (idempotent).
    "import-requeue-stale-runs": {
        "task": "import_service.requeue_stale_runs",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # analytics: today's rollup every 15 minutes; yesterday's, complete, nightly (local time).
    "analytics-rollup-today": {
        "task": "analytics.rollup_today",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "analytics-rollup-yesterday": {
        "task": "analytics.rollup_yesterday",
        "schedule": crontab(hour=0, minute=20),
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
