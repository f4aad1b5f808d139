"""The admin flow: a manager uploads a file, sees a dry-run preview of its rows
and totals, and confirms it. Files above IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD
rows are previewed by the Celery worker (``services.previews``), smaller ones in
the request; confirmed files above IMPORT_BACKGROUND_ROW_THRESHOLD rows are
imported by the worker, smaller ones at once. The worker reads the copy kept
under MEDIA_ROOT/imports/.
"""

import datetime
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.tasks import enqueue, enqueue_on_commit
from import_service.models import ImportLog, ImportStatus
from import_service.services import previews
from import_service.services.inputs import import_assigner, import_open_file
from import_service.services.runs import import_execute, import_log_start, import_run_stored
from import_service.tasks import import_preview_task, import_run_task

NOT_A_DRY_RUN = _("Only a previewed (dry-run) upload can be confirmed.")
PREVIEW_FAILED = _("This preview failed; upload the file again.")
PREVIEW_NOT_READY = _("This preview is not finished yet; confirm it when its totals are shown.")


# A confirmed run or a preview still queued this long has lost its task (see import_runs_requeue_stale).
REQUEUE_AFTER = datetime.timedelta(minutes=10)
# A preview still queued this long: its page says the worker may be down and how ops run it by hand.
WORKER_LATE_AFTER = datetime.timedelta(minutes=1)
# The same file uploaded again this soon by the same person is the same preview (a double click, a re-sent form).
DUPLICATE_UPLOAD_WINDOW = datetime.timedelta(minutes=2)


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
    manager confirms. The file is opened and checked now (a bad one raises
    ImportFileError / ValidationError, storing nothing); a small file is
    previewed at once, a large one (``previews.preview_in_background``) gets a
    queued log and ``import_preview_task`` (queued on commit) previews it in the
    worker, so the request answers at once. The same file with the same choices
    uploaded again by the same person within DUPLICATE_UPLOAD_WINDOW returns the
    preview the first upload started (a double click starts one run)."""
    options = {"map": column_map or [], "assign": assign or None, "language": translation.get_language()}
    key = _upload_key(upload, source=source, sheet=sheet, options=options)
    with transaction.atomic():
        if by is not None:
            # Serialises one person's uploads, so a double click's second request sees the first's log.
            list(get_user_model().objects.select_for_update().filter(pk=by.pk).values_list("pk", flat=True))
        earlier = _recent_upload(by=by, key=key)
        if earlier is not None:
            return earlier
        log, table, mapping, assigner = _store_and_open(
            upload=upload, by=by, source=source, sheet=sheet, assign=assign, options={**options, "upload_key": key}
        )
        if log.status == ImportStatus.QUEUED:
            enqueue_on_commit(import_preview_task, log.pk)
    if log.status == ImportStatus.RUNNING:
        import_execute(log=log, table=table, mapping=mapping, by=by, assign=assigner)
    elif transaction.get_autocommit():
        log.refresh_from_db()  # tasks run inline (CELERY_TASK_ALWAYS_EAGER): the preview may be done already
    return log


def _store_and_open(*, upload, by, source, sheet, assign, options):
    """The stored file's log — running when it is previewed now, queued for the
    worker when large (its file then closed) — with the open table to preview."""
    suffix = Path(upload.name).suffix.lower()
    stored = default_storage.save(f"imports/{timezone.localdate():%Y/%m}/upload{suffix}", upload)
    if previews.queue_unopened(name=upload.name, size=upload.size):
        try:
            log = previews.import_preview_queue_unopened(
                path=default_storage.path(stored),
                name=upload.name,
                sheet=sheet,
                source=source,
                by=by,
                options=options,
                file=stored,
            )
        except BaseException:
            default_storage.delete(stored)
            raise
        return log, None, None, None
    try:
        path = default_storage.path(stored)
        table, mapping = import_open_file(path=path, name=upload.name, sheet=sheet or None, mapping=options["map"])
        try:
            assigner = import_assigner(assign=assign)
            estimated = previews.import_estimate_rows(path=path, table=table)
            background = previews.preview_in_background(estimated_rows=estimated, size=upload.size)
            log = import_log_start(
                table=table,
                mapping=mapping,
                source=source or None,
                by=by,
                dry_run=True,
                options=options,
                file=stored,
                status=ImportStatus.QUEUED if background else ImportStatus.RUNNING,
            )
            log.estimated_rows = estimated
            ImportLog.objects.filter(pk=log.pk).update(estimated_rows=estimated)
            if background:
                table.close()
        except BaseException:
            table.close()
            raise
    except BaseException:
        default_storage.delete(stored)
        raise
    return log, table, mapping, assigner


def _upload_key(upload, **choices) -> str:
    """A digest of the file's bytes and the choices made with it."""
    digest = hashlib.sha256(json.dumps(choices, sort_keys=True, default=str).encode())
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _recent_upload(*, by, key: str) -> ImportLog | None:
    if by is None:
        return None
    return (
        ImportLog.objects.filter(
            created_by=by,
            dry_run=True,
            options__upload_key=key,
            created_at__gte=timezone.now() - DUPLICATE_UPLOAD_WINDOW,
        )
        .exclude(status=ImportStatus.FAILED)
        .order_by("-created_at")
        .first()
    )


def import_confirm(*, dry_run_log: ImportLog, by) -> ImportLog:
    """A real run of the file a dry run previewed: a new log, queued for the worker
    when the file is large (IMPORT_BACKGROUND_ROW_THRESHOLD rows), else run now.
    Confirming twice returns the run the first confirmation started."""
    if not dry_run_log.dry_run:
        raise ValidationError(NOT_A_DRY_RUN)
    with transaction.atomic():
        preview = ImportLog.objects.select_for_update().get(pk=dry_run_log.pk)
        if preview.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            raise ValidationError(PREVIEW_NOT_READY)
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
    """Queue again confirmed runs and previews still queued after ``older_than``:
    the safety net for a task the broker lost or never got (it was down at the
    upload or the confirmation). Safe to deliver twice: the task claims its log first."""
    now = now or timezone.now()
    stale = ImportLog.objects.filter(status=ImportStatus.QUEUED, created_at__lt=now - older_than)
    queued = 0
    for log_id, dry_run in stale.order_by("created_at").values_list("pk", "dry_run")[:100]:
        if not enqueue(import_preview_task if dry_run else import_run_task, log_id):
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
        options={k: v for k, v in (dry_run_log.options or {}).items() if k not in ("confirmed_log_id", "upload_key")},
        estimated_rows=dry_run_log.total,
    )


def import_run_queued() -> dict[str, int]:
    """Run every queued preview and confirmed run now, in this process, oldest
    first: ops' way round a worker that is down (``manage.py run_queued_imports``).
    Safe beside a worker: each log is claimed before it runs."""
    done = {"previews": 0, "runs": 0, "failed": 0}
    queued = ImportLog.objects.filter(status=ImportStatus.QUEUED).order_by("created_at", "id")
    for log in list(queued):
        log = previews.import_preview_stored(log=log) if log.dry_run else import_run_stored(log=log)
        if log.status == ImportStatus.FAILED:
            done["failed"] += 1
        elif log.status == ImportStatus.COMPLETED:
            done["previews" if log.dry_run else "runs"] += 1
    return done
