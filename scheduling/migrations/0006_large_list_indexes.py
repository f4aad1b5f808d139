"""The enrolment list's default order on an index (README "Large lists"),
built CONCURRENTLY on PostgreSQL (atomic = False)."""

from django.db import migrations, models

from core.db_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("scheduling", "0005_translated_labels"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="enrollment",
            index=models.Index(fields=["enrolled_at", "id"], name="enrollment_list_order_idx"),
        ),
    ]
