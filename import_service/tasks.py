from celery import shared_task

from import_service.models import ImportLog
from import_service.services.previews import import_preview_stored
from import_service.services.runs import import_run_stored


@shared_task(acks_late=True)
def import_run_task(log_id: int) -> int | None:
    """Run a queued admin upload in the worker. Safe to deliver twice: the run
    claims the log (queued → running) first."""
    log = ImportLog.objects.filter(pk=log_id).first()
    if log is None:
        return None
    return import_run_stored(log=log).pk


@shared_task(acks_late=True)
def import_preview_task(log_id: int) -> int | None:
    """Preview a large upload in the worker (a dry run, progress saved as it reads).
    Safe to deliver twice: the preview claims the log (queued → running) first."""
    log = ImportLog.objects.filter(pk=log_id).first()
    if log is None:
        return None
    return import_preview_stored(log=log).pk


@shared_task(name="import_service.requeue_stale_runs")
def requeue_stale_import_runs() -> int:
    """Beat safety net: queue again confirmed runs and previews whose task was lost."""
    from import_service.services.uploads import import_runs_requeue_stale  # uploads queues this module's tasks

    return import_runs_requeue_stale()
