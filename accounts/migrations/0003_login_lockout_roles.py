from django.db import migrations

from accounts.permissions import grant_permissions

# Managers see the login lockouts (django-axes) and lift them by deleting the attempts.
GRANTS = {
    "Managers": [
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_language"),
        ("axes", "0010_accessattemptexpiration"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
