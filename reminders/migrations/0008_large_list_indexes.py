"""Indexes for the follow-up and delivery lists at a million leads (README
"Large lists"), built CONCURRENTLY on PostgreSQL (atomic = False). The trigram
index matches the follow-up search on the note (``note__icontains``)."""

from django.db import migrations, models

from core.db_operations import AddIndexConcurrentlyOnPostgres, TrigramIndexOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("leads", "0010_large_list_indexes"),
        ("reminders", "0007_delivery_claim_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="leadreminder",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "sent"])),
                fields=["due_at", "id"],
                name="leadreminder_open_due_idx",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="delivery",
            index=models.Index(fields=["due_at", "id"], name="delivery_list_order_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="delivery",
            index=models.Index(fields=["address"], name="delivery_address_idx"),
        ),
        TrigramIndexOnPostgres(
            name="leadreminder_note_trgm_idx", table="reminders_leadreminder", expression='UPPER("note"::text)'
        ),
    ]
