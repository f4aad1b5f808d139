"""Leads now keep the deadline of their open follow-up (Lead.next_followup_at);
copy it from the open reminders that exist."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

OPEN = ["pending", "sent"]


def fill(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    LeadReminder = apps.get_model("reminders", "LeadReminder")
    earliest = LeadReminder.objects.filter(lead=OuterRef("pk"), status__in=OPEN).order_by("due_at").values("due_at")[:1]
    Lead.objects.filter(pk__in=LeadReminder.objects.filter(status__in=OPEN).values("lead_id")).update(
        next_followup_at=Subquery(earliest)
    )


def empty(apps, schema_editor):
    apps.get_model("leads", "Lead").objects.update(next_followup_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0003_lead_next_followup_at"),
        ("reminders", "0003_followup_cancelled"),
    ]

    operations = [migrations.RunPython(fill, empty)]
