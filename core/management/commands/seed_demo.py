"""Load realistic demo data. Safe to run again: each seeder skips what exists."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext, gettext_lazy

from accounts.demo import publish_password
from core.management.base import CRMCommand

REFUSED_IN_PRODUCTION = gettext_lazy(
    "DEBUG is off: this looks like a production site, and seed_demo would fill it with made-up "
    "leads and staff. If that is really wanted (a staging site), run it with --allow-production; "
    "the demo staff then get no password."
)


def demo_seeders():
    """(app label, ``seed(stdout)``) of every installed app with a ``demo`` module,
    in INSTALLED_APPS order. That is the layer order, so each app seeds on top of
    the data of the apps below it, and analytics (last) rolls up all of it.
    Discovered like Django's admin.autodiscover(), so core names no app above it."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            yield config.label, import_module(f"{config.name}.demo").seed


class Command(CRMCommand):
    help = gettext_lazy("Load demo staff, leads and the rest of a realistic centre (idempotent).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=gettext("Run even with DEBUG off (a staging site); demo staff are created without a password."),
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(str(REFUSED_IN_PRODUCTION))
        token = publish_password.set(settings.DEBUG)
        try:
            for _label, seed in demo_seeders():
                with transaction.atomic():
                    seed(self.stdout)
        finally:
            publish_password.reset(token)
        self.say(gettext("Demo data ready."), "SUCCESS")
