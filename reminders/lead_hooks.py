"""How follow-ups answer what happens to a lead (leads.hooks); subscribed in
RemindersConfig.ready()."""

from django.utils.translation import gettext

from leads import hooks
from leads.models import LeadStatus
from leads.services import CONTACT_STATUSES
from reminders import services
from reminders.models import LeadReminderKind


def on_lead_assigned(event: hooks.LeadAssigned) -> None:
    if not event.new_lead:
        services.lead_rows_move_to_owner(lead=event.lead, owner_id=event.salesperson.pk)
    services.followup_create_first_contact(lead=event.lead, salesperson=event.salesperson, at=event.at)


def on_lead_unassigned(event: hooks.LeadUnassigned) -> None:
    note = services.UNASSIGNED_NOTE.format(salesperson=event.previous_salesperson)
    services.followups_cancel_for_lead(lead=event.lead, by=event.by, at=event.at, note=note)
    services.lead_rows_move_to_owner(lead=event.lead, owner_id=None)


def on_lead_status_changed(event: hooks.LeadStatusChanged) -> None:
    """Enrolling or losing the lead ends whatever follow-up is open; the first
    contact meets only the first-contact deadline. A follow-up the salesperson
    set stays open through every other change: it was set after the contact that
    caused the change, and ends only with Record contact or a newer follow-up."""
    note = gettext("Lead moved to %(status)s") % {"status": LeadStatus(event.to_status).label}
    if event.to_status in services.CLOSED_LEAD_STATUSES:
        services.followups_complete_for_lead(lead=event.lead, by=event.by, at=event.at, note=note)
    elif event.to_status in CONTACT_STATUSES:
        services.followups_complete_for_lead(
            lead=event.lead, by=event.by, at=event.at, note=note, kinds=(LeadReminderKind.FIRST_CONTACT,)
        )


def subscribe() -> None:
    hooks.subscribe(hooks.LeadAssigned, on_lead_assigned)
    hooks.subscribe(hooks.LeadUnassigned, on_lead_unassigned)
    hooks.subscribe(hooks.LeadStatusChanged, on_lead_status_changed)
