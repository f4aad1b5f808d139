from celery import shared_task

from reminders.dispatch import reminders_dispatch_due


@shared_task(name="reminders.dispatch_due", acks_late=True)
def dispatch_due() -> dict:
    """Every minute from beat (crm_project/celery.py). Safe to run twice at once,
    to retry, or late: the delivery keys and claims in the database decide what
    is sent, so duplicates of this task send nothing twice."""
    return reminders_dispatch_due().as_dict()
