from django.db import migrations

from accounts.permissions import all_model_permissions, grant_permissions

GRANTS = {
    "Sales": [
        "leads.view_lead",
        "leads.add_lead",
        "leads.change_lead",
        "leads.view_leadstatuschange",
        "leads.view_leadinquiry",
    ],
    "Managers": [
        *all_model_permissions("leads", ["lead", "leadstatuschange", "leadinquiry"]),
        "accounts.view_user",
        "accounts.change_user",
    ],
    "Teachers": [],
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
