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
}
app.conf.beat_schedule = BEAT_SCHEDULE
