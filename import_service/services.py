"""Lead import: read a table, decide every row's outcome, write set-based.

Entry points (commands, admin, Celery task all call these):

- ``import_open_file`` / ``import_open_google_sheet``: open the input and check
  it (format, encoding, header row, a phone column) before anything is written.
- ``import_log_start``: the ImportLog for a run.
- ``import_execute``: run it. Phase one reads and validates every row
  (progress is saved as it goes, so a bad file discovered late fails before a
  single lead is written); phase two writes everything in one transaction,
  chunk by chunk, with a fixed number of queries per chunk. A failure leaves
  the log ``failed`` with the reason and no lead from the run.
"""

import datetime
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import reset_queries, transaction
from django.utils import timezone

from accounts import roles
from import_service import columns, readers
from import_service.models import (
    ImportLog,
    ImportRow,
    ImportStatus,
    InputKind,
    RowOutcome,
)
from leads.bulk import BulkEntry, leads_bulk_register
from leads.models import Lead, LeadSource
from leads.phones import InvalidPhone, normalize_phone
from leads.services import NOT_A_SALESPERSON, salesperson_rotation, validate_source

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
PREVIEW_ROWS = 20

NO_PHONE = "No phone number."
DUPLICATE_KNOWN = "Phone {phone} already belongs to a lead."
DUPLICATE_IN_FILE = "Phone {phone} appears earlier in this file."
DEFAULT_SOURCES = {
    InputKind.CSV: LeadSource.CSV,
    InputKind.XLSX: LeadSource.EXCEL,
    InputKind.GOOGLE_SHEET: LeadSource.GOOGLE_SHEETS,
}
ROUND_ROBIN = "round-robin"
UNKNOWN_SALESPERSON = "No active salesperson with the username “{username}”."

_MAX_LENGTHS = {f.name: f.max_length for f in Lead._meta.concrete_fields if getattr(f, "max_length", None)}
_DATE_FORMATS = (
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
)


ImportFileError = readers.ImportFileError


# --- opening -------------------------------------------------------------------


def import_open_file(
    *, path, name: str | None = None, sheet: str | None = None, mapping: list[str] | None = None
) -> tuple[readers.Table, dict[int, str]]:
    """Open and check a .csv/.xlsx file; returns the table and its column mapping.
    Raises ImportFileError or ValidationError (bad --map, no phone column)."""
    overrides = columns.parse_overrides(mapping or [])
    table = readers.open_file(path, name=name, sheet=sheet, overrides=overrides)
    return table, _checked_mapping(table, overrides)


def import_open_google_sheet(
    *, url_or_key: str, worksheet: str | None = None, mapping: list[str] | None = None
) -> tuple[readers.Table, dict[int, str]]:
    overrides = columns.parse_overrides(mapping or [])
    table = readers.open_google_sheet(url_or_key, worksheet=worksheet, overrides=overrides)
    return table, _checked_mapping(table, overrides)


def _checked_mapping(table: readers.Table, overrides: dict[str, str]) -> dict[int, str]:
    mapping = columns.build_mapping(table.headers, overrides)
    try:
        columns.check_mapping(table.headers, mapping, overrides)
    except ValidationError:
        table.close()
        raise
    return mapping


def import_assigner(*, assign: str | None) -> Callable[[], object] | None:
    """``round-robin``, a salesperson's username, or nothing."""
    if not assign:
        return None
    if assign == ROUND_ROBIN:
        rotation = salesperson_rotation()  # raises ValidationError when nobody is in Sales
        return lambda: next(rotation)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=assign, is_active=True).first()
    if user is None:
        raise ValidationError(UNKNOWN_SALESPERSON.format(username=assign))
    if not roles.is_salesperson(user):
        raise ValidationError(NOT_A_SALESPERSON.format(user=user))
    return lambda: user


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


# --- rows ---------------------------------------------------------------------------------


