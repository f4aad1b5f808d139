"""The row log's index on ``log`` alone, which every logged row was written
into: the (log, outcome, row_number) index begins with it. Dropped by name,
CONCURRENTLY on PostgreSQL (core.db_operations.DropIndexByName)."""

import django.db.models.deletion
from django.db import migrations, models

from core.db_operations import DropIndexByName


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("import_service", "0008_estimated_rows"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="importrow",
                    name="log",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="import_service.importlog",
                        verbose_name="log",
                    ),
                ),
            ],
            database_operations=[
                DropIndexByName(
                    name="import_service_importrow_log_id_5fa6de14",
                    create='CREATE INDEX "import_service_importrow_log_id_5fa6de14" ON "import_service_importrow" ("log_id")',
                ),
            ],
        ),
    ]
