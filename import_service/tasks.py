from celery import shared_task

from import_service.models import ImportLog
from import_service.services.runs import import_run_stored


@shared_task(acks_late=True)
def import_run_task(log_id: int) -> int | None:
    """Run a queued admin upload in the worker. Safe to deliver twice: the run
    claims the log (queued → running) first."""
    log = ImportLog.objects.filter(pk=log_id).first()
    if log is None:
        return None
    return import_run_stored(log=log).pk
