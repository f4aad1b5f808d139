"""Status changes and inquiries carry their lead's salesperson (lead_owner), so a
salesperson's lists walk an index of their own rows.

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
        ("leads", "0010_large_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="leadstatuschange",
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
        CopyLeadOwner(app_label="leads", model_name="leadstatuschange"),
        migrations.AddField(
            model_name="leadinquiry",
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
        CopyLeadOwner(app_label="leads", model_name="leadinquiry"),
        AddIndexConcurrentlyOnPostgres(
            model_name="leadstatuschange",
            index=models.Index(fields=["lead_owner", "changed_at", "id"], name="statuschange_mine_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="leadstatuschange",
            index=models.Index(fields=["lead_owner", "to_status", "changed_at", "id"], name="statuschange_mine_to_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="leadinquiry",
            index=models.Index(fields=["lead_owner", "received_at", "id"], name="leadinquiry_mine_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="leadinquiry",
            index=models.Index(
                fields=["lead_owner", "source", "received_at", "id"], name="leadinquiry_mine_source_idx"
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="leadinquiry",
            index=models.Index(
                fields=["lead_owner", "is_repeat", "received_at", "id"], name="leadinquiry_mine_repeat_idx"
            ),
        ),
    ]
