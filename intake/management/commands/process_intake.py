"""Process every pending or failed intake event now, by hand."""

import json

from django.core.management.base import BaseCommand

from intake import services
from intake.models import IntakeChannel


class Command(BaseCommand):
    help = "Process every pending or failed intake event (oldest first) and send due replies."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help='Print {"processed", "created", "repeats", "failed"}.')
        parser.add_argument("--channel", choices=IntakeChannel.values, help="Only this channel.")
        parser.add_argument("--limit", type=int, help="At most this many events.")

    def handle(self, *args, **options):
        summary = services.intake_events_process_open(channel=options["channel"], limit=options["limit"])
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict()))
            return
        for event_id, error in summary.errors:
            self.stderr.write(f"event {event_id}: {error}")
        self.stdout.write(
            f"Processed {summary.processed} event(s): {summary.created} new lead(s), "
            f"{summary.repeats} repeat(s); {summary.failed} failed."
        )
