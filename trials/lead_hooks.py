"""How trials answer what happens to a lead (leads.hooks); subscribed in
TrialsConfig.ready()."""

from leads import hooks
from leads.models import LeadStatus
from trials import services


def on_lead_status_changed(event: hooks.LeadStatusChanged) -> None:
    """A lost lead keeps no place in a lesson, and no reminder goes to it."""
    if event.to_status == LeadStatus.LOST:
        services.trials_cancel_for_lost_lead(lead=event.lead, by=event.by, reason=event.reason, at=event.at)


def on_lead_assigned(event: hooks.LeadAssigned) -> None:
    """The new salesperson sees the lead's trials (and the previous one no longer does)."""
    if not event.new_lead:
        services.trials_move_to_owner(lead=event.lead, owner_id=event.salesperson.pk)


def on_lead_unassigned(event: hooks.LeadUnassigned) -> None:
    services.trials_move_to_owner(lead=event.lead, owner_id=None)


def subscribe() -> None:
    hooks.subscribe(hooks.LeadAssigned, on_lead_assigned)
    hooks.subscribe(hooks.LeadUnassigned, on_lead_unassigned)
    hooks.subscribe(hooks.LeadStatusChanged, on_lead_status_changed)
