"""import_leads: bring a CSV, an Excel workbook or a Google Sheet into leads.

A thin caller of import_service.services.inputs and .runs; see README "Lead import".
A file that cannot be imported or a bad option is a CommandError (CRMCommand's
mapping) before anything is written.
"""

import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy

from core.management.base import CRMCommand
from import_service import selectors
from import_service.services import inputs, runs
from leads.models import LeadSource


class Command(CRMCommand):
    help = gettext_lazy(
        "Import leads from a .csv/.xlsx file or a Google Sheet. Every row is accounted for in an ImportLog."
    )
    json_result = '{"import_log_id", "total", "created", "duplicates", "errors", "dry_run"}'

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help=gettext("A .csv or .xlsx file."))
        parser.add_argument(
            "--google-sheet", metavar="URL_OR_KEY", help=gettext("Import a Google Sheet instead of a file.")
        )
        parser.add_argument(
            "--worksheet", metavar="NAME", help=gettext("Google Sheets worksheet (default: the first).")
        )
        parser.add_argument("--sheet", metavar="NAME", help=gettext("Excel sheet (default: the first)."))
        parser.add_argument(
            "--source",
            choices=LeadSource.values,
            help=gettext("Lead source (default: csv, excel or google_sheets by input)."),
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=field",
            help=gettext("Map a column to a lead field; repeat for more (adds to or overrides the aliases)."),
        )
        parser.add_argument(
            "--assign",
            metavar="round-robin|USERNAME",
            help=gettext("Assign new leads round-robin across salespeople, or to one salesperson."),
        )
        parser.add_argument("--dry-run", action="store_true", help=gettext("Report what would happen; write no lead."))

    def handle(self, *args, **opts):
        if bool(opts["path"]) == bool(opts["google_sheet"]):
            raise CommandError(gettext("Give either a file PATH or --google-sheet URL_OR_KEY (one of them)."))
        if opts["sheet"] and opts["google_sheet"]:
            raise CommandError(gettext("--sheet is for Excel files; use --worksheet with --google-sheet."))
        if opts["google_sheet"]:
            table, mapping = inputs.import_open_google_sheet(
                url_or_key=opts["google_sheet"], worksheet=opts["worksheet"], mapping=opts["map"]
            )
        else:
            table, mapping = inputs.import_open_file(path=opts["path"], sheet=opts["sheet"], mapping=opts["map"])
        try:
            assign = inputs.import_assigner(assign=opts["assign"])
            log = runs.import_log_start(
                table=table,
                mapping=mapping,
                source=opts["source"],
                dry_run=opts["dry_run"],
                options={"map": opts["map"], "assign": opts["assign"]},
            )
        except BaseException:
            table.close()
            raise

        heading = (
            gettext("Dry run of %(file)s (header on row %(row)d; columns: %(columns)s)")
            if log.dry_run
            else gettext("Importing %(file)s (header on row %(row)d; columns: %(columns)s)")
        )
        self.say(
            heading
            % {
                "file": log.file_name,
                "row": log.header_row,
                "columns": ", ".join(f"{h} → {f}" for h, f in log.columns.items()),
            }
        )
        bar = self._progress_bar()
        try:
            result = runs.import_execute(
                log=log,
                table=table,
                mapping=mapping,
                assign=assign,
                progress=(lambda n: bar.update(n - bar.n)) if bar is not None else None,
            )
        except Exception as exc:
            raise self.command_error(
                exc, prefix=gettext("Import failed, no lead was written (ImportLog #%(log)s):") % {"log": log.pk}
            ) from exc
        finally:
            if bar is not None:
                bar.close()

        log = result.log
        summary = (
            gettext(
                "Dry run — nothing written. %(total)d rows: %(created)d would be created, "
                "%(duplicates)d duplicates, %(errors)d errors (ImportLog #%(log)s)."
            )
            if log.dry_run
            else gettext(
                "%(total)d rows: %(created)d created, %(duplicates)d duplicates, "
                "%(errors)d errors (ImportLog #%(log)s)."
            )
        )
        self.print_result(
            result.as_dict(),
            summary
            % {
                "total": log.total,
                "created": log.created,
                "duplicates": log.duplicates,
                "errors": log.errors,
                "log": log.pk,
            },
        )
        if self.json:
            return
        assignments = selectors.import_assignments(log=log)
        if assignments:
            split = ", ".join(f"{user or gettext('a deleted user')} {count}" for user, count in assignments)
            if log.dry_run:
                self.say(gettext("New leads would go to: %(split)s.") % {"split": split})
            else:
                self.say(gettext("New leads per salesperson: %(split)s.") % {"split": split})
        for row in log.rows.filter(outcome="error").order_by("row_number")[:10]:
            self.say(gettext("  row %(row)d: %(reason)s") % {"row": row.row_number, "reason": row.reason})
        if log.errors > 10:
            self.say(
                gettext("  … and %(count)d more; download them from the ImportLog in admin.")
                % {"count": log.errors - 10}
            )

    def _progress_bar(self):
        stream = getattr(self.stdout, "_out", sys.stdout)
        if self.json or not getattr(stream, "isatty", lambda: False)():
            return None
        from tqdm import tqdm

        return tqdm(desc=gettext("Reading rows"), unit=" rows", file=sys.stderr)
