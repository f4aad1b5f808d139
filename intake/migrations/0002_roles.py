from django.db import migrations

from accounts.permissions import grant_permissions

# Raw intake events hold personal data of people who are not yet anybody's
# lead: managers only. Events are never added or deleted by hand; "change" is
# what the re-process action needs.
GRANTS = {
    "Sales": [],
    "Managers": [
        "intake.view_intakeevent",
        "intake.change_intakeevent",
        "intake.view_intakerejection",
    ],
    "Teachers": [],
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
