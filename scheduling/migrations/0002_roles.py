from django.db import migrations

from accounts.permissions import all_model_permissions, grant_permissions

MODELS = ["course", "room", "group", "enrollment", "roomoccupancy"]

GRANTS = {
    # Managers plan the timetable.
    "Managers": all_model_permissions("scheduling", MODELS),
    # Sales book trials and enrol leads, so they read the timetable.
    "Sales": [f"scheduling.view_{m}" for m in MODELS],
    # Teachers read the timetable (their own by default).
    "Teachers": [f"scheduling.view_{m}" for m in MODELS],
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
        ("leads", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
