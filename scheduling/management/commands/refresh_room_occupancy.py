from django.core.management.base import CommandError

from core.management.base import CRMCommand
from scheduling.services import DEFAULT_OCCUPANCY_DAYS, room_occupancy_refresh


class Command(CRMCommand):
    help = "Materialise room occupancy for the coming days (idempotent; the nightly beat job runs the same)."
    json_result = '{"start", "end", "upserted", "deleted"}'

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_OCCUPANCY_DAYS,
            help=f"How many days from today to cover (default {DEFAULT_OCCUPANCY_DAYS}).",
        )

    def handle(self, *args, days, **options):
        if days < 1 or days > 366:
            raise CommandError("--days must be between 1 and 366.")
        result = room_occupancy_refresh(days=days)
        self.print_result(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "upserted": result.upserted,
                "deleted": result.deleted,
            },
            f"Room occupancy {result.start}…{result.end}: {result.upserted} lesson(s) written, "
            f"{result.deleted} stale row(s) removed.",
        )
