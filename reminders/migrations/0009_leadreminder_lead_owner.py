"""Follow-ups carry their lead's salesperson (lead_owner), so a salesperson's
follow-up list walks an index of their own rows.

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
        ("leads", "0011_lead_owner"),
        ("reminders", "0008_large_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="leadreminder",
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
        CopyLeadOwner(app_label="reminders", model_name="leadreminder"),
        AddIndexConcurrentlyOnPostgres(
            model_name="leadreminder",
            index=models.Index(fields=["lead_owner", "due_at", "id"], name="leadreminder_mine_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="leadreminder",
            index=models.Index(fields=["lead_owner", "status", "due_at", "id"], name="leadreminder_mine_status_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="leadreminder",
            index=models.Index(fields=["lead_owner", "kind", "due_at", "id"], name="leadreminder_mine_kind_idx"),
        ),
    ]
