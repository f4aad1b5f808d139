"""Reads for lead imports."""

from django.db.models import QuerySet

from import_service.models import ImportLog, ImportRow, RowOutcome

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
