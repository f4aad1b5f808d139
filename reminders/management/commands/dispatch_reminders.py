from django.utils.translation import gettext, gettext_lazy

from core.management.base import CRMCommand
from reminders.dispatch import reminders_dispatch_due


class Command(CRMCommand):
    help = gettext_lazy(
        "Send every reminder that is due now, once (the same pass the Celery beat job runs every minute). "
        "Safe to run beside the beat job or another pass."
    )
    json_result = '{"sent", "skipped", "failed"}'

    def handle(self, *args, **options):
        result = reminders_dispatch_due()
        self.print_result(
            result.as_dict(),
            gettext("Sent %(sent)d, skipped %(skipped)d, failed %(failed)d.")
            % {"sent": result.sent, "skipped": result.skipped, "failed": result.failed},
            style=None,
        )
