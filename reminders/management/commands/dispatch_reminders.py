import json

from django.core.management.base import BaseCommand

from reminders.dispatch import reminders_dispatch_due


class Command(BaseCommand):
    help = (
        "Send every reminder that is due now, once (the same pass the Celery beat job runs every minute). "
        "Safe to run beside the beat job or another pass."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help='Print one JSON object {"sent", "skipped", "failed"}.')

    def handle(self, *args, **options):
        result = reminders_dispatch_due()
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(f"Sent {result.sent}, skipped {result.skipped}, failed {result.failed}.")
