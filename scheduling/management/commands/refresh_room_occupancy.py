from django.core.management.base import CommandError
from django.utils.translation import gettext, gettext_lazy

from core.management.base import CRMCommand
from scheduling.services import DEFAULT_OCCUPANCY_DAYS, room_occupancy_refresh


class Command(CRMCommand):
    help = gettext_lazy(
        "Materialise room occupancy for the coming days (idempotent; the nightly beat job runs the same)."
    )
    json_result = '{"start", "end", "upserted", "deleted"}'

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_OCCUPANCY_DAYS,
            help=gettext("How many days from today to cover (default %(days)d).") % {"days": DEFAULT_OCCUPANCY_DAYS},
        )

    def handle(self, *args, days, **options):
        if days < 1 or days > 366:
            raise CommandError(gettext("--days must be between 1 and 366."))
        result = room_occupancy_refresh(days=days)
        self.print_result(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "upserted": result.upserted,
                "deleted": result.deleted,
            },
            gettext(
                "Room occupancy %(start)s…%(end)s: %(upserted)d lesson(s) written, %(deleted)d stale row(s) removed."
            )
            % {"start": result.start, "end": result.end, "upserted": result.upserted, "deleted": result.deleted},
        )
