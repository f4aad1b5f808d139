"""Trial test helpers: a group that meets on a given date, and booking through
the service so the TrialReminder and lead status are real."""
import datetime

from scheduling.patterns import DayPattern
from tests.scheduling.factories import GroupFactory
from trials import services

WEEKDAY_PATTERNS = [DayPattern.MON, DayPattern.TUE, DayPattern.WED, DayPattern.THU, DayPattern.FRI,
                    DayPattern.SAT, DayPattern.SUN]


def group_meeting_on(date: datetime.date, *, start=datetime.time(16, 0), end=datetime.time(17, 30), **kwargs):
    """A group whose pattern is the weekday of ``date``, running since before it."""
    kwargs.setdefault("days", WEEKDAY_PATTERNS[date.weekday()])
    kwargs.setdefault("start_date", date - datetime.timedelta(days=60))
    return GroupFactory(start_time=start, end_time=end, **kwargs)


def book(*, lead, group, date, by, at=None, time=None):
    return services.trial_book(lead=lead, group=group, date=date, by=by, at=at, time=time)


def restore_role_permissions() -> None:
    """transaction=True tests flush the role groups and their permissions that
    the apps' ``*_roles`` data migrations create; put them back (same GRANTS)."""
    import importlib
    import pkgutil

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    for config in apps.get_app_configs():
        try:
            package = importlib.import_module(f"{config.name}.migrations")
        except ModuleNotFoundError:
            continue
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.endswith("_roles"):
                continue
            grants = getattr(importlib.import_module(f"{config.name}.migrations.{info.name}"), "GRANTS", {})
            for group_name, codenames in grants.items():
                group, _ = Group.objects.get_or_create(name=group_name)
                for dotted in codenames:
                    app_label, codename = dotted.split(".", 1)
                    group.permissions.add(
                        Permission.objects.get(content_type__app_label=app_label, codename=codename))
