from pathlib import Path

from django.core.management.base import CommandError
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext

from core.management.base import CRMCommand
from scheduling.importer import MISSING_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, groups_import, read_csv


class Command(CRMCommand):
    # Worded when --help is shown (lazily), so in the language of the run.
    help = lazy(
        lambda: (
            gettext(
                "Create or update groups from a CSV timetable (columns: %(required)s; optional: %(optional)s). "
                "All or nothing: any refused row (conflict, bad value) writes nothing."
            )
            % {"required": ", ".join(REQUIRED_COLUMNS), "optional": ", ".join(OPTIONAL_COLUMNS)}
        ),
        str,
    )()
    json_result = '{"created", "updated", "dry_run"}'

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext("CSV file (UTF-8)."))
        parser.add_argument("--dry-run", action="store_true", help=gettext("Validate every row, write nothing."))

    def handle(self, *args, path, dry_run, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(gettext("No such file: %(path)s") % {"path": path})
        try:
            rows, missing = read_csv(file.read_bytes())
        except UnicodeDecodeError:
            raise CommandError(
                gettext("“%(path)s” is not UTF-8 text: save the timetable as a UTF-8 CSV.") % {"path": path}
            ) from None
        if missing:
            raise CommandError(
                MISSING_COLUMNS.format(
                    columns=", ".join(missing), expected=", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
                )
            )
        result = groups_import(rows=rows, dry_run=dry_run)
        if not result.ok:
            for line, message in result.errors:
                self.stderr.write(gettext("line %(line)s: %(message)s") % {"line": line, "message": message})
            count = len(result.errors)
            raise CommandError(
                ngettext("%(count)d problem; nothing was written.", "%(count)d problems; nothing was written.", count)
                % {"count": count}
            )
        summary = (
            gettext("Would create %(created)d group(s), update %(updated)d.")
            if dry_run
            else gettext("Created %(created)d group(s), updated %(updated)d.")
        )
        self.print_result(
            {"created": result.created, "updated": result.updated, "dry_run": dry_run},
            summary % {"created": result.created, "updated": result.updated},
        )
