"""A run's lifecycle: its ImportLog (start, progress, failure, final counts) and
its execution.

``import_log_start`` records the run; ``import_execute`` runs it. Phase one
reads and validates every row (progress is saved as it goes, so a bad file
discovered late fails before a single lead is written); phase two hands the
valid rows to ``leads.bulk.leads_bulk_register`` in chunks, inside one
transaction, with a fixed number of queries per chunk, and logs every error
and duplicate row. A failure leaves the log ``failed`` with the reason and no
lead from the run. ``import_run_stored`` runs a queued log from its stored file
(the admin's confirm step and the Celery task).
"""

import gc
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import error_text
from import_service import readers
from import_service.models import ImportLog, ImportRow, ImportStatus, InputKind, RowOutcome
from import_service.services.inputs import import_assigner, import_open_file
from import_service.services.rows import ParsedRow, details_reader, row_parser
from leads.bulk import BulkEntry, insert_rows, leads_bulk_register
from leads.models import LeadSource
from leads.services import validate_source

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
PREVIEW_ROWS = 20

DUPLICATE_KNOWN = _("Phone {phone} already belongs to a lead.")
DUPLICATE_IN_FILE = _("Phone {phone} appears earlier in this file.")
DEFAULT_SOURCES = {
    InputKind.CSV: LeadSource.CSV,
    InputKind.XLSX: LeadSource.EXCEL,
    InputKind.GOOGLE_SHEET: LeadSource.GOOGLE_SHEETS,
}


# --- the log --------------------------------------------------------------------------


def import_log_start(
    *,
    table: readers.Table,
    mapping: dict[int, str],
    source: str | None,
    by=None,
    dry_run: bool = False,
    options: dict | None = None,
    file=None,
    status: str = ImportStatus.RUNNING,
) -> ImportLog:
    source = source or DEFAULT_SOURCES[InputKind(table.kind)]
    validate_source(source)
    log = ImportLog(
        created_by=by,
        source=source,
        input_kind=table.kind,
        file_name=table.name[:255],
        sheet_name=table.sheet_name[:255],
        csv_delimiter=table.delimiter,
        csv_encoding=table.encoding,
        dry_run=dry_run,
        status=status,
        options=options or {},
        headers=table.headers,
        header_row=table.header_row,
        columns={table.headers[i]: f for i, f in mapping.items()},
        started_at=timezone.now() if status == ImportStatus.RUNNING else None,
    )
    if file is not None:
        log.file = file
    log.save()
    return log


def import_log_fail(*, log: ImportLog, reason: str) -> ImportLog:
    """Mark ``log`` failed (outside any import transaction, so the reason survives)."""
    log.status = ImportStatus.FAILED
    log.failure_reason = reason
    log.finished_at = timezone.now()
    log.total = log.created = log.duplicates = log.errors = 0
    log.save(update_fields=["status", "failure_reason", "finished_at", "total", "created", "duplicates", "errors"])
    return log


def _save_progress(log: ImportLog, count: int, progress) -> None:
    log.processed_rows = count
    ImportLog.objects.filter(pk=log.pk).update(processed_rows=count)
    if progress:
        progress(count)


# --- running ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    log: ImportLog

    def as_dict(self) -> dict:
        log = self.log
        return {
            "import_log_id": log.pk,
            "total": log.total,
            "created": log.created,
            "duplicates": log.duplicates,
            "errors": log.errors,
            "dry_run": log.dry_run,
        }


