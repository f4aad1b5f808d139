"""Three indexes every new lead was written into that no query needs.

* ``assigned_to`` alone (the foreign key's own index) and ``(assigned_to,
  status)``: the salesperson indexes of 0010 begin with them and serve every
  query they served (a salesperson's leads, by status; a deleted user's leads
  set to no salesperson).
* ``phone`` with ``varchar_pattern_ops`` (PostgreSQL: Django adds one to every
  indexed text column, for ``LIKE 'x%'``): a phone is found by equality (the
  unique index) or by the digits it contains (the trigram index of 0010, which
  serves ``LIKE 'x%'`` too).

An import writes 12% less into the lead table for it (README "Lead import").
The indexes are dropped by name: Django's AlterField of the foreign key would
drop and re-add its constraint on PostgreSQL (checking every lead under a lock)
and copy the whole table on SQLite, for an index it could simply drop.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_phone_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "leads_lead_phone_894df808_like"')


def create_phone_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS "leads_lead_phone_894df808_like" ON "leads_lead" ("phone" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0011_lead_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="lead", name="leads_lead_assigne_92225c_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="lead",
                    name="assigned_to",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="leads",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="salesperson",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "leads_lead_assigned_to_id_d7a91e6c"',
                    'CREATE INDEX IF NOT EXISTS "leads_lead_assigned_to_id_d7a91e6c" ON "leads_lead" ("assigned_to_id")',
                ),
            ],
        ),
        migrations.RunPython(drop_phone_pattern_index, create_phone_pattern_index, elidable=False),
    ]
