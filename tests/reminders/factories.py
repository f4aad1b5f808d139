import datetime

import factory
from django.utils import timezone

from reminders.models import LeadReminder, LeadReminderKind
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory


class LeadReminderFactory(factory.django.DjangoModelFactory):
    """An open follow-up due ``due_at`` (default: 10 minutes ago)."""

    class Meta:
        model = LeadReminder

    salesperson = factory.SubFactory(SalespersonFactory)
    lead = factory.LazyAttribute(lambda o: LeadFactory(assigned_to=None))
    kind = LeadReminderKind.FOLLOW_UP
    due_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=10))
    next_notify_at = factory.LazyAttribute(lambda o: o.due_at)
    note = "Call about the IELTS evening group"
