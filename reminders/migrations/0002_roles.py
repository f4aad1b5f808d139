from django.db import migrations

from accounts.permissions import all_model_permissions, grant_permissions

GRANTS = {
    "Sales": [
        "reminders.view_leadreminder",
        "reminders.add_leadreminder",
        "reminders.change_leadreminder",
        "reminders.view_delivery",
    ],
    "Managers": all_model_permissions("reminders", ["leadreminder", "delivery"]),
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("leads", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
