"""How scheduling answers what happens to a lead (leads.hooks); subscribed in
SchedulingConfig.ready()."""

from leads import hooks
from scheduling import services


def on_lead_assigned(event: hooks.LeadAssigned) -> None:
    """The new salesperson sees the lead's enrolments (and the previous one no longer does)."""
    if not event.new_lead:
        services.enrollments_move_to_owner(lead=event.lead, owner_id=event.salesperson.pk)


def on_lead_unassigned(event: hooks.LeadUnassigned) -> None:
    services.enrollments_move_to_owner(lead=event.lead, owner_id=None)


def subscribe() -> None:
    hooks.subscribe(hooks.LeadAssigned, on_lead_assigned)
    hooks.subscribe(hooks.LeadUnassigned, on_lead_unassigned)
