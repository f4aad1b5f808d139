"""Reads for lead imports."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from import_service.models import ImportLog, ImportRow, InputKind, RowOutcome

EXPORT_EXTRA_COLUMNS = ["import_row", "import_outcome", "import_reason"]


def import_problem_rows(*, log: ImportLog) -> QuerySet:
    return ImportRow.objects.filter(log=log, outcome__in=[RowOutcome.ERROR, RowOutcome.DUPLICATE]).order_by(
        "row_number"
    )


def import_problem_rows_export(*, log: ImportLog):
    """Header and rows for the error/duplicate CSV: the file's own columns first
    (so the fixed file re-imports with the same mapping), then why each row is there."""
    headers = list(log.headers or [])
    header = [*headers, *EXPORT_EXTRA_COLUMNS]

    def rows():
        for number, values, outcome, reason in (
            import_problem_rows(log=log)
            .values_list("row_number", "values", "outcome", "reason")
            .iterator(chunk_size=2000)
        ):
            cells = list(values[: len(headers)]) + [""] * max(0, len(headers) - len(values))
            yield [*cells, number, outcome, reason]

    return header, rows()


# The codec the error file is written in, for each codec a CSV upload came in.
# UTF-8 always gets a BOM: without one Excel reads the file as cp1251. UTF-16
# (Meta Lead Ads) goes back with its BOM, the only way Excel recognises it.
EXPORT_ENCODINGS = {
    "utf-8": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16",
    "utf-16-be": "utf-16",
    "cp1251": "cp1251",
}


@dataclass(frozen=True)
class ExportFormat:
    """How a run's error file is written: as the file came in, so the program that
    made it (Excel on a Russian-locale machine: ";" and cp1251) opens it in columns."""

    kind: str  # "csv" or "xlsx"
    delimiter: str = ","
    encoding: str = "utf-8-sig"


def import_problem_rows_format(*, log: ImportLog) -> ExportFormat:
    """An Excel workbook for a workbook; for a CSV its delimiter and encoding; for a
    Google Sheet (and logs from before the format was kept) comma-separated UTF-8."""
    if log.input_kind == InputKind.XLSX:
        return ExportFormat(kind="xlsx")
    return ExportFormat(
        kind="csv",
        delimiter=log.csv_delimiter or ",",
        encoding=EXPORT_ENCODINGS.get(log.csv_encoding, "utf-8-sig"),
    )


def import_logs_listed(queryset: QuerySet) -> QuerySet:
    """The list of imports without the previews that led to a run: each is shown
    on its run's page instead. A preview nobody confirmed stays listed."""
    return queryset.exclude(Q(dry_run=True) & Q(options__has_key="confirmed_log_id"))


def import_preview_of(*, run: ImportLog) -> ImportLog | None:
    """The dry run a confirmed run came from (None for a command-line run)."""
    if run.dry_run:
        return None
    return ImportLog.objects.filter(dry_run=True, options__confirmed_log_id=run.pk).first()


def import_assignments(*, log: ImportLog) -> list[tuple[object, int]]:
    """(salesperson, new leads) of a run, most leads first; a user deleted since
    is None. One query."""
    counts = {int(user_id): count for user_id, count in (log.assigned_counts or {}).items()}
    users = get_user_model().objects.in_bulk(list(counts))
    rows = [(users.get(user_id), count) for user_id, count in counts.items()]
    return sorted(rows, key=lambda row: (-row[1], str(row[0] or "")))
