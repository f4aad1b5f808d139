"""Indexes for the admin lists at a million leads (README "Large lists").

Built CONCURRENTLY on PostgreSQL (hence atomic = False) so the deploy does not
block writes to leads while they build. The trigram indexes are PostgreSQL-only
and match the expressions leads.search runs: ``search_text__contains`` is
``search_text::text LIKE %s`` (the normalised name and e-mail, 0009),
``phone__contains`` is ``phone::text LIKE %s``. CREATE EXTENSION pg_trgm needs a role allowed to
create extensions (pg_trgm is a trusted extension: the database owner is).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from core.db_operations import AddIndexConcurrentlyOnPostgres, TrigramIndexOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("leads", "0009_lead_search_text"),
    ]

    operations = [
        TrigramExtension(),
        AddIndexConcurrentlyOnPostgres(
            model_name="lead",
            index=models.Index(fields=["assigned_to", "created_at"], name="lead_mine_newest_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="lead",
            index=models.Index(fields=["assigned_to", "status", "created_at"], name="lead_mine_status_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="lead",
            index=models.Index(fields=["assigned_to", "source", "created_at"], name="lead_mine_source_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="lead",
            index=models.Index(fields=["full_name"], name="lead_name_order_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="lead",
            index=models.Index(fields=["next_followup_at", "created_at"], name="lead_followup_order_idx"),
        ),
        # The composite above serves every filter on next_followup_at; the
        # single-column index would be chosen for the sort and sort 800k rows.
        migrations.AlterField(
            model_name="lead",
            name="next_followup_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="Contact deadline of the open follow-up (local time).",
                null=True,
                verbose_name="next follow-up",
            ),
        ),
        TrigramIndexOnPostgres(name="lead_search_text_trgm_idx", table="leads_lead", expression='"search_text"::text'),
        TrigramIndexOnPostgres(name="lead_phone_trgm_idx", table="leads_lead", expression='"phone"::text'),
    ]
