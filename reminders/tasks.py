from celery import shared_task

from reminders.dispatch import delivery_send_now, reminders_dispatch_due


@shared_task(name="reminders.dispatch_due", acks_late=True)
def dispatch_due() -> dict:
    """Every minute from beat (crm_project/celery.py). Safe to run twice at once,
    to retry, or late: the delivery keys and claims in the database decide what
    is sent, so duplicates of this task send nothing twice."""
    return reminders_dispatch_due().as_dict()


@shared_task(name="reminders.send_delivery", acks_late=True)
def send_delivery(delivery_id: int) -> str | None:
    """Send one delivery at once (admin "Retry now"), under the same claim as
    the beat pass, so whichever comes first sends it and the other does nothing."""
    return delivery_send_now(delivery_id=delivery_id)
