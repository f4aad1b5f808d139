"""The follow-up list filtered by kind, for managers: without it the list walked
another index past every follow-up of the other kind (65 ms of SQL at 1M
leads when none matched). Built CONCURRENTLY on PostgreSQL."""

from django.db import migrations, models

from core.db_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reminders", "0010_delivery_lead_owner"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="leadreminder",
            index=models.Index(fields=["kind", "due_at", "id"], name="leadreminder_kind_idx"),
        ),
    ]
