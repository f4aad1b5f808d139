"""A large upload's preview, computed in the worker: the upload stores the file
and a queued dry-run log (``uploads.import_upload_preview``), the Celery task
``import_preview_task`` runs it here from the stored copy, saving progress as it
reads (``processed_rows`` of ``estimated_rows``) for the preview page.
"""

import csv
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from core.errors import error_text
from import_service import readers
from import_service.models import ImportLog, ImportStatus, InputKind
from import_service.services.inputs import import_assigner, import_open_file
from import_service.services.runs import DEFAULT_SOURCES, import_execute, import_log_claim, import_log_fail
from leads.services import validate_source

SAMPLE_BYTES = 256 * 1024
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def import_estimate_rows(*, path, table: readers.Table) -> int | None:
    """About how many data rows the file holds, without reading them: a CSV's line
    breaks (a quoted cell with a line break counts twice), a workbook's recorded
    dimension (None when it records none). Only for progress and the choice of
    where the preview runs; the counts come from the rows themselves."""
    path = Path(path)
    if table.kind == "csv":
        data = path.read_bytes()
        lines = data.count(b"\n") + (not data.endswith(b"\n"))
        return max(round(lines * _records_per_line(data, table)) - table.header_row, 0)
    if table.kind == "xlsx":
        last = _xlsx_last_row(path, table.sheet_name)
        return None if last is None else max(last - table.header_row, 0)
    return None


def _records_per_line(data: bytes, table: readers.Table) -> float:
    """Records per line break in the file's first SAMPLE_BYTES, parsed as CSV: cells
    with line breaks (comments) make a record span several lines."""
    sample = data[:SAMPLE_BYTES].decode(table.encoding or "utf-8", errors="ignore")
    if len(data) > SAMPLE_BYTES:
        sample = sample[: sample.rfind("\n") + 1]
    lines = sample.count("\n")
    if not lines:
        return 1.0
    try:
        records = sum(1 for _ in csv.reader(io.StringIO(sample, newline=""), delimiter=table.delimiter or ","))
    except csv.Error:
        return 1.0
    return min(records / lines, 1.0)


def _sheet_member(archive: zipfile.ZipFile, sheet_name: str | None) -> str | None:
    """The zip member holding the sheet's XML (the first sheet without a name)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    sheets = workbook.find(f"{_NS_MAIN}sheets")
    listed = list(sheets) if sheets is not None else []
    chosen = next((s for s in listed if s.get("name") == sheet_name), None) if sheet_name else listed[0]
    if chosen is None:
        return None
    rel_id = chosen.get(f"{_NS_REL}id")
    target = next(r.get("Target") for r in rels.iter(f"{_NS_PKG_REL}Relationship") if r.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


_XLSX_ERRORS = (KeyError, IndexError, StopIteration, OSError, zipfile.BadZipFile, ElementTree.ParseError)


def _xlsx_last_row(path: Path, sheet_name: str | None) -> int | None:
    """The last row the writing program recorded for the sheet:
    ``<dimension ref="A1:P100001">`` at the head of the sheet's XML, read
    without loading the workbook; None when absent or unreadable."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet_name)
            if member is None:
                return None
            with archive.open(member) as handle:
                head = handle.read(4096)
    except _XLSX_ERRORS:
        return None
    match = _DIMENSION.search(head)
    return int(match.group(1)) if match else None


def _xlsx_count_rows(path: Path, sheet_name: str | None) -> int | None:
    """The ``<row>`` elements of the sheet's XML, counted while unzipping it (no
    parsing: about 0.1 s per 100,000 rows): the worker's estimate for a workbook
    that records no size (openpyxl's write-only mode records none)."""
    count, tail = 0, b""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet_name)
            if member is None:
                return None
            with archive.open(member) as handle:
                while chunk := handle.read(1 << 20):
                    block = tail + chunk
                    count += len(_ROW.findall(block))
                    tail = block[-16:]
                    count -= len(_ROW.findall(tail))  # a tag in the tail is counted again with the next chunk
    except _XLSX_ERRORS:
        return None
    return count + len(_ROW.findall(tail))


def preview_in_background(*, estimated_rows: int | None, size: int) -> bool:
    """Whether an opened upload is previewed in the worker: more rows than
    IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD, or, when the file does not say how
    many, larger than IMPORT_PREVIEW_BACKGROUND_KB."""
    if estimated_rows is None:
        return size > settings.IMPORT_PREVIEW_BACKGROUND_KB * 1024
    return estimated_rows > settings.IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD


def queue_unopened(*, name: str, size: int) -> bool:
    """A workbook larger than IMPORT_PREVIEW_BACKGROUND_KB is not opened in the
    request at all: openpyxl reads the whole shared-string table first (3.3 s of
    CPU for a 100,000-row, 5 MB workbook), so the worker opens it."""
    return Path(name).suffix.lower() == ".xlsx" and size > settings.IMPORT_PREVIEW_BACKGROUND_KB * 1024


def import_preview_queue_unopened(
    *, path, name: str, sheet: str | None, source: str | None, by, options: dict, file: str
) -> ImportLog:
    """The queued preview of a large workbook, checked only as far as is cheap:
    the container (encrypted, damaged, a zip bomb: ImportFileError), the source
    and the assignment. Its header, sheet and columns are read by the worker,
    and a problem there fails the preview with the reason."""
    readers.check_xlsx_container(Path(path), name)
    import_assigner(assign=options.get("assign"))
    source = validate_source(source or DEFAULT_SOURCES[InputKind.XLSX])
    last = _xlsx_last_row(Path(path), sheet)
    return ImportLog.objects.create(
        created_by=by,
        source=source,
        input_kind=InputKind.XLSX,
        file_name=name[:255],
        sheet_name=(sheet or "")[:255],
        dry_run=True,
        status=ImportStatus.QUEUED,
        options=options,
        file=file,
        estimated_rows=None if last is None else max(last - 1, 0),
    )


def import_preview_stored(*, log: ImportLog) -> ImportLog:
    """Compute the queued preview ``log`` from its stored file, in the language it
    was uploaded in (its row reasons and failure are read by that person). Safe
    to deliver twice: it claims the log (queued → running) first. A file that
    cannot be read any more leaves the log failed with the reason."""
    if not log.dry_run or log.status != ImportStatus.QUEUED or not import_log_claim(log=log):
        return log
    options = log.options or {}
    with translation.override(options.get("language") or settings.LANGUAGE_CODE):
        try:
            assign = import_assigner(assign=options.get("assign"))
            table, mapping = import_open_file(
                path=log.file.path, name=log.file_name, sheet=log.sheet_name or None, mapping=options.get("map")
            )
        except (readers.ImportFileError, ValidationError, OSError) as exc:
            return import_log_fail(log=log, reason=error_text(exc))
        # What the upload could not read without opening the file (a large workbook's header and columns).
        log.sheet_name, log.headers, log.header_row = table.sheet_name[:255], table.headers, table.header_row
        log.columns = {table.headers[i]: f for i, f in mapping.items()}
        if log.estimated_rows is None and table.kind == InputKind.XLSX:
            rows = _xlsx_count_rows(Path(log.file.path), table.sheet_name)
            log.estimated_rows = None if rows is None else max(rows - table.header_row, 0)
        log.save(update_fields=["sheet_name", "headers", "header_row", "columns", "estimated_rows"])
        try:
            import_execute(log=log, table=table, mapping=mapping, by=log.created_by, assign=assign)
        except Exception:  # noqa: BLE001 - import_execute logged it and marked the log failed with the reason
            log.refresh_from_db()
    return log
