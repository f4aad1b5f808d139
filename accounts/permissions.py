"""Helpers for data migrations that grant model permissions to role groups.

Permissions are normally created by the post_migrate signal, after *all*
migrations have run; a data migration that grants them must create them first.
Each app's migration lists the permissions its models give to each role, so the
roles grow with the apps and a fresh database always ends up the same.
"""
from django.contrib.auth.management import create_permissions


def grant_permissions(apps, schema_editor, grants: dict[str, list[str]]) -> None:
    """grants: {"Sales": ["leads.view_lead", ...], ...}; creates missing groups."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for dotted in codenames:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)


def all_model_permissions(app_label: str, model_names: list[str]) -> list[str]:
    return [
        f"{app_label}.{action}_{model}"
        for model in model_names
        for action in ("add", "change", "delete", "view")
    ]
