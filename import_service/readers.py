"""Turn a CSV file, an Excel workbook or a Google Sheet into a header and rows.

Every reader gives the same thing, a Table: the header row (found, not
assumed: title rows and blank rows above it are common), and the data rows
with their row numbers as ops see them in a spreadsheet. Problems with the
file itself raise ``ImportFileError`` with a message ops can act on, before
anything is written.
"""

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import InputError
from import_service import columns

# How far down a sheet the header row may be.
HEADER_SCAN_ROWS = 30

UNKNOWN_EXTENSION = _("Cannot import “{name}”: only .csv and .xlsx files are supported.")
UNREADABLE = _("Cannot read “{name}”: {error}.")
EMPTY_FILE = _("“{name}” is empty.")
NOT_TEXT = _("“{name}” is not a text CSV file (it contains binary data).")
LOOKS_LIKE_XLSX = _("“{name}” is an Excel workbook, not a CSV file: save it with the .xlsx extension.")
UNKNOWN_ENCODING = _("Cannot tell the text encoding of “{name}”: save it as UTF-8 CSV.")
ENCRYPTED_XLSX = _(
    "“{name}” is password-protected (encrypted) or an old .xls workbook: "
    "open it in Excel, remove the password and save it as .xlsx."
)
CORRUPT_XLSX = _("“{name}” is not a valid .xlsx workbook (the file is damaged or of another type).")
XLSX_TOO_BIG = _(
    "“{name}” unpacks to {size_mb} MB, more than the {limit_mb} MB allowed "
    "(IMPORT_XLSX_MAX_UNCOMPRESSED_MB); split the workbook."
)
SHEET_FOR_CSV = _("A sheet name only applies to .xlsx workbooks; “{name}” is a CSV file.")
NO_SUCH_SHEET = _("There is no sheet “{sheet}” in “{name}”. Sheets: {sheets}.")
CSV_BROKEN = _("“{name}” could not be parsed as CSV at row {row}: {error}.")
FILE_TOO_BIG = _("“{name}” is {size_mb} MB, more than the {limit_mb} MB allowed (IMPORT_MAX_FILE_MB).")

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and old .xls


class ImportFileError(InputError):
    """The input cannot be imported; the message says why and what to do."""


@dataclass
class Table:
    name: str
    kind: str  # InputKind value
    headers: list[str]
    header_row: int
    _rows: Iterator[tuple[int, list]] = field(repr=False, default=iter(()))
    sheet_name: str = ""
    _close: object = field(repr=False, default=None)
    # A CSV file's delimiter and text encoding (a Python codec name); blank for workbooks and sheets.
    delimiter: str = ""
    encoding: str = ""

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, cells aligned to the header) for every row below the header."""
        return self._rows

    def close(self) -> None:
        """Release the file (and, for a CSV, the decoded text the reader holds)."""
        rows, self._rows = self._rows, iter(())
        if hasattr(rows, "close"):
            rows.close()
        if callable(self._close):
            self._close()
            self._close = None


def cell_text(value) -> str:
    """A cell as text, the way a person reads it: 998901234567 not 998901234567.0,
    a date as 2026-11-17, a date-time as 2026-11-17 14:02:11."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def is_blank(cells: Sequence) -> bool:
    return all(cell_text(c) == "" for c in cells)


def _locate_header(records: Iterator[tuple[int, list]], overrides: dict[str, str]):
    """Read up to HEADER_SCAN_ROWS rows; return (header number, header cells, rows after it).

    The header is the row that looks most like one (recognised column names,
    the phone column counting double); without any, the first non-blank row.
    """
    scanned: list[tuple[int, list]] = []
    for record in records:
        scanned.append(record)
        if len(scanned) >= HEADER_SCAN_ROWS:
            break
    best_index, best_score = None, 0
    for index, (_number, cells) in enumerate(scanned):
        score = columns.header_score([cell_text(c) for c in cells], overrides)
        if score > best_score:
            best_index, best_score = index, score
    if best_index is None:
        best_index = next((i for i, (_, cells) in enumerate(scanned) if not is_blank(cells)), None)
    if best_index is None:
        return None, [], iter(())
    number, header_cells = scanned[best_index]
    headers = [cell_text(c) for c in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)

    def rest():
        for row_number, cells in _chain(scanned[best_index + 1 :], records):
            # A new list either way: the reader's own is never changed.
            cells = cells[:width] if type(cells) is list else list(cells[:width])
            if len(cells) < width:
                cells.extend([None] * (width - len(cells)))
            yield row_number, cells

    return number, headers, rest()


def _chain(first, second):
    yield from first
    yield from second


def _check_size(path: Path, name: str) -> None:
    limit_mb = settings.IMPORT_MAX_FILE_MB
    size = path.stat().st_size
    if size > limit_mb * 1024 * 1024:
        raise ImportFileError(FILE_TOO_BIG.format(name=name, size_mb=round(size / 1048576, 1), limit_mb=limit_mb))


