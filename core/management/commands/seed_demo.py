"""Load realistic demo data. Safe to run again: each seeder skips what exists."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

# One seeder per app, in dependency order. Each is `seed(stdout) -> None`.
SEEDERS = [
    "accounts.demo.seed",
    "leads.demo.seed",
    "intake.demo.seed",
    "import_service.demo.seed",
    "scheduling.demo.seed",
    "trials.demo.seed",
    "reminders.demo.seed",
    "analytics.demo.seed",  # keep last: rolls up what the seeders above created
]


class Command(BaseCommand):
    help = "Load demo staff, leads and the rest of a realistic centre (idempotent)."

    def handle(self, *args, **options):
        for dotted in SEEDERS:
            with transaction.atomic():
                import_string(dotted)(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
