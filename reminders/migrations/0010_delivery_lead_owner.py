"""Deliveries about a lead carry its salesperson (lead_owner), so a salesperson's
delivery list walks an index of their own rows; and a partial index for the
list filtered by the SMS report (the filter no longer lists the reports with a
DISTINCT over the table). Only these: the dispatcher's claim indexes are
untouched.

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
        ("reminders", "0009_leadreminder_lead_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
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
        CopyLeadOwner(app_label="reminders", model_name="delivery"),
        AddIndexConcurrentlyOnPostgres(
            model_name="delivery",
            index=models.Index(fields=["lead_owner", "due_at", "id"], name="delivery_mine_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="delivery",
            index=models.Index(fields=["lead_owner", "status", "due_at", "id"], name="delivery_mine_status_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="delivery",
            index=models.Index(fields=["lead_owner", "kind", "due_at", "id"], name="delivery_mine_kind_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("gateway_status", ""), _negated=True),
                fields=["gateway_status", "due_at", "id"],
                name="delivery_report_idx",
            ),
        ),
]