def open_file(
    path, *, name: str | None = None, sheet: str | None = None, overrides: dict[str, str] | None = None
) -> Table:
    """Open a .csv or .xlsx file by its extension (of ``name`` if given, the
    original upload name, else of ``path``)."""
    path = Path(path)
    name = name or path.name
    overrides = overrides or {}
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportFileError(UNKNOWN_EXTENSION.format(name=name))
    if suffix == ".csv" and sheet:
        raise ImportFileError(SHEET_FOR_CSV.format(name=name))
    try:
        _check_size(path, name)
        if suffix == ".csv":
            return _open_csv(path, name, overrides)
        return _open_xlsx(path, name, sheet, overrides)
    except OSError as exc:
        raise ImportFileError(UNREADABLE.format(name=name, error=exc.strerror or exc)) from exc


# --- CSV ------------------------------------------------------------------------


def is_workbook(data: bytes) -> bool:
    """The bytes of a spreadsheet workbook (.xlsx, or an encrypted or old .xls), not text."""
    return data.startswith((b"PK\x03\x04", _OLE_SIGNATURE))


def decode_csv(data: bytes, name: str) -> str:
    """UTF-8 with or without BOM, UTF-16 (Meta Lead Ads exports), or cp1251."""
    return decode_csv_as(data, name)[0]


