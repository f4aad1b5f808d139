from django.db import migrations

from accounts.permissions import all_model_permissions, grant_permissions

# Managers run and review imports; salespeople and teachers get nothing here.
GRANTS = {
    "Managers": all_model_permissions("import_service", ["importlog", "importrow"]),
    "Sales": [],
    "Teachers": [],
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("import_service", "0001_initial"),
        ("leads", "0002_roles"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
