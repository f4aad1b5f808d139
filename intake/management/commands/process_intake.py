"""Process every pending or failed intake event now, by hand."""

from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy

from core.management.base import CRMCommand
from intake import services
from intake.models import IntakeChannel


class Command(CRMCommand):
    help = gettext_lazy("Process every pending or failed intake event (oldest first) and send due replies.")
    json_result = '{"processed", "created", "repeats", "failed"}'

    def add_arguments(self, parser):
        parser.add_argument("--channel", choices=IntakeChannel.values, help=gettext("Only this channel."))
        parser.add_argument("--limit", type=int, help=gettext("At most this many events."))

    def handle(self, *args, **options):
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError(gettext("--limit must be at least 1."))
        summary = services.intake_events_process_open(channel=options["channel"], limit=options["limit"])
        if not self.json:
            for event_id, error in summary.errors:
                self.stderr.write(gettext("event %(id)s: %(error)s") % {"id": event_id, "error": error})
        self.print_result(
            summary.as_dict(),
            gettext(
                "Processed %(processed)d event(s): %(created)d new lead(s), %(repeats)d repeat(s); %(failed)d failed."
            )
            % {
                "processed": summary.processed,
                "created": summary.created,
                "repeats": summary.repeats,
                "failed": summary.failed,
            },
            style=None,
        )
