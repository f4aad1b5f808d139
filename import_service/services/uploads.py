"""The admin flow: a manager uploads a file, sees a dry-run preview of its rows
and totals, and confirms it. Small files run at once; files above
IMPORT_BACKGROUND_ROW_THRESHOLD rows are queued for the Celery worker, which runs
them from the copy kept under MEDIA_ROOT/imports/.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tasks import enqueue, enqueue_on_commit
from import_service.models import ImportLog, ImportStatus
from import_service.services.inputs import import_assigner, import_open_file
from import_service.services.runs import import_execute, import_log_start, import_run_stored
from import_service.tasks import import_run_task

NOT_A_DRY_RUN = _("Only a previewed (dry-run) upload can be confirmed.")
PREVIEW_FAILED = _("This preview failed; upload the file again.")


# A confirmed run still queued this long has lost its task (see import_runs_requeue_stale).
REQUEUE_AFTER = datetime.timedelta(minutes=10)


def background_threshold() -> int:
    return settings.IMPORT_BACKGROUND_ROW_THRESHOLD


def import_upload_preview(
    *,
    upload,
    by,
    source: str | None = None,
    sheet: str | None = None,
    assign: str | None = None,
    column_map: list[str] | None = None,
) -> ImportLog:
    """Store an uploaded file under MEDIA_ROOT and dry-run it: the preview a
    manager confirms. Raises ImportFileError / ValidationError, storing nothing."""
    suffix = Path(upload.name).suffix.lower()
    stored = default_storage.save(f"imports/{timezone.localdate():%Y/%m}/upload{suffix}", upload)
    try:
        table, mapping = import_open_file(
            path=default_storage.path(stored), name=upload.name, sheet=sheet or None, mapping=column_map
        )
        try:
            assigner = import_assigner(assign=assign)
            log = import_log_start(
                table=table,
                mapping=mapping,
                source=source or None,
                by=by,
                dry_run=True,
                options={"map": column_map or [], "assign": assign or None},
                file=stored,
            )
        except BaseException:
            table.close()
            raise
    except BaseException:
        default_storage.delete(stored)
        raise
    import_execute(log=log, table=table, mapping=mapping, by=by, assign=assigner)
    return log


def import_confirm(*, dry_run_log: ImportLog, by) -> ImportLog:
    """A real run of the file a dry run previewed: a new log, queued for the worker
    when the file is large (IMPORT_BACKGROUND_ROW_THRESHOLD rows), else run now.
    Confirming twice returns the run the first confirmation started."""
    if not dry_run_log.dry_run:
        raise ValidationError(NOT_A_DRY_RUN)
    with transaction.atomic():
        preview = ImportLog.objects.select_for_update().get(pk=dry_run_log.pk)
        if preview.status != ImportStatus.COMPLETED:
            raise ValidationError(PREVIEW_FAILED)
        confirmed_id = (preview.options or {}).get("confirmed_log_id")
        if confirmed_id and ImportLog.objects.filter(pk=confirmed_id).exists():
            return ImportLog.objects.get(pk=confirmed_id)
        log = _confirmed_log(preview, by)
        preview.options = {**(preview.options or {}), "confirmed_log_id": log.pk}
        preview.save(update_fields=["options"])
        background = preview.total > background_threshold()
        if background:
            _enqueue_run(log)
    if not background:
        import_run_stored(log=log)
        log.refresh_from_db()
    return log


def _enqueue_run(log: ImportLog) -> None:
    """Queue the run for the worker once the surrounding transaction commits. If
    the broker is down the log stays queued and import_runs_requeue_stale
    (beat, every 5 minutes) queues it again."""
    enqueue_on_commit(import_run_task, log.pk)


def import_runs_requeue_stale(*, now=None, older_than: datetime.timedelta = REQUEUE_AFTER) -> int:
    """Queue again confirmed runs still queued after ``older_than``: the safety net
    for a task the broker lost or never got (it was down at confirmation). Safe
    to deliver twice: the run claims its log first."""
    now = now or timezone.now()
    ids = ImportLog.objects.filter(
        status=ImportStatus.QUEUED, dry_run=False, created_at__lt=now - older_than
    ).values_list("pk", flat=True)
    queued = 0
    for log_id in ids.order_by("created_at")[:100]:
        if not enqueue(import_run_task, log_id):
            break  # the broker is still down: the next beat run tries again
        queued += 1
    return queued


def _confirmed_log(dry_run_log: ImportLog, by) -> ImportLog:
    return ImportLog.objects.create(
        created_by=by,
        source=dry_run_log.source,
        input_kind=dry_run_log.input_kind,
        file_name=dry_run_log.file_name,
        sheet_name=dry_run_log.sheet_name,
        csv_delimiter=dry_run_log.csv_delimiter,
        csv_encoding=dry_run_log.csv_encoding,
        file=dry_run_log.file.name,
        dry_run=False,
        status=ImportStatus.QUEUED,
        headers=dry_run_log.headers,
        header_row=dry_run_log.header_row,
        columns=dry_run_log.columns,
        options={k: v for k, v in (dry_run_log.options or {}).items() if k != "confirmed_log_id"},
    )