@dataclass(slots=True)
class ParsedRow:
    """A validated row, kept small: 100k of them are held between the two phases."""

    number: int
    values: tuple[str, ...]
    phone: str | None = None
    error: str = ""
    at: datetime.datetime | None = None


def parse_created_time(value) -> datetime.datetime | None:
    """A timestamp cell as an aware datetime (naive ones are local time), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time.min)
    else:
        text = str(value).strip()
        moment = None
        try:
            moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    moment = datetime.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def row_fingerprint(values) -> str:
    """16 hex digits identifying a row's content, so a re-import recognises it."""
    return hashlib.blake2b("\x1f".join(values).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def parse_row(number: int, cells: list, mapping: dict[int, str], *, now: datetime.datetime) -> ParsedRow | None:
    """Phone and time of one row (None for a blank row); its other details are
    read when it is written (row_details)."""
    values = tuple(c.strip() if type(c) is str else readers.cell_text(c) for c in cells)
    if not any(values):
        return None
    row = ParsedRow(number=number, values=values)
    phone_raw = created_time = None
    for index, field in mapping.items():
        if field == "phone":
            phone_raw = cells[index]
        elif field == "created_time":
            created_time = cells[index]
    try:
        row.phone = normalize_phone(phone_raw)
    except InvalidPhone as exc:
        row.error = NO_PHONE if readers.cell_text(phone_raw) == "" else str(exc)
        return row
    moment = parse_created_time(created_time)
    row.at = min(moment, now) if moment else None
    return row


def row_details(values: tuple[str, ...], mapping: dict[int, str]) -> dict:
    """The lead fields a row gives (only non-blank ones), cut to the model's lengths."""
    fields = {field: values[index] for index, field in mapping.items() if values[index]}
    details = {"phone_raw": fields.get("phone", "")}
    for field in columns.TEXT_FIELDS:
        if field in fields:
            details[field] = fields[field]
    first, last = fields.get("first_name", ""), fields.get("last_name", "")
    if first or last:
        details["full_name"] = " ".join(p for p in (details.get("full_name") or first, last) if p)
    if details.get("email"):
        try:
            validate_email(details["email"])
        except ValidationError:
            # Keep what was typed where a person can see it, rather than lose it.
            bad = details.pop("email")
            details["comment"] = "\n".join(p for p in (details.get("comment", ""), f"E-mail as given: {bad}") if p)
    for name, value in details.items():
        limit = _MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            details[name] = value[:limit]
    return details


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
        update_fields=["status", "finished_at", "total", "created", "duplicates", "errors", "processed_rows", "preview"]
    )
    return ImportResult(log=log)


def _read_all(*, log, table, mapping, now, progress) -> list[ParsedRow]:
    """Phase one: every non-blank row parsed and validated, progress saved per chunk."""
    rows: list[ParsedRow] = []
    for number, cells in table.rows():
        row = parse_row(number, cells, mapping, now=now)
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
    from django.conf import settings
    from django.db import connection

    if settings.DEBUG and not connection.force_debug_cursor:
        reset_queries()


def _save_progress(log: ImportLog, count: int, progress) -> None:
    log.processed_rows = count
    ImportLog.objects.filter(pk=log.pk).update(processed_rows=count)
    if progress:
        progress(count)


