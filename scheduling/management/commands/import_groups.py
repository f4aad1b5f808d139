from pathlib import Path

from django.core.management.base import CommandError

from core.management.base import CRMCommand
from scheduling.importer import MISSING_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, groups_import, read_csv


class Command(CRMCommand):
    help = (
        "Create or update groups from a CSV timetable (columns: "
        + ", ".join(REQUIRED_COLUMNS)
        + "; optional: "
        + ", ".join(OPTIONAL_COLUMNS)
        + "). All or nothing: any refused row (conflict, bad value) writes nothing."
    )
    json_result = '{"created", "updated", "dry_run"}'

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Validate every row, write nothing.")

    def handle(self, *args, path, dry_run, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            rows, missing = read_csv(file.read_bytes())
        except UnicodeDecodeError:
            raise CommandError(f"“{path}” is not UTF-8 text: save the timetable as a UTF-8 CSV.") from None
        if missing:
            raise CommandError(
                MISSING_COLUMNS.format(
                    columns=", ".join(missing), expected=", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
                )
            )
        result = groups_import(rows=rows, dry_run=dry_run)
        if not result.ok:
            for line, message in result.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError(f"{len(result.errors)} problem(s); nothing was written.")
        verb = "Would create" if dry_run else "Created"
        self.print_result(
            {"created": result.created, "updated": result.updated, "dry_run": dry_run},
            f"{verb} {result.created} group(s), updated {result.updated}.",
        )
