"""Run the queued lead-import previews and runs now, by hand (the worker is down)."""

from django.utils.translation import gettext, gettext_lazy

from core.management.base import CRMCommand
from import_service.services import uploads


class Command(CRMCommand):
    help = gettext_lazy(
        "Run every queued lead-import preview and confirmed run now, in this process, oldest first "
        "(when the Celery worker is down; safe beside it)."
    )
    json_result = '{"previews", "runs", "failed"}'

    def handle(self, *args, **options):
        done = uploads.import_run_queued()
        self.print_result(
            done,
            gettext("%(previews)d preview(s) and %(runs)d import(s) done; %(failed)d failed.") % done,
            style=None,
        )
