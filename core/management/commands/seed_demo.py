"""Load realistic demo data. Safe to run again: each seeder skips what exists."""

from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from core.management.base import CRMCommand


def demo_seeders():
    """(app label, ``seed(stdout)``) of every installed app with a ``demo`` module,
    in INSTALLED_APPS order. That is the layer order, so each app seeds on top of
    the data of the apps below it, and analytics (last) rolls up all of it.
    Discovered like Django's admin.autodiscover(), so core names no app above it."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            yield config.label, import_module(f"{config.name}.demo").seed


class Command(CRMCommand):
    help = "Load demo staff, leads and the rest of a realistic centre (idempotent)."

    def handle(self, *args, **options):
        for _label, seed in demo_seeders():
            with transaction.atomic():
                seed(self.stdout)
        self.say("Demo data ready.", "SUCCESS")
