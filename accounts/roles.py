"""Staff roles. A role is a Django group; the permissions of each group are
created by migrations (see accounts/permissions.py) so every machine agrees."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_noop

# Group names are data (migrations create the groups by these names); they are
# shown through role_label, in the reader's language.
SALES = gettext_noop("Sales")
MANAGERS = gettext_noop("Managers")
TEACHERS = gettext_noop("Teachers")


def role_label(name: str) -> str:
    """A group's name in the current language (other groups as they are named)."""
    return gettext(name) if name in (SALES, MANAGERS, TEACHERS) else name


def _in_group(user, name: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return name in cache


def is_manager(user) -> bool:
    """Managers and superusers see and do everything."""
    return bool(getattr(user, "is_superuser", False)) or _in_group(user, MANAGERS)


def is_salesperson(user) -> bool:
    return _in_group(user, SALES)


def is_teacher(user) -> bool:
    return _in_group(user, TEACHERS)


def is_restricted_to_own_leads(user) -> bool:
    """A salesperson who is not also a manager works only their own leads."""
    return is_salesperson(user) and not is_manager(user)


def salespeople() -> QuerySet:
    return get_user_model().objects.filter(groups__name=SALES, is_active=True).order_by("id")


def teachers() -> QuerySet:
    return get_user_model().objects.filter(groups__name=TEACHERS, is_active=True).order_by("id")
