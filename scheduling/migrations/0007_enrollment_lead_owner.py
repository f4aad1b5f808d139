"""Enrolments carry their lead's salesperson (lead_owner), so a salesperson's
enrolment list walks an index of their own rows.

The column is added empty (instant), filled from the lead in batches that
commit one by one (core.db_operations.CopyLeadOwner), then indexed
CONCURRENTLY on PostgreSQL, so the deploy locks no large table
(README "Large lists"); hence atomic = False.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.db_operations import AddIndexConcurrentlyOnPostgres, CopyLeadOwner


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scheduling", "0006_large_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="lead_owner",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="lead's salesperson",
            ),
        ),
        CopyLeadOwner(app_label="scheduling", model_name="enrollment"),
        AddIndexConcurrentlyOnPostgres(
            model_name="enrollment",
            index=models.Index(fields=["lead_owner", "enrolled_at", "id"], name="enrollment_mine_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="enrollment",
            index=models.Index(fields=["lead_owner", "status", "enrolled_at", "id"], name="enrollment_mine_status_idx"),
        ),
    ]
