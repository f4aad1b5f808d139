"""Demo follow-ups for `manage.py seed_demo`: contacted or interested demo
leads whose next follow-up falls a few minutes from now (so `make run` shows
overdue notifications going out) and a few already overdue. New leads already
carry their first-contact deadline from assignment (reminders.services).
Through reminders.services; idempotent (skips while demo follow-ups are open)."""

import datetime
import random

from django.utils import timezone

from leads.models import Lead, LeadStatus
from reminders import services
from reminders.models import OPEN_REMINDER_STATUSES, LeadReminder

DEMO_PREFIX = "Demo: "
# minutes from now: positive = due soon, negative = overdue
DEADLINES = [2, 4, 7, 12, 25, 60, 180, -20, -45, -90]
NOTES = [
    "Call back about the evening schedule",
    "Send the price list for 6 months",
    "Ask if the parents agreed",
    "Offer the weekend group",
    "Confirm the level test",
    "Discuss the family discount",
]


def seed(stdout) -> None:
    if LeadReminder.objects.filter(note__startswith=DEMO_PREFIX, status__in=OPEN_REMINDER_STATUSES).exists():
        stdout.write("Demo follow-ups: already there.")
        return
    rng = random.Random(707)
    now = timezone.now()
    leads = list(
        Lead.objects.filter(status__in=[LeadStatus.CONTACTED, LeadStatus.INTERESTED], assigned_to__isnull=False)
        .select_related("assigned_to")
        .order_by("id")[: len(DEADLINES)]
    )
    for lead, minutes in zip(leads, DEADLINES, strict=False):
        due = now + datetime.timedelta(minutes=minutes)
        set_at = min(now, due) - datetime.timedelta(hours=rng.randint(2, 30))
        services.followup_set(
            lead=lead,
            due_at=due,
            by=lead.assigned_to,
            at=set_at,
            note=DEMO_PREFIX + rng.choice(NOTES),
        )
    stdout.write(
        f"Demo follow-ups: {len(leads)} set (the first due in {DEADLINES[0]} min, "
        f"{sum(1 for m in DEADLINES[: len(leads)] if m < 0)} overdue)."
    )
