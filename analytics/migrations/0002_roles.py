from django.db import migrations

from accounts.permissions import all_model_permissions, grant_permissions

ROLLUPS = [
    "saleskpi",
    "leadmetrics",
    "groupanalytics",
    "marketinganalytics",
    "roomdayusage",
    "grouprecommendation",
    "rolluprun",
    "dashboard",
]

GRANTS = {
    # A salesperson reads their own SalesKPI rows (the admin filters them).
    "Sales": ["analytics.view_saleskpi"],
    # Managers read every rollup and the dashboard, and enter marketing spend.
    "Managers": [
        *(f"analytics.view_{model}" for model in ROLLUPS),
        *all_model_permissions("analytics", ["marketingspend"]),
    ],
}


def grant(apps, schema_editor):
    grant_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("accounts", "0001_initial"),
        ("leads", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
