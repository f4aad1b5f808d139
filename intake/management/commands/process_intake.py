"""Process every pending or failed intake event now, by hand."""

from django.core.management.base import CommandError

from core.management.base import CRMCommand
from intake import services
from intake.models import IntakeChannel


class Command(CRMCommand):
    help = "Process every pending or failed intake event (oldest first) and send due replies."
    json_result = '{"processed", "created", "repeats", "failed"}'

    def add_arguments(self, parser):
        parser.add_argument("--channel", choices=IntakeChannel.values, help="Only this channel.")
        parser.add_argument("--limit", type=int, help="At most this many events.")

    def handle(self, *args, **options):
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        summary = services.intake_events_process_open(channel=options["channel"], limit=options["limit"])
        if not self.json:
            for event_id, error in summary.errors:
                self.stderr.write(f"event {event_id}: {error}")
        self.print_result(
            summary.as_dict(),
            f"Processed {summary.processed} event(s): {summary.created} new lead(s), "
            f"{summary.repeats} repeat(s); {summary.failed} failed.",
            style=None,
        )
