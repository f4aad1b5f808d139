"""The trial list's default order on an index (README "Large lists"), built
CONCURRENTLY on PostgreSQL (atomic = False)."""

from django.db import migrations, models

from core.db_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("trials", "0004_translated_labels"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="trial",
            index=models.Index(fields=["scheduled_date", "scheduled_time", "id"], name="trial_list_order_idx"),
        ),
    ]