def decode_csv_as(data: bytes, name: str) -> tuple[str, str]:
    """The text of ``data`` and the Python codec it was written in: "utf-8-sig"
    (with a BOM), "utf-8", "utf-16" (with a BOM), "utf-16-le"/"utf-16-be" or "cp1251"."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError(UNKNOWN_ENCODING.format(name=name)) from exc
    head = data[:4096]
    if is_workbook(head):
        raise ImportFileError(LOOKS_LIKE_XLSX.format(name=name))
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a BOM: the zero bytes sit on one side of each code unit.
        encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ImportFileError(NOT_TEXT.format(name=name)) from exc
    if b"\x00" in head:
        raise ImportFileError(NOT_TEXT.format(name=name))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError as exc:
        raise ImportFileError(UNKNOWN_ENCODING.format(name=name)) from exc


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the first lines into the
    most consistent number of columns (quoted fields with newlines included)."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        widths = widths[:50]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        if modal < 2:
            continue
        score = (widths.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_text(data: bytes, name: str) -> str:
    """The text of a CSV file's bytes: encoding detected (``decode_csv``), Windows
    line ends made plain. Raises ImportFileError for an empty or binary file."""
    return csv_text_as(data, name)[0]


def csv_text_as(data: bytes, name: str) -> tuple[str, str]:
    """``csv_text`` and the codec the file was written in (``decode_csv_as``)."""
    if not data.strip():
        raise ImportFileError(EMPTY_FILE.format(name=name))
    text, encoding = decode_csv_as(data, name)
    if "\x00" in text:
        raise ImportFileError(NOT_TEXT.format(name=name))
    if "\r" in text:  # Windows line ends, also inside quoted multi-line fields
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


def csv_records(text: str, name: str, *, delimiter: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) of CSV text, its delimiter detected (``detect_delimiter``)
    unless given; a malformed record raises ImportFileError naming its row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or detect_delimiter(text))
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row
    except csv.Error as exc:
        raise ImportFileError(CSV_BROKEN.format(name=name, row=number + 1, error=exc)) from exc


def _open_csv(path: Path, name: str, overrides) -> Table:
    text, encoding = csv_text_as(path.read_bytes(), name)
    delimiter = detect_delimiter(text)
    header_row, headers, rows = _locate_header(csv_records(text, name, delimiter=delimiter), overrides)
    if header_row is None:
        raise ImportFileError(EMPTY_FILE.format(name=name))
    return Table(
        name=name,
        kind="csv",
        headers=headers,
        header_row=header_row,
        _rows=rows,
        delimiter=delimiter,
        encoding=encoding,
    )


# --- Excel ------------------------------------------------------------------------


def check_xlsx_container(path: Path, name: str) -> None:
    """Refuse encrypted workbooks, non-zip files and zip bombs before openpyxl parses anything."""
    with path.open("rb") as handle:
        signature = handle.read(8)
    if signature.startswith(_OLE_SIGNATURE):
        raise ImportFileError(ENCRYPTED_XLSX.format(name=name))
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise ImportFileError(CORRUPT_XLSX.format(name=name)) from exc
    limit_mb = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_MB
    if unpacked > limit_mb * 1024 * 1024:
        raise ImportFileError(XLSX_TOO_BIG.format(name=name, size_mb=round(unpacked / 1048576), limit_mb=limit_mb))


def _open_xlsx(path: Path, name: str, sheet: str | None, overrides) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_container(path, name)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise ImportFileError(CORRUPT_XLSX.format(name=name)) from exc
    except Exception as exc:  # openpyxl raises assorted parser errors on damaged XML
        raise ImportFileError(f"{CORRUPT_XLSX.format(name=name)} ({exc.__class__.__name__}: {exc})") from exc
    try:
        if sheet:
            if sheet not in workbook.sheetnames:
                raise ImportFileError(
                    NO_SUCH_SHEET.format(sheet=sheet, name=name, sheets=", ".join(workbook.sheetnames))
                )
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.worksheets[0]
        if not hasattr(worksheet, "iter_rows"):
            raise ImportFileError(CHART_SHEET.format(name=name))
        # Read-only mode trusts the size the writing program recorded, which some
        # exporters get wrong; read the rows as they are instead.
        worksheet.reset_dimensions()

        def records():
            try:
                for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    yield number, list(row)
            except ImportFileError:
                raise
            except Exception as exc:
                raise ImportFileError(f"{CORRUPT_XLSX.format(name=name)} ({exc.__class__.__name__}: {exc})") from exc

        header_row, headers, rows = _locate_header(records(), overrides)
        if header_row is None:
            raise ImportFileError(EMPTY_FILE.format(name=name))
    except BaseException:
        workbook.close()
        raise
    return Table(
        name=name,
        kind="xlsx",
        headers=headers,
        header_row=header_row,
        _rows=rows,
        sheet_name=worksheet.title,
        _close=workbook.close,
    )


# --- Google Sheets ------------------------------------------------------------------

NO_SERVICE_ACCOUNT = _(
    "Set GOOGLE_SERVICE_ACCOUNT_FILE to the path of a Google service-account JSON key to import from Google Sheets."
)
SHEET_NOT_FOUND = _(
    "Google Sheet “{key}” was not found, or the service account {email} has no access: "
    "share the sheet with that address."
)
CHART_SHEET = _("The first sheet of “{name}” is a chart, not a table; choose a sheet with --sheet.")
BAD_KEY_FILE = _("Cannot use the service-account key {key_file}: {error}")
NOT_A_SHEET = _("“{key}” is not a Google Sheets URL or key.")
NO_SUCH_WORKSHEET = _("There is no worksheet “{sheet}” in “{title}”. Worksheets: {sheets}.")
GOOGLE_ERROR = _("Google Sheets refused the request: {error}.")


def open_google_sheet(
    url_or_key: str, *, worksheet: str | None = None, overrides: dict[str, str] | None = None
) -> Table:
    """Read a Google Sheet through gspread with the service account in
    GOOGLE_SERVICE_ACCOUNT_FILE. Numbers come unformatted (phones keep every
    digit), dates as the sheet shows them."""
    import gspread
    from gspread.utils import DateTimeOption, ValueRenderOption

    key_file = settings.GOOGLE_SERVICE_ACCOUNT_FILE
    if not key_file:
        raise ImportFileError(NO_SERVICE_ACCOUNT)
    try:
        client = gspread.service_account(filename=key_file)
    except (OSError, ValueError) as exc:
        raise ImportFileError(BAD_KEY_FILE.format(key_file=key_file, error=exc)) from exc
    email = getattr(getattr(client, "http_client", None), "auth", None)
    email = getattr(email, "service_account_email", "the service account")
    key = url_or_key.strip()
    try:
        spreadsheet = client.open_by_url(key) if key.startswith("http") else client.open_by_key(key)
        if worksheet:
            try:
                ws = spreadsheet.worksheet(worksheet)
            except gspread.WorksheetNotFound as exc:
                sheets = ", ".join(w.title for w in spreadsheet.worksheets())
                raise ImportFileError(
                    NO_SUCH_WORKSHEET.format(sheet=worksheet, title=spreadsheet.title, sheets=sheets)
                ) from exc
        else:
            ws = spreadsheet.sheet1
        values = ws.get_all_values(
            value_render_option=ValueRenderOption.unformatted,
            date_time_render_option=DateTimeOption.formatted_string,
        )
    except gspread.SpreadsheetNotFound as exc:
        raise ImportFileError(SHEET_NOT_FOUND.format(key=key, email=email)) from exc
    except gspread.exceptions.NoValidUrlKeyFound as exc:
        raise ImportFileError(NOT_A_SHEET.format(key=key)) from exc
    except gspread.exceptions.APIError as exc:
        if getattr(exc, "code", None) in (403, 404):
            raise ImportFileError(SHEET_NOT_FOUND.format(key=key, email=email)) from exc
        raise ImportFileError(GOOGLE_ERROR.format(error=exc)) from exc
    name = spreadsheet.title
    header_row, headers, rows = _locate_header(iter(enumerate(values, start=1)), overrides or {})
    if header_row is None:
        raise ImportFileError(EMPTY_FILE.format(name=name))
    return Table(
        name=name, kind="google_sheet", headers=headers, header_row=header_row, _rows=rows, sheet_name=ws.title
    )
