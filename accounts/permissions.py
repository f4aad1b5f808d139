"""Helpers for data migrations that grant model permissions to role groups.

Permissions are normally created by the post_migrate signal, after *all*
migrations have run; a data migration that grants them must create them first.
Each app's `migrations/*_roles.py` lists, in a module-level GRANTS dict, the
permissions its models give to each role, so the roles grow with the apps and a
fresh database always ends up the same.
"""

import importlib
import pkgutil

from django.contrib.auth.management import create_permissions


def grant_permissions(apps, schema_editor, grants: dict[str, list[str]]) -> None:
    """grants: {"Sales": ["leads.view_lead", ...], ...}; creates missing groups."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    _apply(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), grants)


def _apply(Group, Permission, grants: dict[str, list[str]]) -> None:
    for group_name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for dotted in codenames:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)


def restore_role_grants() -> None:
    """Re-create the role groups and their permissions from every app's GRANTS.

    For a database whose tables were emptied after migrating (`manage.py flush`,
    or transactional tests): post_migrate re-creates permissions, not groups.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    for app_config in apps.get_app_configs():
        package = f"{app_config.name}.migrations"
        try:
            migrations = importlib.import_module(package)
        except ModuleNotFoundError:
            continue
        for module_info in pkgutil.iter_modules(migrations.__path__):
            module = importlib.import_module(f"{package}.{module_info.name}")
            grants = getattr(module, "GRANTS", None)
            if isinstance(grants, dict):
                _apply(Group, Permission, grants)


def all_model_permissions(app_label: str, model_names: list[str]) -> list[str]:
    return [f"{app_label}.{action}_{model}" for model in model_names for action in ("add", "change", "delete", "view")]
