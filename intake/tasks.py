"""Celery tasks: thin callers of intake.services, taking ids."""

from celery import shared_task

from intake import services

MAX_RETRIES = 6
MAX_BACKOFF_SECONDS = 300


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def process_intake_event(self, event_id: int) -> dict:
    """Turn one stored event into a lead (or a repeat inquiry) and send its reply.
    Retries with backoff when a dependency (Graph API, Bot API, database) failed;
    the event stays failed and visible in admin if every retry fails."""
    result = services.intake_event_run(event_id=event_id)
    if result.retry and self.request.retries < self.max_retries:
        raise self.retry(countdown=min(MAX_BACKOFF_SECONDS, 10 * 2**self.request.retries))
    return {"event": event_id, "status": result.status, "outcome": result.outcome}


@shared_task
def requeue_stale_intake_events() -> int:
    """Beat safety net: re-queue pending events older than a minute."""
    return services.intake_events_requeue_stale()
