from celery import shared_task

from scheduling.services import DEFAULT_OCCUPANCY_DAYS, room_occupancy_refresh


@shared_task(name="scheduling.refresh_room_occupancy", acks_late=True)
def refresh_room_occupancy(days: int = DEFAULT_OCCUPANCY_DAYS) -> dict:
    """Nightly (crm_project/celery.py BEAT_SCHEDULE); idempotent, so a retry or a
    double run leaves the same rows."""
    result = room_occupancy_refresh(days=days)
    return {"start": str(result.start), "end": str(result.end), "upserted": result.upserted, "deleted": result.deleted}
