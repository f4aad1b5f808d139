from django.db import migrations

from accounts.permissions import grant_permissions

# Everyone may make, list and revoke API tokens; the admin shows a salesperson
# or teacher only their own, a manager all (api.admin). Nobody edits or deletes one.
TOKEN = ["api.add_apitoken", "api.view_apitoken", "api.change_apitoken"]
GRANTS = {"Sales": TOKEN, "Managers": TOKEN, "Teachers": TOKEN}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
