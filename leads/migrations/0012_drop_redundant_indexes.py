"""Three indexes every new lead was written into that no query needs.

* ``assigned_to`` alone (the foreign key's own index) and ``(assigned_to,
  status)``: the salesperson indexes of 0010 begin with them and serve every
  query they served (a salesperson's leads, by status; a deleted user's leads
  set to no salesperson).
* ``phone`` with ``varchar_pattern_ops`` (PostgreSQL: Django adds one to every
  indexed text column, for ``LIKE 'x%'``): a phone is found by equality (the
  unique index) or by the digits it contains (the trigram index of 0010, which
  serves ``LIKE 'x%'`` too).

Dropped by name, CONCURRENTLY on PostgreSQL (hence atomic = False): see
core.db_operations.DropIndexByName. README "Lead import" gives what an import
gains.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.db_operations import DropIndexByName


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("leads", "0011_lead_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="lead", name="leads_lead_assigne_92225c_idx")],
            database_operations=[
                DropIndexByName(
                    name="leads_lead_assigne_92225c_idx",
                    create='CREATE INDEX "leads_lead_assigne_92225c_idx" ON "leads_lead" ("assigned_to_id", "status")',
                ),
            ],
        ),
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
                DropIndexByName(
                    name="leads_lead_assigned_to_id_d7a91e6c",
                    create='CREATE INDEX "leads_lead_assigned_to_id_d7a91e6c" ON "leads_lead" ("assigned_to_id")',
                ),
            ],
        ),
        DropIndexByName(
            name="leads_lead_phone_894df808_like",
            create='CREATE INDEX "leads_lead_phone_894df808_like" ON "leads_lead" ("phone" varchar_pattern_ops)',
            postgres_only=True,
        ),
    ]