def import_execute(
    *,
    log: ImportLog,
    table: readers.Table,
    mapping: dict[int, str],
    by=None,
    assign: Callable[[], object] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Run the import ``log`` describes. Never raises for a bad row; raises
    ImportFileError (or the database's error) after marking the log failed."""
    now = timezone.now()
    if log.status != ImportStatus.RUNNING or log.started_at is None:
        log.status = ImportStatus.RUNNING
        log.started_at = now
        log.save(update_fields=["status", "started_at"])
    try:
        with _cyclic_gc_paused():
            try:
                rows = _read_all(log=log, table=table, mapping=mapping, now=now, progress=progress)
            finally:
                table.close()
            if log.dry_run:
                counts = _register(log=log, rows=rows, mapping=mapping, by=by, assign=assign, now=now)
            else:
                with transaction.atomic():
                    counts = _register(log=log, rows=rows, mapping=mapping, by=by, assign=assign, now=now)
    except Exception as exc:
        if isinstance(exc, readers.ImportFileError):
            reason = str(exc)
        else:
            reason = f"{exc.__class__.__name__}: {exc}"
            logger.exception("Lead import %s failed", log.pk)
        import_log_fail(log=log, reason=reason)
        raise
    log.total, log.created, log.duplicates, log.errors = counts
    log.status = ImportStatus.COMPLETED
    log.finished_at = timezone.now()
    log.save(
        update_fields=[
            "status",
            "finished_at",
            "total",
            "created",
            "duplicates",
            "errors",
            "processed_rows",
            "preview",
            "assigned_counts",
        ]
    )
    return ImportResult(log=log)


def import_log_claim(*, log: ImportLog) -> bool:
    """Switch a queued log to running, in one conditional UPDATE, and reload it;
    False when another worker claimed it first (a task delivered twice)."""
    claimed = ImportLog.objects.filter(pk=log.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if claimed:
        log.refresh_from_db()
    return bool(claimed)


def import_run_stored(*, log: ImportLog) -> ImportLog:
    """Run ``log`` from its stored file and options (the admin confirm step and the Celery task)."""
    if log.status not in (ImportStatus.QUEUED,) or not import_log_claim(log=log):
        return log  # already run or running (a redelivered task)
    options = log.options or {}
    try:
        table, mapping = import_open_file(
            path=log.file.path, name=log.file_name, sheet=log.sheet_name or None, mapping=options.get("map")
        )
        assign = import_assigner(assign=options.get("assign"))
    except (readers.ImportFileError, ValidationError, OSError) as exc:
        import_log_fail(log=log, reason=error_text(exc))
        return log
    try:
        import_execute(log=log, table=table, mapping=mapping, by=log.created_by, assign=assign)
    except Exception:  # noqa: BLE001 - import_execute logged it and marked the log failed with the reason
        log.refresh_from_db()
    return log


@contextmanager
def _cyclic_gc_paused():
    """A run holds every parsed row until it ends and makes hundreds of thousands
    of small objects on the way: each full collection of the cyclic garbage
    collector walks all of them and finds next to nothing (the only cycles are
    the few of the run's ORM queries), a seventh of a 100k-row run. Reference
    counting still frees what the run drops; the collector is back on, as it
    was, when the run ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_all(*, log, table, mapping, now, progress) -> list[ParsedRow]:
    """Phase one: every non-blank row parsed and validated, progress saved per chunk."""
    rows: list[ParsedRow] = []
    parse = row_parser(mapping, now=now, region=settings.DEFAULT_PHONE_REGION)
    for number, cells in table.rows():
        row = parse(number, cells)
        if row is None:
            continue
        rows.append(row)
        if len(rows) % CHUNK_ROWS == 0:
            _save_progress(log, len(rows), progress)
    log.read_finished_at = timezone.now()
    ImportLog.objects.filter(pk=log.pk).update(read_finished_at=log.read_finished_at)
    _save_progress(log, len(rows), progress)
    return rows


def _forget_queries() -> None:
    """With DEBUG on, Django keeps the SQL of the last 9000 queries: for a 100k-row
    run that is hundreds of MB of INSERT text. (Left alone while a test captures queries.)"""
    if settings.DEBUG and not connection.force_debug_cursor:
        reset_queries()


def _chunks(rows: list[ParsedRow]) -> Iterator[list[ParsedRow]]:
    """The rows in chunks of about CHUNK_ROWS: first the valid ones grouped by
    phone (every row of one phone in the same chunk, in file order, so a repeat
    within the file is written with its new lead instead of updating it from a
    later chunk), then the rows without a valid phone."""
    groups: dict[str, list[ParsedRow]] = {}
    invalid: list[ParsedRow] = []
    for row in rows:
        if row.phone:
            groups.setdefault(row.phone, []).append(row)
        else:
            invalid.append(row)
    chunk: list[ParsedRow] = []
    for group in groups.values():
        chunk.extend(group)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
    for start in range(0, len(invalid), CHUNK_ROWS):
        yield invalid[start : start + CHUNK_ROWS]


def _register(*, log, rows: list[ParsedRow], mapping, by, assign, now) -> tuple[int, int, int, int]:
    """Phase two: valid rows through the bulk writer in chunks, error and duplicate rows logged."""
    created = duplicates = errors = 0
    assigned: Counter[int] = Counter()
    seen: dict[str, int | None] = {}
    preview_numbers = {r.number for r in rows[:PREVIEW_ROWS]}
    preview: dict[int, dict] = {}
    details_of = details_reader(mapping)
    # The run speaks one language: its messages are translated once, not per row.
    in_file, known = str(DUPLICATE_IN_FILE), str(DUPLICATE_KNOWN)
    for chunk in _chunks(rows):
        cells = [r.values for r in chunk]
        if chunk[0].phone:  # a chunk of valid rows (_chunks keeps the invalid ones apart)
            entries = [
                BulkEntry(
                    key=r.number,
                    phone=r.phone,
                    at=r.at or now,
                    details=details_of(values),
                    timed=r.at is not None,
                    fingerprint=r.fingerprint(),
                    note=f"{log.file_name} row {r.number}",
                )
                for r, values in zip(chunk, cells, strict=True)
            ]
            outcomes = leads_bulk_register(
                entries=entries, source=log.source, by=by, assign=assign, seen=seen, dry_run=log.dry_run, now=now
            )
        else:
            outcomes = [None] * len(chunk)
        logged = []
        for row, values, outcome in zip(chunk, cells, outcomes, strict=True):
            if outcome is None:
                errors += 1
                kind, reason, lead_id = RowOutcome.ERROR, row.error, None
            elif outcome.created:
                created += 1
                kind, reason, lead_id = RowOutcome.CREATED, "", outcome.lead_id
                if outcome.assigned_to_id is not None:
                    assigned[outcome.assigned_to_id] += 1
                elif log.dry_run and assign is not None:
                    # Who the real run would give it to: the rotation starts where a run now would.
                    assigned[assign().pk] += 1
            else:
                duplicates += 1
                kind, lead_id = RowOutcome.DUPLICATE, outcome.lead_id
                reason = (in_file if outcome.earlier_in_run else known).format(phone=row.phone)
            if kind != RowOutcome.CREATED:
                logged.append(
                    {
                        "log_id": log.pk,
                        "row_number": row.number,
                        "outcome": kind.value,
                        "reason": reason[:255],
                        "values": list(values),
                        "lead_id": lead_id,
                    }
                )
            if row.number in preview_numbers:
                preview[row.number] = {"row": row.number, "values": list(values), "outcome": kind, "reason": reason}
        insert_rows(ImportRow, logged)
        _forget_queries()
    log.preview = [preview[number] for number in sorted(preview)]
    # JSON keys are text; ordered by user id so the stored value does not depend on chunking.
    log.assigned_counts = {str(user_id): assigned[user_id] for user_id in sorted(assigned)}
    return len(rows), created, duplicates, errors
