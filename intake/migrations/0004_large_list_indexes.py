"""The intake event list's search on error text (``error__icontains``) on a
trigram index, PostgreSQL only, built CONCURRENTLY (README "Large lists")."""

from django.db import migrations

from core.db_operations import TrigramIndexOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("leads", "0010_large_list_indexes"),
        ("intake", "0003_translated_labels"),
    ]

    operations = [
        TrigramIndexOnPostgres(
            name="intakeevent_error_trgm_idx", table="intake_intakeevent", expression='UPPER("error"::text)'
        ),
    ]
