import datetime

import factory
from django.utils import timezone

from leads.models import Lead
from leads.services import lead_rows_move
from reminders.models import LeadReminder, LeadReminderKind
from tests.factories import SalespersonFactory
from tests.leads.factories import LeadFactory


class LeadReminderFactory(factory.django.DjangoModelFactory):
    """An open follow-up due ``due_at`` (default: 10 minutes ago) on a lead
    assigned to its salesperson (set directly, so assignment's own
    first-contact reminder is not created alongside)."""

    class Meta:
        model = LeadReminder
        skip_postgeneration_save = True

    salesperson = factory.SubFactory(SalespersonFactory)
    lead = factory.LazyAttribute(lambda o: LeadFactory(assigned_to=None))
    kind = LeadReminderKind.FOLLOW_UP
    due_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=10))
    next_notify_at = factory.LazyAttribute(lambda o: o.due_at)
    note = "Call about the IELTS evening group"

    @factory.post_generation
    def assign_lead(self, create, extracted, **kwargs):
        if not create:
            return
        if self.lead.assigned_to_id is None:
            Lead.objects.filter(pk=self.lead_id).update(assigned_to=self.salesperson)
            self.lead.assigned_to = self.salesperson
            # What lead_assign would have moved with the lead (leads.models.lead_owner_field).
            lead_rows_move(lead=self.lead, owner_id=self.salesperson.pk)
        LeadReminder.objects.filter(pk=self.pk).update(lead_owner=self.lead.assigned_to_id)
        self.lead_owner_id = self.lead.assigned_to_id
