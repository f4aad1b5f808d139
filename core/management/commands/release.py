"""The release step of a deploy: run once, before the new code serves or works."""

from django.core.management import call_command
from django.utils.translation import gettext, gettext_lazy

from core.management.base import CRMCommand


class Command(CRMCommand):
    help = gettext_lazy(
        "Release a new version: the deploy checks (check --deploy, warnings fail), "
        "then migrate, then collectstatic. Run once per deploy, before restarting web, worker and beat."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        self.say(gettext("Release 1/3: deploy checks"))
        call_command("check", deploy=True, fail_level="WARNING", verbosity=verbosity)
        self.say(gettext("Release 2/3: migrate"))
        call_command("migrate", interactive=False, verbosity=verbosity)
        self.say(gettext("Release 3/3: collectstatic (hashed, compressed names)"))
        call_command("collectstatic", interactive=False, verbosity=verbosity)
        self.say(gettext("Release done: start or restart web, worker and beat."), "SUCCESS")