def _register(*, log, rows: list[ParsedRow], mapping, by, assign, now) -> tuple[int, int, int, int]:
    """Phase two: valid rows through the bulk writer in chunks, error and duplicate rows logged.

    Rows are chunked by phone (every row of one phone in the same chunk, in
    file order), so a repeat within the file is written with its new lead
    instead of updating it from a later chunk.
    """
    created = duplicates = errors = 0
    seen: dict[str, int | None] = {}
    preview_numbers = {r.number for r in rows[:PREVIEW_ROWS]}
    preview: dict[int, dict] = {}
    groups: dict[str, list[ParsedRow]] = {}
    invalid: list[ParsedRow] = []
    for row in rows:
        if row.phone:
            groups.setdefault(row.phone, []).append(row)
        else:
            invalid.append(row)

    def chunks():
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

    for chunk in chunks():
        entries = [
            BulkEntry(
                key=r.number,
                phone=r.phone,
                at=r.at or now,
                details=row_details(r.values, mapping),
                timed=r.at is not None,
                fingerprint=row_fingerprint(r.values),
                note=f"{log.file_name} row {r.number}",
            )
            for r in chunk
            if r.phone
        ]
        outcomes = (
            {
                o.key: o
                for o in leads_bulk_register(
                    entries=entries, source=log.source, by=by, assign=assign, seen=seen, dry_run=log.dry_run, now=now
                )
            }
            if entries
            else {}
        )
        logged = []
        for row in chunk:
            outcome = outcomes.get(row.number)
            if outcome is None:
                errors += 1
                kind, reason, lead_id = RowOutcome.ERROR, row.error, None
            elif outcome.created:
                created += 1
                kind, reason, lead_id = RowOutcome.CREATED, "", outcome.lead_id
            else:
                duplicates += 1
                kind, lead_id = RowOutcome.DUPLICATE, outcome.lead_id
                reason = (DUPLICATE_IN_FILE if outcome.earlier_in_run else DUPLICATE_KNOWN).format(phone=row.phone)
            if kind != RowOutcome.CREATED:
                logged.append(
                    ImportRow(
                        log=log,
                        row_number=row.number,
                        outcome=kind,
                        reason=reason[:255],
                        values=list(row.values),
                        lead_id=lead_id,
                    )
                )
            if row.number in preview_numbers:
                preview[row.number] = {"row": row.number, "values": list(row.values), "outcome": kind, "reason": reason}
        ImportRow.objects.bulk_create(logged, batch_size=1000)
        _forget_queries()
    log.preview = [preview[number] for number in sorted(preview)]
    return len(rows), created, duplicates, errors


# --- admin upload ---------------------------------------------------------------------------

NOT_A_DRY_RUN = "Only a previewed (dry-run) upload can be confirmed."
PREVIEW_FAILED = "This preview failed; upload the file again."


def background_threshold() -> int:
    from django.conf import settings

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
    from pathlib import Path

    from django.core.files.storage import default_storage

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
    from import_service.tasks import import_run_task

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
            transaction.on_commit(lambda log_id=log.pk: import_run_task.delay(log_id))
    if not background:
        import_run_stored(log=log)
        log.refresh_from_db()
    return log


def _confirmed_log(dry_run_log: ImportLog, by) -> ImportLog:
    return ImportLog.objects.create(
        created_by=by,
        source=dry_run_log.source,
        input_kind=dry_run_log.input_kind,
        file_name=dry_run_log.file_name,
        sheet_name=dry_run_log.sheet_name,
        file=dry_run_log.file.name,
        dry_run=False,
        status=ImportStatus.QUEUED,
        headers=dry_run_log.headers,
        header_row=dry_run_log.header_row,
        columns=dry_run_log.columns,
        options={k: v for k, v in (dry_run_log.options or {}).items() if k != "confirmed_log_id"},
    )


def import_run_stored(*, log: ImportLog) -> ImportLog:
    """Run ``log`` from its stored file and options (the admin confirm step and the Celery task)."""
    if log.status not in (ImportStatus.QUEUED,):
        return log  # already run (a redelivered task)
    claimed = ImportLog.objects.filter(pk=log.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return log
    log.refresh_from_db()
    options = log.options or {}
    try:
        table, mapping = import_open_file(
            path=log.file.path, name=log.file_name, sheet=log.sheet_name or None, mapping=options.get("map")
        )
        assign = import_assigner(assign=options.get("assign"))
    except (readers.ImportFileError, ValidationError, OSError) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        import_log_fail(log=log, reason=reason)
        return log
    try:
        import_execute(log=log, table=table, mapping=mapping, by=log.created_by, assign=assign)
    except Exception:  # noqa: BLE001 - import_execute logged it and marked the log failed with the reason
        log.refresh_from_db()
    return log
