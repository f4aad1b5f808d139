"""Spreadsheet exports that are safe to open in Excel or Google Sheets.

A cell that starts with = + - @ (or a tab / carriage return) is run as a
formula by spreadsheet programs; an attacker who controls a lead's name could
otherwise exfiltrate data. Such cells are prefixed with an apostrophe, the
OWASP-recommended neutralisation, which spreadsheets display as plain text.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value  # a number is written as a number, never read as a formula
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value)
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.time):  # a lesson time: 18:30, seconds only when there are some
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


# What the Content-Type says for each codec a CSV may be written in.
CSV_CHARSETS = {"utf-8-sig": "utf-8", "utf-16": "utf-16", "cp1251": "windows-1251"}


def write_csv(stream, header: Sequence[str], rows: Iterable[Sequence], *, delimiter: str = ",") -> None:
    writer = csv.writer(stream, delimiter=delimiter)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> HttpResponse:
    """A CSV download; by default comma-separated UTF-8 with a BOM, so Excel opens
    Cyrillic names correctly. ``delimiter`` and ``encoding`` (one of CSV_CHARSETS)
    let a file go back the way it came (";" and cp1251 from Excel on a
    Russian-locale machine). Text that cp1251 cannot hold (Uzbek "ʻ", emoji) is
    not replaced: the whole file is then written as UTF-8 with a BOM, which that
    Excel opens as well."""
    if encoding not in CSV_CHARSETS:
        raise ValueError(f"Cannot write CSV as {encoding!r}; choose one of {', '.join(CSV_CHARSETS)}.")
    buffer = io.StringIO()
    write_csv(buffer, header, rows, delimiter=delimiter)
    text = buffer.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        encoding = "utf-8-sig"
        data = text.encode(encoding)
    response = HttpResponse(data, content_type=f"text/csv; charset={CSV_CHARSETS[encoding]}")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
